"""MS-DRG relative weights by fiscal year: CMS Table 5 (IPPS Final Rule), one table per year.

A discharge is weighted with the table of the fiscal year whose grouper release grouped it,
never with another year's: a year without a table gives no weight, and every figure that
needs one counts the encounters it lacks.

Tables come from two places: the ones codingwatch ships (`codesets/data/`, FY2026 now) and
the ones a user imports with `codingwatch codesets add-weights FILE --fiscal-year YYYY` into
the embedded store, `$CODINGWATCH_VAR/codesets/weights/` (one normalized TSV per year and a
JSON record of the source file's name, SHA-256, row count and import date). An imported
table takes precedence over a shipped one for the same year.

CMS distributes Table 5 as tab-separated text (the `.txt` in the Final Rule's table zip) and
as an Excel workbook; both are read here: the header row is the one whose first cell is
"MS-DRG", the weight is the column "Weights - 10% Cap Applied" where the table has one (the
weight IPPS pays on since FY2023), otherwise the column named "Weights".
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

from codingwatch import config
from codingwatch.codesets.calendar import COVERED_FISCAL_YEARS, RELEASES
from codingwatch.codesets.cms_tables import drgs_in_release

SHIPPED = {2026: "msdrg-fy2026-table5-weights.tsv"}
UNGROUPABLE = (998, 999)


class WeightTableError(ValueError):
    """A Table 5 file cannot be imported; the message names the file, row and reason."""


@dataclass(frozen=True)
class WeightTable:
    fiscal_year: int
    weights: dict[int, Decimal]
    titles: dict[int, str]
    source: str  # file name of the CMS table it came from
    sha256: str
    imported_at: str = ""  # ISO timestamp; empty for a shipped table
    shipped: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"CMS FY{self.fiscal_year} Table 5 ({self.source})"


def fiscal_year_of_release(version: int) -> int:
    """The fiscal year of a grouper release: v430 and v431 are FY2026."""
    for fy, releases in RELEASES.items():
        if version in releases:
            return fy
    return version // 10 + 1983


def store_dir() -> Path:
    return config.var_dir() / "codesets" / "weights"


# ---- reading CMS Table 5 ---------------------------------------------------------------------


def _rows_from_text(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    head = text[:8192]
    delimiter = "\t" if head.count("\t") >= head.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _rows_from_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise WeightTableError(f"{path.name}: not a readable Excel workbook ({exc})") from None
    try:
        rows: list[list[str]] = []
        for sheet in book.worksheets:
            sheet_rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if any(_is_header(r) for r in sheet_rows):
                return sheet_rows
            rows = rows or sheet_rows
        return rows
    finally:
        book.close()


def _clean(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace("\u00a0", " ")).strip()


def _is_header(row: list[str]) -> bool:
    return bool(row) and _clean(row[0]).upper().replace(" ", "") in ("MS-DRG", "MSDRG", "DRG")


def _columns(path: Path, header: list[str], line: int) -> tuple[int, int | None]:
    names = [_clean(h).lower() for h in header]
    capped = [i for i, n in enumerate(names) if "weight" in n and "cap applied" in n]
    plain = [i for i, n in enumerate(names) if "weight" in n and "before" not in n]
    weight = (capped or plain or [None])[0]
    if weight is None:
        raise WeightTableError(
            f"{path.name}: line {line}: no relative-weight column in the header "
            f"(expected 'Weights - 10% Cap Applied' or 'Weights'; found {', '.join(h for h in header if h)})"
        )
    title = next((i for i, n in enumerate(names) if "title" in n), None)
    return weight, title


def read_table5(path: Path) -> tuple[dict[int, Decimal], dict[int, str]]:
    """Weights and titles from a CMS Table 5 file (text or xlsx). Raises WeightTableError."""
    path = Path(path)
    if not path.is_file():
        raise WeightTableError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _rows_from_xlsx(path)
    else:
        rows = _rows_from_text(path.read_bytes())
    start = next((i for i, row in enumerate(rows) if _is_header(row)), None)
    if start is None:
        raise WeightTableError(
            f"{path.name}: no header row starting with 'MS-DRG': this does not look like CMS Table 5"
        )
    weight_col, title_col = _columns(path, rows[start], start + 1)
    weights: dict[int, Decimal] = {}
    titles: dict[int, str] = {}
    for index, row in enumerate(rows[start + 1 :], start=start + 2):
        first = _clean(row[0]) if row else ""
        if not first:
            continue
        if not first.isdigit():
            if weights:  # a footnote after the table
                break
            continue
        drg = int(first)
        if drg in weights:
            raise WeightTableError(f"{path.name}: line {index}: MS-DRG {drg:03d} is listed twice")
        raw = _clean(row[weight_col]) if weight_col < len(row) else ""
        if title_col is not None and title_col < len(row):
            titles[drg] = _clean(row[title_col])
        if raw in ("", ".", "-"):
            if drg in UNGROUPABLE:
                continue
            raise WeightTableError(f"{path.name}: line {index}: MS-DRG {drg:03d} has no weight")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise WeightTableError(f"{path.name}: line {index}: MS-DRG {drg:03d}: weight {raw!r} is not a number") from None
        if not value.is_finite() or value <= 0:
            raise WeightTableError(f"{path.name}: line {index}: MS-DRG {drg:03d}: weight {raw} is not positive")
        weights[drg] = value
    if not weights:
        raise WeightTableError(f"{path.name}: the table has a header but no MS-DRG rows")
    return weights, titles


def _fy_drgs(fiscal_year: int) -> frozenset[int]:
    """The MS-DRGs of a fiscal year's releases (October and April) that carry a weight."""
    drgs: set[int] = set()
    for version in set(RELEASES[fiscal_year]):
        drgs |= drgs_in_release(version)
    return frozenset(drgs - set(UNGROUPABLE))


