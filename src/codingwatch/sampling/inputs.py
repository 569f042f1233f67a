"""Reading auditors' input files (values, strata, stratified designs) with errors that name
the file, line, column and reason."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

from codingwatch.errors import CodingwatchError
from codingwatch.sampling.draws import StratumRequest

VALUE_COLUMNS = ("examined", "audited", "difference")


class InputFileError(CodingwatchError, ValueError):
    """An input file cannot be used; the message names file, line, column and reason."""


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = [f.strip() for f in (reader.fieldnames or [])]
            if not fields:
                raise InputFileError(f"{path}: line 1: no header row")
            reader.fieldnames = [f.lower() for f in fields]
            rows = [(line, row) for line, row in enumerate(reader, start=2)]
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not a UTF-8 CSV file") from None
    except csv.Error as exc:
        raise InputFileError(f"{path}: not a readable CSV file ({exc})") from None
    return [f.lower() for f in fields], rows


def parse_amount(text: str, path: Path, line: int, column: str) -> Decimal:
    raw = (text or "").strip().replace(",", "").replace("$", "")
    negative = raw.startswith("(") and raw.endswith(")")  # accounting style (12.50)
    if negative:
        raw = raw[1:-1]
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InputFileError(f"{path}: line {line}: column {column}: {text!r} is not a number") from None
    if not value.is_finite():
        raise InputFileError(f"{path}: line {line}: column {column}: {text!r} is not a finite number")
    return -value if negative else value


def _value_columns(path: Path, fields: list[str], column: str | None, ignore: tuple[str, ...] = ()) -> list[str]:
    if column is not None:
        if column.lower() not in fields:
            raise InputFileError(f"{path}: line 1: no column named {column!r} (columns: {', '.join(fields)})")
        return [column.lower()]
    present = [c for c in VALUE_COLUMNS if c in fields]
    if present:
        return present
    candidates = [f for f in fields if f not in ignore and f not in ("order", "item", "frame_number", "id")]
    if len(candidates) == 1:
        return candidates
    raise InputFileError(
        f"{path}: line 1: cannot tell which column holds the values (columns: {', '.join(fields)}); "
        "name examined/audited/difference columns or pass --column"
    )


def _with_difference(columns: dict[str, list[Decimal]], explicit: bool) -> dict[str, list[Decimal]]:
    if not explicit and "examined" in columns and "audited" in columns and "difference" not in columns:
        columns["difference"] = [e - a for e, a in zip(columns["examined"], columns["audited"], strict=True)]
    return {name: columns[name] for name in VALUE_COLUMNS if name in columns} or columns


def read_values(path: Path, column: str | None = None) -> dict[str, list[Decimal]]:
    """Sample values: examined, audited and difference columns (difference = examined - audited
    when only the first two are given), or the one column named (or the file's only column)."""
    fields, rows = _rows(path)
    columns = _value_columns(path, fields, column)
    values: dict[str, list[Decimal]] = {c: [] for c in columns}
    for line, row in rows:
        for c in columns:
            values[c].append(parse_amount(row.get(c, ""), path, line, c))
    return _with_difference(values, column is not None)


def read_stratified_values(path: Path, column: str | None = None) -> dict[str, dict[str, list[Decimal]]]:
    """stratum -> values column -> amounts, from a file with a `stratum` column."""
    fields, rows = _rows(path)
    if "stratum" not in fields:
        raise InputFileError(f"{path}: line 1: no 'stratum' column")
    columns = _value_columns(path, fields, column, ignore=("stratum",))
    out: dict[str, dict[str, list[Decimal]]] = {}
    for line, row in rows:
        stratum = (row.get("stratum") or "").strip()
        if not stratum:
            raise InputFileError(f"{path}: line {line}: column stratum: empty")
        target = out.setdefault(stratum, {c: [] for c in columns})
        for c in columns:
            target[c].append(parse_amount(row.get(c, ""), path, line, c))
    return {s: _with_difference(v, column is not None) for s, v in out.items()}


def _whole(text: str, path: Path, line: int, column: str, minimum: int | None = None) -> int:
    raw = (text or "").strip().replace(",", "")
    try:
        value = int(raw)
    except ValueError:
        raise InputFileError(f"{path}: line {line}: column {column}: {text!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise InputFileError(f"{path}: line {line}: column {column}: {value} is below {minimum}")
    return value


def read_strata(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """(stratum -> universe size, stratum -> sample size where given) from a strata file with
    columns stratum, universe (or size) and optionally sample."""
    fields, rows = _rows(path)
    universe_column = "universe" if "universe" in fields else "size" if "size" in fields else None
    if "stratum" not in fields or universe_column is None:
        raise InputFileError(f"{path}: line 1: a strata file needs columns stratum and universe (found {', '.join(fields)})")
    universes: dict[str, int] = {}
    samples: dict[str, int] = {}
    for line, row in rows:
        stratum = (row.get("stratum") or "").strip()
        if not stratum:
            raise InputFileError(f"{path}: line {line}: column stratum: empty")
        if stratum in universes:
            raise InputFileError(f"{path}: line {line}: stratum {stratum!r} is listed twice")
        universes[stratum] = _whole(row.get(universe_column, ""), path, line, universe_column, 1)
        if "sample" in fields and (row.get("sample") or "").strip():
            samples[stratum] = _whole(row["sample"], path, line, "sample", 1)
    if not universes:
        raise InputFileError(f"{path}: no strata listed")
    return universes, samples


def read_stratified_design(path: Path) -> list[StratumRequest]:
    """Strata to draw: columns stratum, count, low, high, and optionally spares and seed."""
    fields, rows = _rows(path)
    missing = [c for c in ("stratum", "count", "low", "high") if c not in fields]
    if missing:
        raise InputFileError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    requests = []
    for line, row in rows:
        stratum = (row.get("stratum") or "").strip()
        if not stratum:
            raise InputFileError(f"{path}: line {line}: column stratum: empty")
        spares = (row.get("spares") or "").strip()
        seed = (row.get("seed") or "").strip() or None
        requests.append(StratumRequest(
            stratum=stratum,
            count=_whole(row["count"], path, line, "count", 1),
            low=_whole(row["low"], path, line, "low"),
            high=_whole(row["high"], path, line, "high"),
            spares=_whole(spares, path, line, "spares", 0) if spares else 0,
            seed=seed,
        ))
    if not requests:
        raise InputFileError(f"{path}: no strata listed")
    return requests
