"""Reporting periods: a month, a quarter or a custom range of days, as a page's URL names them,
and the marking of months that the data covers only in part.

A period is read from query parameters: `period=2026-03` (a month), `period=2026-Q1` (a
quarter), or `from=2026-01-15&to=2026-02-10` (custom, either end may be left open). No period
means everything. `Period.query()` gives the parameters back, so links and exports keep it.

Months: `mark_months` takes rows keyed by a month's first day and the days the data covers;
a month after today's is dropped (nothing can have happened in it yet), a month the data or
the period covers only in part (it started after the month's first day, stopped before its last
day, or the month is not over) is marked `partial`, with the days covered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period the URL names that cannot be read; the message says which parameter and why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def month_label(first: dt.date) -> str:
    return first.strftime("%Y-%m")


@dataclass(frozen=True)
class Period:
    kind: str  # "all", "month", "quarter", "custom"
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def label(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "custom":
            return f"{self.start.isoformat() if self.start else 'the start'} to {self.end.isoformat() if self.end else 'today'}"
        return "all dates"

    @property
    def value(self) -> str:
        """The `period` parameter of a month or quarter ("" otherwise)."""
        if self.kind == "month":
            return month_label(self.start)
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return ""

    def query(self) -> dict[str, str]:
        if self.kind in ("month", "quarter"):
            return {"period": self.value}
        if self.kind == "custom":
            out = {}
            if self.start:
                out["from"] = self.start.isoformat()
            if self.end:
                out["to"] = self.end.isoformat()
            return out
        return {}

    @property
    def bounded(self) -> bool:
        return self.kind != "all"


ALL = Period("all")


def _day(field: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(field, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _check_year(raw: str, year: int) -> None:
    if year < 1:  # dt.date starts at year 1
        raise PeriodError("period", f"{raw!r}: no year {year:04d}")


def parse(params) -> Period:
    """The period of a query (any mapping with .get): `period` (YYYY-MM or YYYY-Qn), else
    `from`/`to` (YYYY-MM-DD), else everything."""
    raw = (params.get("period") or "").strip()
    if raw and raw != "custom":
        if found := MONTH.match(raw):
            year, month = int(found[1]), int(found[2])
            if not 1 <= month <= 12:
                raise PeriodError("period", f"{raw!r}: no month {month} (months run 01 to 12)")
            _check_year(raw, year)
            first = dt.date(year, month, 1)
            return Period("month", first, month_end(first))
        if found := QUARTER.match(raw):
            year, quarter = int(found[1]), int(found[2])
            _check_year(raw, year)
            first = dt.date(year, 3 * quarter - 2, 1)
            return Period("quarter", first, month_end(dt.date(year, 3 * quarter, 1)))
        raise PeriodError("period", f"{raw!r} is neither a month (2026-03) nor a quarter (2026-Q1)")
    start_text, end_text = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if not start_text and not end_text:
        return ALL
    start = _day("from", start_text) if start_text else None
    end = _day("to", end_text) if end_text else None
    if start and end and end < start:
        raise PeriodError("to", f"{end.isoformat()} is before the start, {start.isoformat()}")
    return Period("custom", start, end)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = month_end(month) + dt.timedelta(days=1)
    return out


def choices(first: dt.date | None, last: dt.date | None) -> dict[str, list[tuple[str, str]]]:
    """The months and quarters between two days, newest first, as (value, label) pairs: what a
    period picker offers."""
    if first is None or last is None:
        return {"months": [], "quarters": []}
    months = months_between(first, last)
    quarters = list(dict.fromkeys(Period("quarter", dt.date(m.year, 3 * ((m.month - 1) // 3) + 1, 1)) for m in months))
    return {"months": [(month_label(m), m.strftime("%B %Y")) for m in reversed(months)],
            "quarters": [(q.value, q.label) for q in reversed(quarters)]}


def mark_months(rows: list[dict], *, covered_from: dt.date | None, covered_to: dt.date | None,
                today: dt.date, period: Period = ALL, month_field: str = "month") -> list[dict]:
    """Rows keyed by a month's first day (`month_field`), without the months after today's, each
    with `partial` (bool) and `days` (the days of the month covered, "YYYY-MM-DD to YYYY-MM-DD"
    when partial). The data covers covered_from..covered_to; the period narrows it further."""
    start, end = covered_from, covered_to
    if period.start and (start is None or period.start > start):
        start = period.start
    if period.end and (end is None or period.end < end):
        end = period.end
    if end is None or end > today:
        end = today
    out = []
    for row in rows:
        first = row[month_field]
        if first is None:
            out.append({**row, "partial": False, "days": ""})
            continue
        if isinstance(first, dt.datetime):
            first = first.date()
        if first > today:
            continue  # a future month: nothing in it can be counted yet
        last = month_end(first)
        lo = max(first, start) if start else first
        hi = min(last, end)
        partial = lo > first or hi < last
        out.append({**row, "partial": partial, "days": f"{lo.isoformat()} to {hi.isoformat()}" if partial else ""})
    return out