def _ranges(numbers: list[int]) -> str:
    shown = ", ".join(f"{n:03d}" for n in numbers[:20])
    return shown + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")


def validate(path: Path, fiscal_year: int, weights: dict[int, Decimal]) -> None:
    if fiscal_year not in RELEASES:
        raise WeightTableError(
            f"FY{fiscal_year} has no MS-DRG grouper installed; weights can be added for "
            f"FY{COVERED_FISCAL_YEARS[0]}-FY{COVERED_FISCAL_YEARS[-1]}"
        )
    expected = _fy_drgs(fiscal_year)
    releases = "/".join(f"v{v}" for v in sorted(set(RELEASES[fiscal_year])))
    missing = sorted(expected - set(weights))
    unknown = sorted(set(weights) - expected)
    if missing:
        raise WeightTableError(
            f"{Path(path).name}: {len(missing)} MS-DRG(s) of FY{fiscal_year} (grouper {releases}) have no weight: "
            f"{_ranges(missing)}; is this the FY{fiscal_year} Table 5?"
        )
    if unknown:
        raise WeightTableError(
            f"{Path(path).name}: {len(unknown)} MS-DRG(s) do not exist in FY{fiscal_year} (grouper {releases}): "
            f"{_ranges(unknown)}; is this the FY{fiscal_year} Table 5?"
        )


# ---- the store -------------------------------------------------------------------------------


def _write_tsv(target: Path, weights: dict[int, Decimal], titles: dict[int, str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["drg", "weight", "title"])
    for drg in sorted(weights):
        writer.writerow([f"{drg:03d}", str(weights[drg]), titles.get(drg, "")])
    target.write_text(buffer.getvalue(), encoding="utf-8")


def add_weights(path: Path, fiscal_year: int, *, replace: bool = False) -> tuple[WeightTable, str]:
    """Import a CMS Table 5 file for a fiscal year into the store. Returns (table, status) with
    status `imported`, `replaced` or `unchanged` (the same file is already in the store)."""
    path = Path(path)
    weights, titles = read_table5(path)
    validate(path, fiscal_year, weights)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    folder = store_dir()
    folder.mkdir(parents=True, exist_ok=True)
    record_path = folder / f"FY{fiscal_year}.json"
    status = "imported"
    if record_path.is_file():
        previous = json.loads(record_path.read_text(encoding="utf-8"))
        if previous.get("sha256") == sha:
            return _load_stored(fiscal_year), "unchanged"
        if not replace:
            raise WeightTableError(
                f"FY{fiscal_year} already has weights from {previous.get('source')} "
                f"(imported {previous.get('imported_at')}); pass --replace to replace them"
            )
        status = "replaced"
    imported_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    record = {"fiscal_year": fiscal_year, "source": path.name, "sha256": sha, "imported_at": imported_at,
              "drgs": len(weights)}
    # Written to temporary names and renamed: a reader sees the old table or the new one, whole.
    tsv_tmp, json_tmp = folder / f".FY{fiscal_year}.tsv.tmp", folder / f".FY{fiscal_year}.json.tmp"
    _write_tsv(tsv_tmp, weights, titles)
    json_tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tsv_tmp, folder / f"FY{fiscal_year}.tsv")
    os.replace(json_tmp, record_path)
    _load_stored_at.cache_clear()
    return _load_stored(fiscal_year), status


@cache
def _load_stored_at(folder: str, fiscal_year: int, stamp: int) -> WeightTable | None:
    record_path = Path(folder) / f"FY{fiscal_year}.json"
    table_path = Path(folder) / f"FY{fiscal_year}.tsv"
    if not (record_path.is_file() and table_path.is_file()):
        return None
    record = json.loads(record_path.read_text(encoding="utf-8"))
    weights, titles = {}, {}
    with table_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            weights[int(row["drg"])] = Decimal(row["weight"])
            titles[int(row["drg"])] = row["title"]
    return WeightTable(fiscal_year, weights, titles, record["source"], record["sha256"], record["imported_at"])


def _stamp(fiscal_year: int) -> int:
    """Changes when the stored table does, so a cached table is never stale."""
    try:
        return (store_dir() / f"FY{fiscal_year}.json").stat().st_mtime_ns
    except OSError:
        return 0


def _load_stored(fiscal_year: int) -> WeightTable | None:
    return _load_stored_at(str(store_dir()), fiscal_year, _stamp(fiscal_year))


@cache
def _shipped(fiscal_year: int) -> WeightTable | None:
    name = SHIPPED.get(fiscal_year)
    if name is None:
        return None
    resource = resources.files("codingwatch.codesets").joinpath(f"data/{name}")
    data = resource.read_bytes()
    with resources.as_file(resource) as path:
        weights, titles = read_table5(path)
    return WeightTable(fiscal_year, weights, titles, name, hashlib.sha256(data).hexdigest(), shipped=True)


def weight_table(fiscal_year: int) -> WeightTable | None:
    """The Table 5 in force for a fiscal year: the imported one, else the shipped one, else None."""
    return _load_stored(fiscal_year) or _shipped(fiscal_year)


def available_tables() -> list[WeightTable]:
    return [t for t in (weight_table(fy) for fy in COVERED_FISCAL_YEARS) if t is not None]


def weight_for(fiscal_year: int, drg: int) -> Decimal | None:
    """The relative weight of a DRG in a fiscal year, or None (998/999, or no table for that year)."""
    table = weight_table(fiscal_year)
    return None if table is None else table.weights.get(drg)


def missing_label(fiscal_year: int) -> str:
    return f"weight missing (FY{fiscal_year})"
