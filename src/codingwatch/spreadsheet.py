"""The one writer of CSV and XLSX files the product hands out: cells that cannot run code.

A spreadsheet opening a CSV runs a cell that begins with `=`, `+`, `-` or `@` as a formula
(and tab or carriage return let such a cell hide behind whitespace), so a vendor name, login
or audit name typed as `=HYPERLINK(...)` would become a live link, or worse, on the auditor's
machine. Following the OWASP CSV injection guidance, such a text cell is written with a single
quote in front (`'=HYPERLINK(...)`), which spreadsheets show as text.

What is neutralized, decided here once:
- text (str) beginning with `=`, `+`, `-`, `@`, tab or CR, except text that is exactly a
  plain decimal number (`-12.50`, `+3`): a number cannot carry a formula, and money columns
  keep their sign;
- text beginning with a quote followed by one of those, so that `restore` gives back exactly
  what was written (`'=x` is written `''=x`);
- numbers typed as numbers (int, float, Decimal) are never touched: the code computed them.

XLSX cells holding text are stored as text (never a formula, whatever they begin with) and
flagged quotePrefix, so that editing such a cell in Excel keeps it text; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _starts_a_formula(text: str) -> bool:
    return text[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.match(text)


def neutralize(value: Any) -> Any:
    """The value as a CSV cell no spreadsheet runs (see the module doc for the rule)."""
    if not isinstance(value, str) or not value:
        return value
    if _starts_a_formula(value) or (value[0] == "'" and _starts_a_formula(value.lstrip("'"))):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text `neutralize` was given, from the cell it wrote (for files the product reads back)."""
    if value.startswith("'") and _starts_a_formula(value.lstrip("'")):
        return value[1:]
    return value


class CsvWriter:
    """csv.writer whose every row goes through `neutralize`."""

    def __init__(self, handle, **options) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralize(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle, **options) -> CsvWriter:
    return CsvWriter(handle, **options)


def csv_text(rows: Iterable[Iterable[Any]], **options) -> str:
    """Rows as CSV text (header included by the caller as the first row), newline-terminated."""
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator=options.pop("lineterminator", "\n"), **options)
    writer.writerows(rows)
    return out.getvalue()


_SQL_STARTS = "('=', '+', '-', '@', chr(9), chr(13))"
_SQL_NUMBER = "'^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$'"


def neutralize_sql(expression: str) -> str:
    """SQL (DuckDB) applying `neutralize` to an expression, for files written by COPY."""
    text = f"CAST({expression} AS VARCHAR)"
    unquoted = f"ltrim({text}, chr(39))"
    formula = f"(left({{0}}, 1) IN {_SQL_STARTS} AND NOT regexp_matches({{0}}, {_SQL_NUMBER}))"
    return (
        f"CASE WHEN {formula.format(text)} OR (left({text}, 1) = chr(39) AND {formula.format(unquoted)}) "
        f"THEN chr(39) || {text} ELSE {text} END"
    )


def put(sheet, row: int, column: int, value: Any):
    """Write one XLSX cell: text as text (never a formula), numbers as numbers. Returns the cell."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl reads a leading '=' as a formula; this is text
        if _starts_a_formula(value):
            cell.quotePrefix = True
    return cell


__all__ = ["FORMULA_STARTS", "CsvWriter", "csv_text", "csv_writer", "neutralize", "neutralize_sql", "put", "restore"]
