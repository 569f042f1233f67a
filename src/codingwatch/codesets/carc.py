"""The CARC/RARC catalog: our own table of adjustment reason and remark codes.

codesets/data/carc_rarc.csv holds, per code: kind (CARC or RARC), a description in our own
words, a category, whether a denial with it points to coding (yes / no / depends: read it
with its remark codes), and the source and date it was checked against. X12 publishes the
CARC list; CMS maintains the RARC list. A code not in the catalog is kept wherever it
appears and reported by `unknown_codes`, never dropped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

CODING_RELATED = ("yes", "no", "depends")


@dataclass(frozen=True)
class ReasonCode:
    kind: str  # CARC | RARC
    code: str
    description: str
    category: str
    coding_related: str  # yes | no | depends
    source: str
    source_date: str


@lru_cache(maxsize=1)
def catalog() -> dict[tuple[str, str], ReasonCode]:
    text = resources.files("codingwatch.codesets").joinpath("data/carc_rarc.csv").read_text()
    out = {}
    for row in csv.DictReader(text.splitlines()):
        entry = ReasonCode(**row)
        if entry.coding_related not in CODING_RELATED or entry.kind not in ("CARC", "RARC"):
            raise ValueError(f"carc_rarc.csv: bad row for {entry.kind} {entry.code}")
        out[(entry.kind, entry.code)] = entry
    return out


def lookup(kind: str, code: str) -> ReasonCode | None:
    return catalog().get((kind, code))


def catalog_table():
    """The catalog as a pyarrow table (kind, code, description, category, coding_related, ...)."""
    import pyarrow as pa

    rows = [vars(entry) for entry in catalog().values()]
    return pa.Table.from_pylist(rows)


def classify(carc: str, rarcs: list[str] | tuple[str, ...] = ()) -> str:
    """'yes', 'no' or 'unknown' for one adjustment: a 'depends' CARC is coding-related when
    one of its remark codes is, not when none is; an uncatalogued CARC is 'unknown'."""
    entry = lookup("CARC", carc)
    if entry is None:
        return "unknown"
    if entry.coding_related != "depends":
        return entry.coding_related
    for rarc in rarcs:
        remark = lookup("RARC", rarc)
        if remark is not None and remark.coding_related == "yes":
            return "yes"
    return "no"


def unknown_codes(kind: str, codes) -> list[str]:
    """The codes of `kind` that the catalog does not hold, sorted, each once."""
    return sorted({c for c in codes if c and (kind, c) not in catalog()})
