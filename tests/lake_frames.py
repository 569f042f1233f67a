"""Frames of a lake on its embedded DuckDB, as the CLI and the web app build them: the
encounters and loads tables of `Lake.connect()` handed to `sampling.build_frame`."""

from __future__ import annotations

from codingwatch.sampling import frames


def build_frame(lake, *, coding_denial_keys=None, **filters) -> frames.Frame:
    """`frames.build_frame` over `lake`; `coding_denial_keys` is a function of the connection
    returning the coding-denied keys table (e.g. `denials.coding_denial_keys_from_lake`)."""
    snapshot = lake.snapshot()
    con = lake.connect()
    denied = coding_denial_keys(con) if coding_denial_keys is not None else None
    return frames.build_frame(con.table("encounters"), loads=con.table("loads"), snapshot=snapshot,
                              coding_denied=denied, **filters)
