"""Encounter volume, case mix index and turnaround over the lake's encounters, as ibis expressions.

Plain Python: functions take the ibis `encounters` table as a parameter, so the same figures
run on the embedded DuckDB or on any other ibis backend. Only encounters as coded
(`origin == 'coded'`) count.

Definitions:
- encounters: coded encounters in the group.
- CMI (case mix index): the mean CMS MS-DRG relative weight of the group's inpatient
  encounters that have a weight. It is computed exactly as sum(weight) / count in Decimal,
  rounded half-up to the 4 decimals of the published weights; None when the group has no
  weighted inpatient encounter.
- turnaround: hours from `received_at` to `coded_at`, mean and median.
- month: the month of the discharge date (inpatient), else of the service date, else of the
  admit date, shown as YYYY-MM (in figures_expr: the month's first day).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import ibis
import ibis.expr.datatypes as dt

from codingwatch.errors import CodingwatchError

CMI_PLACES = Decimal("0.0001")
HOURS_PLACES = 1

# What a figure can be grouped by: name -> column label shown to users.
DIMENSIONS = {
    "vendor": "Vendor",
    "specialty": "Specialty",
    "month": "Month",
    "coder": "Coder",
    "encounter_type": "Encounter type",
}

FIGURE_COLUMNS = (
    "encounters",
    "inpatient_encounters",
    "cmi",
    "weight_missing",
    "mean_turnaround_hours",
    "median_turnaround_hours",
)


class MetricsError(CodingwatchError, ValueError):
    """A figure was asked for in a way that cannot be answered; the message says why."""


def coded_encounters(encounters: ibis.Table, *, vendors=None, coder: str | None = None) -> ibis.Table:
    """The coded encounters, optionally of some vendors (a name or a list) and of one coder."""
    t = encounters.filter(encounters.origin == "coded")
    if vendors is not None:
        names = [vendors] if isinstance(vendors, str) else list(vendors)
        t = t.filter(t.vendor.isin(names)) if names else t.filter(ibis.literal(False))
    if coder is not None:
        t = t.filter(t.coder_id == coder)
    return t


@ibis.udf.scalar.builtin(name="epoch")
def _duckdb_epoch(ts: dt.Timestamp(timezone="UTC")) -> dt.float64:
    """DuckDB's epoch() of a timestamptz, in seconds."""


# Seconds since the epoch, by backend. ibis's portable epoch_seconds() makes DuckDB cast every
# timestamptz to a plain timestamp first, which costs about 0.3 s per million rows; DuckDB's own
# epoch() reads the instant directly. Other backends use ibis's portable expression.
FAST_EPOCH_SECONDS = {"duckdb": _duckdb_epoch}


def epoch_seconds(table: ibis.Table, column: ibis.Value) -> ibis.Value:
    try:
        backend = table.get_backend().name
    except Exception:  # an unbound table: no backend to specialise for
        backend = None
    fast = FAST_EPOCH_SECONDS.get(backend)
    return fast(column) if fast else column.epoch_seconds().cast("float64")


def service_month(t: ibis.Table) -> ibis.Value:
    """The first day of the service month (grouping on a date is about twice as fast as on text;
    figures() shows it as YYYY-MM)."""
    day = ibis.coalesce(t.discharge_date, t.service_date, t.admit_date)
    return day.truncate("M")


def _key(t: ibis.Table, by: str) -> ibis.Value:
    if by == "month":
        return service_month(t)
    if by == "coder":
        return t.coder_id
    if by in ("vendor", "specialty", "encounter_type"):
        return t[by]
    raise MetricsError(f"cannot group by {by!r}: choose one of {', '.join(DIMENSIONS)}")


def figures_expr(encounters: ibis.Table, by: str, *, vendors=None, coder: str | None = None) -> ibis.Table:
    """One row per group: key, encounters, inpatient_encounters, weighted_encounters,
    drg_weight_sum (exact decimal), weight_missing (inpatient encounters grouped to a payable
    DRG whose fiscal year has no Table 5 weight for it: left out of the CMI, never weighted
    with another year's table), mean and median turnaround hours. Ordered by key."""
    t = coded_encounters(encounters, vendors=vendors, coder=coder)
    t = t.mutate(
        _key=_key(t, by),
        _inpatient=t.encounter_type == "inpatient",
        _weighted=(t.encounter_type == "inpatient") & t.drg_weight.notnull(),
        _weight_missing=(t.encounter_type == "inpatient") & t.drg.notnull() & ~t.drg.isin([998, 999])
        & t.drg_weight.isnull(),
        _hours=(epoch_seconds(t, t.coded_at) - epoch_seconds(t, t.received_at)) / 3600.0,
    )
    grouped = t.group_by(key=t._key).aggregate(
        encounters=t.count(),
        inpatient_encounters=t.count(where=t._inpatient),
        weighted_encounters=t.count(where=t._weighted),
        weight_missing=t.count(where=t._weight_missing),
        drg_weight_sum=t.drg_weight.sum(where=t._weighted),
        mean_turnaround_hours=t._hours.mean(),
        median_turnaround_hours=t._hours.median(),
    )
    return grouped.order_by(grouped.key)


