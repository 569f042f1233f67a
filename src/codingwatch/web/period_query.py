"""The period parameters of the figure API endpoints, in the pages' own words: `period`
(2026-03, a month; 2026-Q1, a quarter) or `from`/`to` (YYYY-MM-DD, a custom range, either end
open), read by the same `codingwatch.periods.parse` the pages use. Where a page names a period
it cannot read and shows every date, the API answers 400 `{"detail": ...}` with the same words
(the parameter, then what is wrong with it)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.errors import HttpError

from codingwatch import periods


class PeriodQuery(Schema):
    period: str | None = Field(None, description="a month (2026-03) or a quarter (2026-Q1); "
                                                 "`custom` or nothing reads `from` and `to`")
    first: str | None = Field(None, alias="from", description="a custom range's first day, YYYY-MM-DD")
    last: str | None = Field(None, alias="to", description="a custom range's last day, YYYY-MM-DD")

    def parsed(self) -> periods.Period:
        """The period named, everything when none is; 400 when it cannot be read."""
        try:
            return periods.parse({"period": self.period or "", "from": self.first or "", "to": self.last or ""})
        except periods.PeriodError as exc:
            raise HttpError(400, str(exc)) from None
