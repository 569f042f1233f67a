"""The claim outcomes linked to their coded encounters, kept beside the lake per load generation.

Linking every remitted claim to its outcome (five tables and the reason-code catalog) takes
about a second at 1,000,000 claims, too long for the first page after a load. So the load that
commits remittances or encounters writes them once, right after it commits, to
`<lake>/_derived/denials_linked-<snapshot>.parquet` (`keep_linked`); readers take that file
while the lake's snapshot is the same (`kept_linked_path`), and compute afresh otherwise. The
file of an earlier snapshot is removed when a new one is written; nothing is ever read from
before a load, because the snapshot names the file. `kept_outcomes(lake, con)` gives the scorecard
the same file as a table of the connection, when the file is of the loads that connection reads.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from codingwatch.denials.analytics import from_lake
from codingwatch.lake.store import DERIVED_DIR, LOADS_TABLE

NAME = "denials_linked"


def _folder(lake) -> Path:
    return lake.root / DERIVED_DIR


def kept_linked_path(lake, snapshot: str | None = None) -> Path | None:
    """The kept file of the lake's current snapshot, or None when it is not (yet) written."""
    path = _folder(lake) / f"{NAME}-{snapshot or lake.snapshot()}.parquet"
    return path if path.is_file() else None


def keep_linked(lake, con=None) -> Path:
    """Write the linked claim outcomes of the lake as it is now; the file's path."""
    snapshot = lake.snapshot()
    found = kept_linked_path(lake, snapshot)
    if found is not None:
        return found
    con = con or lake.connect()
    folder = _folder(lake)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NAME}-{snapshot}.parquet"
    partial = folder / f".{NAME}-{snapshot}-{uuid.uuid4().hex}.tmp"
    con.to_parquet(from_lake(con)["linked"], partial)
    os.replace(partial, path)  # readers see the whole file or none
    for old in folder.glob(f"{NAME}-*.parquet"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def connection_snapshot(con) -> str | None:
    """The snapshot of the loads a lake connection (`Lake.connect()`) reads, from its `loads`
    table (written when it connected), as `Lake.snapshot()` spells it; None without one."""
    try:
        ids = sorted(con.table(LOADS_TABLE).load_id.to_pyarrow().to_pylist())
    except Exception:  # another backend or a connection without the lake's tables
        return None
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]


def kept_outcomes(lake, con):
    """The kept linked claim outcomes as a table of `con`, when they were written for exactly
    the loads `con` reads (a load that committed after `con` connected names another file), else
    None: the caller computes them (`analytics.claim_outcomes`)."""
    snapshot = connection_snapshot(con)
    path = kept_linked_path(lake, snapshot) if snapshot is not None else None
    if path is None:
        return None
    try:
        return con.read_parquet(str(path))
    except Exception:  # removed by a newer load meanwhile: compute afresh
        return None