@dataclass(frozen=True)
class Figures:
    """Executed figures: one dict per group with `key` and FIGURE_COLUMNS."""

    by: str
    rows: list[dict]

    @property
    def total_encounters(self) -> int:
        return sum(row["encounters"] for row in self.rows)


def case_mix_index(weight_sum, weighted: int) -> Decimal | None:
    if not weighted or weight_sum is None:
        return None
    return (Decimal(weight_sum) / Decimal(weighted)).quantize(CMI_PLACES, rounding=ROUND_HALF_UP)


def _hours(value) -> float | None:
    if value is None or value != value:  # NaN
        return None
    return round(float(value), HOURS_PLACES)


def _label(key) -> str:
    if key is None:
        return "(none)"
    if isinstance(key, datetime.date):  # a service month
        return key.strftime("%Y-%m")
    return str(key)


def _finish(raw: dict) -> dict:
    return {
        "key": _label(raw["key"]),
        "encounters": int(raw["encounters"]),
        "inpatient_encounters": int(raw["inpatient_encounters"]),
        "cmi": case_mix_index(raw["drg_weight_sum"], int(raw["weighted_encounters"])),
        "weight_missing": int(raw["weight_missing"]),
        "mean_turnaround_hours": _hours(raw["mean_turnaround_hours"]),
        "median_turnaround_hours": _hours(raw["median_turnaround_hours"]),
    }


def figures(encounters: ibis.Table, by: str, *, vendors=None, coder: str | None = None,
            today: datetime.date | None = None, period=None,
            covered: tuple[datetime.date | None, datetime.date | None] | None = None) -> Figures:
    """Execute figures_expr and finish the exact figures (CMI in Decimal).

    By month, with `today` given: each row also has `month` (its first day), `partial` and
    `days` (codingwatch.periods.mark_months), months after today's are left out and a partial
    month's `label` says so; `covered` is the first and last service day of the data (found here
    when not given), `period` the period the encounters were limited to."""
    table = figures_expr(encounters, by, vendors=vendors, coder=coder).to_pyarrow()
    raws = table.to_pylist()
    rows = [_finish(raw) for raw in raws]
    if by == "month" and today is not None:
        from codingwatch import periods

        for row, raw in zip(rows, raws, strict=True):
            row["month"] = raw["key"]
        first, last = covered if covered is not None else coverage(encounters, vendors=vendors, coder=coder)
        rows = periods.mark_months(rows, covered_from=first, covered_to=last, today=today,
                                   period=period or periods.ALL)
        for row in rows:
            if row["partial"]:
                row["label"] = f"{row['key']} (partial)"
    return Figures(by=by, rows=rows)


def service_day(t: ibis.Table) -> ibis.Value:
    """The day an encounter counts on: discharge, else service, else admit date."""
    return ibis.coalesce(t.discharge_date, t.service_date, t.admit_date)


def in_period(encounters: ibis.Table, start: datetime.date | None, end: datetime.date | None) -> ibis.Table:
    """The encounters whose service day falls between start and end (either may be None: open)."""
    day = service_day(encounters)
    if start is not None:
        encounters = encounters.filter(day >= start)
    if end is not None:
        encounters = encounters.filter(day <= end)
    return encounters


def coverage(encounters: ibis.Table, *, vendors=None, coder: str | None = None
             ) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last service day of the coded encounters."""
    t = coded_encounters(encounters, vendors=vendors, coder=coder)
    day = service_day(t)
    found = t.aggregate(first=day.min(), last=day.max()).to_pyarrow().to_pylist()
    if not found:
        return None, None
    return found[0]["first"], found[0]["last"]


def totals(encounters: ibis.Table, *, vendors=None, coder: str | None = None) -> dict:
    """The same figures over the whole selection, as one row keyed "all"."""
    t = coded_encounters(encounters, vendors=vendors, coder=coder)
    raw = figures_expr(t.mutate(vendor=ibis.literal("all")), "vendor").to_pyarrow().to_pylist()
    if not raw:
        return {"key": "all", "encounters": 0, "inpatient_encounters": 0, "cmi": None, "weight_missing": 0,
                "mean_turnaround_hours": None, "median_turnaround_hours": None}
    return _finish(raw[0])
