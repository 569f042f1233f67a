"""The sampling page's requests, read and checked, run through codingwatch.sampling.

Plain functions shared by the page and the API: each takes the request's fields as text and
returns the engine's result, or raises SamplingInputError naming the field and the reason.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from codingwatch.errors import CodingwatchError
from codingwatch.sampling import (
    AppraisalError,
    DrawError,
    appraise_attribute,
    appraise_variable,
    random_numbers,
)
from codingwatch.sampling.inputs import InputFileError, read_values

# The web app draws at most this many numbers (sample and spares) per request; the CLI has no limit.
MAX_WEB_NUMBERS = 100_000
# The page lists at most this many rows; the CSV and XLSX downloads hold every row.
MAX_PAGE_ROWS = 2_000


class SamplingInputError(CodingwatchError, ValueError):
    """A field of a sampling request is missing or wrong; the message names it."""


def whole(fields, name: str, *, default: int | None = None, label: str | None = None) -> int:
    raw = fields.get(name)
    text = "" if raw is None else str(raw).strip().replace(",", "")
    if not text:
        if default is not None:
            return default
        raise SamplingInputError(f"{label or name}: required")
    try:
        return int(text)
    except ValueError:
        raise SamplingInputError(f"{label or name}: must be a whole number (got {text!r})") from None


def draw(fields):
    """Single-stage random numbers from `seed`, `count`, `spares`, `low`, `high` (and `audit_name`)."""
    seed = str(fields.get("seed", "") or "").strip()
    if not seed:
        raise SamplingInputError("seed: required (a decimal number, e.g. 4967669.23)")
    count = whole(fields, "count", label="quantity in sequential order")
    spares = whole(fields, "spares", default=0, label="spares")
    low = whole(fields, "low", label="frame low")
    high = whole(fields, "high", label="frame high")
    if count + spares > MAX_WEB_NUMBERS:
        raise SamplingInputError(f"count + spares: at most {MAX_WEB_NUMBERS:,} numbers on the web "
                                 f"(got {count + spares:,}); use `codingwatch sample random` for more")
    try:
        return random_numbers(seed, count, low, high, spares=spares,
                              audit_name=str(fields.get("audit_name", "") or "").strip())
    except DrawError as exc:
        raise SamplingInputError(str(exc)) from None


def attribute(fields):
    universe = whole(fields, "universe", label="universe size")
    sample = whole(fields, "sample", label="sample size")
    hits = whole(fields, "hits", label="items with the attribute")
    try:
        return appraise_attribute(universe, sample, hits)
    except AppraisalError as exc:
        raise SamplingInputError(str(exc)) from None


def variable(fields, upload) -> tuple[dict, int]:
    """Appraise each values column of an uploaded CSV; errors name the uploaded file, line and column."""
    universe = whole(fields, "universe", label="universe size")
    if upload is None:
        raise SamplingInputError("values file: required (a CSV with examined and audited columns, or one column)")
    column = str(fields.get("column", "") or "").strip() or None
    name = Path(upload.name or "values.csv").name
    with tempfile.TemporaryDirectory(prefix="codingwatch-values-") as folder:
        path = Path(folder) / name
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            columns = read_values(path, column)
            results = {col: appraise_variable(universe, amounts) for col, amounts in columns.items()}
        except (InputFileError, AppraisalError) as exc:
            raise SamplingInputError(str(exc).replace(str(path), name)) from None
    rows = len(next(iter(columns.values()))) if columns else 0
    return results, rows
