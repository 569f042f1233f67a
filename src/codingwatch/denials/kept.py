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


# ---- the denials overview's figures, kept at the load's commit ---------------------------------
#
# The first /denials/ after a load at 1,000,000 claims computes about ten figures over the linked
# claims (rates by five breakdowns, the CARC Pareto, totals, recoveries): about a second. The load
# that writes the linked claims also writes those figures, for every vendor the lake holds and the
# whole period, to `<lake>/_derived/denials_figures-<snapshot>.json`; the pages take them when the
# reader's scope covers every one of those vendors, the question is the same and the lake's
# snapshot still is, and compute otherwise. Nothing is read from before a load: the snapshot
# names the file.

FIGURES = "denials_figures"
BREAKDOWN_NAMES = ("vendor", "specialty", "payer", "month", "coder")


def _encode(value):
    """JSON for the finished rows (exact: money as Decimal text, days as ISO dates, tuples kept)."""
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(value):
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            if tag == "$decimal":
                return Decimal(inner)
            if tag == "$date":
                return dt.date.fromisoformat(inner)
            if tag == "$tuple":
                return tuple(_decode(v) for v in inner)
        return {k: _decode(v) for k, v in value.items()}
    return value


def figures_path(lake, snapshot: str | None = None) -> Path:
    return _folder(lake) / f"{FIGURES}-{snapshot or lake.snapshot()}.json"


def keep_figures(lake, today=None, con=None) -> Path:
    """Write the overview's figures of the lake as it is now (from the kept linked claims), for
    every vendor in the lake and the whole period, as of `today` (UTC, for the months marked
    partial); the file's path. Each figure is stored under the name and question the pages ask."""
    import datetime as dt
    import json

    from codingwatch import periods
    from codingwatch.denials import rows as finished

    today = today or dt.datetime.now(dt.UTC).date()
    snapshot = lake.snapshot()
    con = con or lake.connect()
    # read once into memory, as the pages do (each figure below is a pass over every claim)
    linked = con.create_table(f"_{FIGURES}_linked", con.read_parquet(keep_linked(lake, con)), temp=True,
                              overwrite=True)
    vendors = sorted(v for v in linked.select("vendor").distinct().to_pyarrow().column("vendor").to_pylist()
                     if v is not None)
    scoped = finished.in_period(linked.filter(linked.vendor.isin(vendors) if vendors else False), periods.ALL)
    covered = finished.coverage(scoped)
    figures = {"coverage": [[], covered], "totals": [[], finished.totals(scoped)],
               "recovered": [[], finished.recovered(scoped)],
               "pareto": [[False], finished.pareto(scoped, con.table("remit_adjustments"), coding_only=False)]}
    for by in BREAKDOWN_NAMES:
        figures[f"rates.{by}"] = [[today.isoformat()], finished.rates(
            scoped, by, today=today, period=periods.ALL, covered=covered if by == "month" else None)]
    folder = _folder(lake)
    path = figures_path(lake, snapshot)
    partial = folder / f".{FIGURES}-{snapshot}-{uuid.uuid4().hex}.tmp"
    partial.write_text(json.dumps({"snapshot": snapshot, "vendors": vendors, "figures": _encode(figures)}))
    os.replace(partial, path)  # readers see the whole file or none
    for old in folder.glob(f"{FIGURES}-*.json"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def kept_figures(lake, snapshot: str | None = None) -> dict | None:
    """{"vendors": [...], "figures": {name: [extra question parts, answer]}} of the lake's current
    snapshot, or None when not written (or not readable: the pages then compute)."""
    import json

    path = figures_path(lake, snapshot)
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if found.get("snapshot") != (snapshot or lake.snapshot()):
        return None
    return {"vendors": found["vendors"], "figures": _decode(found["figures"])}
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
