"""The scorecard's period, in the words of every other page and API: `period=2026-03` (a
month), `period=2026-Q1` (a quarter), or `from`/`to` as days (YYYY-MM-DD); the older month form
(`from=2026-01&to=2026-02`) still reads as those whole months. Bad values are refused with the
same words as `codingwatch.periods.parse`.

The scorecard judges whole months (a contract term's state, limits and credits are monthly), so
a range of days keeps the months whose first day lies within it: `from=2026-01-15&to=2026-03-31`
is February and March. A range holding no month's first day is refused. An open end, or no
period at all, takes the default: the six months up to the lake's latest service month."""

from __future__ import annotations

import datetime as dt
import re

from codingwatch import periods
from codingwatch.scorecard.terms import month_end

OLD_MONTH = re.compile(r"^\d{4}-\d{2}$")
WHOLE_MONTHS = "the scorecard counts whole months: a month is in when its first day is within the range"


def _old_month(params, name: str) -> str:
    """`from`/`to` as days; a YYYY-MM month becomes its first (from) or last (to) day."""
    text = (params.get(name) or "").strip()
    if not OLD_MONTH.match(text):
        return text
    try:
        first = periods.parse({"period": text}).start
    except periods.PeriodError as exc:
        raise periods.PeriodError(name, exc.message) from None
    return (first if name == "from" else month_end(first)).isoformat()


def months(params, default: tuple[dt.date, dt.date] | None = None) -> tuple[dt.date, dt.date]:
    """The first day of the period's first month and the last day of its last, from a query
    (any mapping with .get); `periods.PeriodError` when it cannot be read or holds no month.
    `default` (else `services.default_period()`, read only when needed) fills an open end."""
    found = periods.parse({"period": params.get("period") or "", "from": _old_month(params, "from"),
                           "to": _old_month(params, "to")})
    if found.kind in ("month", "quarter"):
        return found.start, found.end
    if found.start is None or found.end is None:
        if default is None:
            from codingwatch.web.scorecard import services

            default = services.default_period()
        first = found.start or default[0]
        last = found.end or default[1]
        if last < first:
            field = "from" if found.start else "to"
            raise periods.PeriodError(field, f"{(found.start or found.end).isoformat()} leaves no month of the "
                                             f"default period ({default[0]:%Y-%m} to {default[1]:%Y-%m}); "
                                             "give both from and to")
    else:
        first, last = found.start, found.end
    start = first if first.day == 1 else month_end(first) + dt.timedelta(days=1)
    end = month_end(last.replace(day=1))  # the month holding `last` has its first day in range
    if start > last:
        raise periods.PeriodError("from", f"{first.isoformat()} to {last.isoformat()} holds no month's first day; "
                                          + WHOLE_MONTHS)
    return start, end
