"""Measured figures beside a proposal's promises ("promised vs measured").

From the lake (ibis expressions over the `encounters` table, passed in as a parameter):

- productivity, charts per hour by vendor and encounter type, from the spacing of `coded_at`
  times: for each coder, the time since their previous coded chart is the time spent on this
  chart, counted when it is within a working session (default: gaps of 45 minutes or less; a
  longer gap is a break, and the chart after it is not timed). Or, on a declared hours basis,
  the charts a vendor coded divided by the hours it says its coders worked; that gives one
  figure across encounter types, expressed against the reference productivity of each type.
- turnaround, `received_at` to `coded_at`, median and 90th percentile hours.

Accuracy (from audits) and the coding denial rate (from denials) are passed in as plain
numbers. An option finds its rows by its `lake_vendor` (the ingest asks for the in-house team's
name as the vendor of employees' encounters); an in-house option without one reads the rows whose
vendor is `in-house` or empty.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import ibis

from codingwatch.cost.inputs import OPTION_INPUTS
from codingwatch.cost.scenario import InputValue, Scenario, ScenarioError

IN_HOUSE = "in-house"
MIN_TIMED_CHARTS = 20  # fewer timed charts than this: too few to replace a promised figure


def _period(encounters: ibis.Table, start: dt.date, end: dt.date) -> ibis.Table:
    lo = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    t = encounters.filter(encounters.origin == "coded", encounters.coded_at >= lo, encounters.coded_at < hi)
    vendor = ibis.coalesce(t.vendor.nullif(""), ibis.literal(IN_HOUSE))
    return t.mutate(vendor_name=vendor)


def productivity_by_spacing(encounters: ibis.Table, start: dt.date, end: dt.date,
                            session_gap_minutes: float = 45) -> ibis.Table:
    """Charts per hour by vendor and encounter type, timed by the spacing of each coder's coded_at."""
    t = _period(encounters, start, end)
    t = t.filter(t.coder_id.notnull(), t.coder_id != "")
    window = ibis.window(group_by=t.coder_id, order_by=[t.coded_at, t.encounter_key])
    t = t.mutate(previous=t.coded_at.lag().over(window))
    t = t.mutate(gap_seconds=t.coded_at.epoch_seconds() - t.previous.epoch_seconds())
    timed = t.filter(t.gap_seconds.notnull(), t.gap_seconds <= session_gap_minutes * 60)
    grouped = timed.group_by(vendor=timed.vendor_name, encounter_type=timed.encounter_type).aggregate(
        timed_charts=timed.count(),
        hours=timed.gap_seconds.sum() / 3600.0,
        coders=timed.coder_id.nunique(),
    )
    return grouped.mutate(charts_per_hour=grouped.timed_charts / grouped.hours).order_by(
        ["vendor", "encounter_type"])


def charts_by_vendor(encounters: ibis.Table, start: dt.date, end: dt.date) -> ibis.Table:
    t = _period(encounters, start, end)
    return t.group_by(vendor=t.vendor_name, encounter_type=t.encounter_type).aggregate(
        charts=t.count(), coders=t.coder_id.nunique()).order_by(["vendor", "encounter_type"])


def turnaround(encounters: ibis.Table, start: dt.date, end: dt.date) -> ibis.Table:
    """Received-to-coded hours by vendor and encounter type: median and 90th percentile."""
    t = _period(encounters, start, end)
    t = t.filter(t.received_at.notnull())
    t = t.mutate(hours=(t.coded_at.epoch_seconds() - t.received_at.epoch_seconds()) / 3600.0)
    return t.group_by(vendor=t.vendor_name, encounter_type=t.encounter_type).aggregate(
        encounters=t.count(), median_hours=t.hours.median(), p90_hours=t.hours.quantile(0.9)
    ).order_by(["vendor", "encounter_type"])


def measure(encounters: ibis.Table, start: dt.date, end: dt.date, *,
            hours_by_vendor: dict[str, float] | None = None, session_gap_minutes: float = 45) -> dict:
    """Everything measured over a period, as plain rows."""
    spacing = productivity_by_spacing(encounters, start, end, session_gap_minutes).to_pyarrow().to_pylist()
    counts = charts_by_vendor(encounters, start, end).to_pyarrow().to_pylist()
    times = turnaround(encounters, start, end).to_pyarrow().to_pylist()
    period = _period(encounters, start, end)
    total = int(period.count().to_pyarrow().as_py())
    untimed = int(period.filter(period.coder_id.isnull() | (period.coder_id == "")).count().to_pyarrow().as_py())
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "charts": total,
        "rejected": untimed,
        "session_gap_minutes": session_gap_minutes,
        "productivity": spacing,
        "charts_by_vendor": counts,
        "turnaround": times,
        "declared_hours": dict(hours_by_vendor or {}),
    }


def measure_from_lake(lake, start: dt.date, end: dt.date, **kwargs) -> dict:
    con = lake.connect()
    return measure(con.table("encounters"), start, end, **kwargs)


def _round(value: float, places: str = "0.01") -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _set(option, name: str, value: Decimal, source: str, promised: Decimal | None = None) -> None:
    note = f"promised: {promised}" if promised is not None else ""
    option.inputs[name] = InputValue(value=value, unit=OPTION_INPUTS[name].unit, source=source, note=note)


def apply_actuals(scenario: Scenario, measured: dict, *, accuracy: dict | None = None,
                  denial_rate: dict | None = None, min_timed_charts: int = MIN_TIMED_CHARTS) -> Scenario:
    """A copy of the scenario with measured figures in place of promised ones, and
    `scenario.measured[option]` listing each figure promised vs measured and its basis."""
    import copy

    accuracy, denial_rate = dict(accuracy or {}), dict(denial_rate or {})
    problems = []
    for flag, given in (("--accuracy", accuracy), ("--denial-rate", denial_rate)):
        for option, value in given.items():
            if option not in scenario.options or scenario.options[option].kind == "hybrid":
                problems.append(f"{flag}: `{option}` is not a single option ({', '.join(scenario.options)})")
            elif not (0 <= Decimal(value) <= 1):
                problems.append(f"{flag}: {option}={value} must be a share between 0 and 1")
    if problems:
        raise ScenarioError(problems, scenario.name)
    out = copy.deepcopy(scenario)
    period = f"{measured['start']} to {measured['end']}"
    types = out.coded_types
    for option in out.options.values():
        if option.kind == "hybrid":
            continue
        vendor = option.lake_vendor or (IN_HOUSE if option.kind == "in-house" else None)
        rows = []
        if vendor is not None:
            declared = measured["declared_hours"].get(vendor)
            if declared:
                charts = {r["encounter_type"]: r["charts"] for r in measured["charts_by_vendor"]
                          if r["vendor"] == vendor and r["encounter_type"] in types}
                reference_hours = sum(
                    n / float(out.inputs[f"reference_charts_per_hour_{t}"].value) for t, n in charts.items())
                if charts and reference_hours > 0:
                    promised = option.inputs.get("productivity_vs_reference")
                    ratio = _round(reference_hours / declared, "0.001")
                    basis = (f"measured: {sum(charts.values()):,} charts / {declared:,.0f} declared hours, "
                             f"{period}")
                    rows.append({"figure": "productivity_vs_reference",
                                 "promised": promised.value if promised else None,
                                 "measured": ratio, "basis": basis})
                    for t in types:
                        option.inputs.pop(f"charts_per_hour_{t}", None)
                    _set(option, "productivity_vs_reference", ratio, basis,
                         promised.value if promised else None)
            else:
                for row in measured["productivity"]:
                    t = row["encounter_type"]
                    if row["vendor"] != vendor or t not in types or row["timed_charts"] < min_timed_charts:
                        continue
                    name = f"charts_per_hour_{t}"
                    if name in option.inputs:
                        promised = option.inputs[name].value
                    elif "productivity_vs_reference" in option.inputs:
                        promised = (out.inputs[f"reference_charts_per_hour_{t}"].value
                                    * option.inputs["productivity_vs_reference"].value)
                    else:
                        promised = None
                    value = _round(row["charts_per_hour"])
                    coders = row["coders"]
                    basis = (f"measured: coded_at spacing, {row['timed_charts']:,} timed charts by "
                             f"{coders} coder{'' if coders == 1 else 's'}, {period}")
                    rows.append({"figure": name, "promised": promised, "measured": value, "basis": basis})
                    _set(option, name, value, basis, promised)
                # Types not measured keep the promised figure: make it explicit per type.
                if rows and "productivity_vs_reference" in option.inputs:
                    for t in types:
                        name = f"charts_per_hour_{t}"
                        if name not in option.inputs:
                            value = (out.inputs[f"reference_charts_per_hour_{t}"].value
                                     * option.inputs["productivity_vs_reference"].value)
                            _set(option, name, value, "promised (not measured in the period)")
            times = [r for r in measured["turnaround"] if r["vendor"] == vendor]
            if times:
                n = sum(r["encounters"] for r in times)
                # Encounter-weighted median across types: a summary for the table, each type is in `measured`.
                weighted = sum(r["median_hours"] * r["encounters"] for r in times) / n
                promised = option.inputs.get("turnaround_hours")
                value = _round(weighted, "0.1")
                basis = f"measured: received_at to coded_at, median of {n:,} encounters, {period}"
                rows.append({"figure": "turnaround_hours", "promised": promised.value if promised else None,
                             "measured": value, "basis": basis})
                _set(option, "turnaround_hours", value, basis, promised.value if promised else None)
        for name, given, label in (("accuracy", accuracy, "audit"), ("denial_rate", denial_rate, "denials")):
            if option.name in given:
                promised = option.inputs.get(name)
                value = Decimal(given[option.name])
                basis = f"measured: {label}, {period}"
                rows.append({"figure": name, "promised": promised.value if promised else None,
                             "measured": value, "basis": basis})
                _set(option, name, value, basis, promised.value if promised else None)
        if vendor is not None and not rows:
            rows.append({"figure": "(none)", "promised": None, "measured": None,
                         "basis": f"no coded encounters for vendor `{vendor}` in {period}"})
        if rows:
            out.measured[option.name] = rows
    return out


# ---- the measured period, priced -------------------------------------------------------------

AUDIT_MINUTES_PER_CHART = Decimal(30)  # domain.md: 20-40 minutes of auditor time per inpatient chart
CENT = Decimal("0.01")


def price_measured(*, charts: int, price_per_chart: Decimal | None, accuracy: float | None,
                   coding_denials: int, rework_cost_per_denial: Decimal | None,
                   written_off: Decimal = Decimal(0), audited_charts: int = 0,
                   auditor_hourly_cost: Decimal | None = None, weight_change: Decimal = Decimal(0),
                   base_rate: Decimal | None = None,
                   audit_minutes_per_chart: Decimal = AUDIT_MINUTES_PER_CHART) -> dict:
    """What a vendor's measured period cost, line by line, and the cost per correctly coded,
    paid chart.

    Lines: coding (charts x price), denial rework (coding-related denials x rework cost),
    write-offs (coding-denied charges not recovered, as given), audit hours (audited charts x
    minutes per chart x the auditor's hourly cost) and the CMI change (the audited net change in
    DRG relative weight x the base rate, extrapolated to the period's charts by the audited
    share: a negative change, over-coding found, is money the hospital would have to repay).
    Correctly coded, paid charts: charts x measured accuracy, less the coding-related denials.
    A line whose price is not known is left out and named in `missing`."""
    lines, missing = [], []

    def add(name: str, amount: Decimal | None, basis: str):
        if amount is None:
            missing.append(name)
        else:
            lines.append({"line": name, "amount": amount.quantize(CENT), "basis": basis})

    add("coding", None if price_per_chart is None else Decimal(charts) * price_per_chart,
        f"{charts:,} charts x ${price_per_chart}" if price_per_chart is not None else "")
    add("denial rework", None if rework_cost_per_denial is None else Decimal(coding_denials) * rework_cost_per_denial,
        f"{coding_denials:,} coding-related denials x ${rework_cost_per_denial}")
    add("write-offs", Decimal(written_off), "coding-denied charges not recovered")
    if audited_charts:
        hours = Decimal(audited_charts) * audit_minutes_per_chart / 60
        add("audit hours", None if auditor_hourly_cost is None else hours * auditor_hourly_cost,
            f"{audited_charts:,} audited charts x {audit_minutes_per_chart} min x ${auditor_hourly_cost}/h")
    if weight_change and audited_charts:
        scale = Decimal(charts) / Decimal(audited_charts)
        add("CMI change", None if base_rate is None else -Decimal(weight_change) * base_rate * scale,
            f"audited weight change {weight_change} x ${base_rate} x {charts:,}/{audited_charts:,} charts")
    total = sum((line["amount"] for line in lines), Decimal(0))
    correct = None if accuracy is None else max(0.0, charts * float(accuracy) - coding_denials)
    per = None
    if correct and "coding" not in missing:
        per = (total / Decimal(repr(correct))).quantize(CENT)
    return {"lines": lines, "missing": missing, "total": total.quantize(CENT),
            "correct_paid_charts": None if correct is None else round(correct, 1),
            "per_correct_paid_chart": per,
            "basis": (f"total {total.quantize(CENT)} / ({charts:,} charts x accuracy {accuracy:.4f} - "
                      f"{coding_denials:,} coding-related denials)") if accuracy is not None else
            "no measured accuracy: no final audit in the period"}


def measured_from_scorecard(rows, *, rule: str = "record") -> dict[str, dict]:
    """A period's measured figures per vendor from the scorecard engine's monthly KPI rows
    (`codingwatch.scorecard.kpis.monthly(..., by=("vendor",))`), for `apply_actuals` and
    `price_measured`: accuracy under `rule` pooled over the months (audited numerator over
    denominator, so a month with more audited charts weighs more), the coding-related denial rate
    (coding-related denials over remitted claims), charts, coding denials, audited charts, median
    turnaround (the charts-weighted mean of the months' medians) and charts per coder-hour."""
    out: dict[str, dict] = {}
    for row in rows:
        v = out.setdefault(row.vendor, {"charts": 0, "claims": 0, "coding_denials": 0, "audited_charts": 0,
                                        "_num": 0.0, "_den": 0.0, "_tat": 0.0, "_tat_n": 0,
                                        "_hours": 0.0, "_timed": 0})
        v["charts"] += row.volume
        d = row.denials or {}
        v["claims"] += int(d.get("claims") or 0)
        v["coding_denials"] += int(d.get("coding_denied") or 0)
        estimate = (row.accuracy or {}).get(rule)
        if estimate is not None and not estimate.empty:
            v["_num"] += estimate.numerator
            v["_den"] += estimate.denominator
            v["audited_charts"] += estimate.charts
        p50 = (row.turnaround or {}).get("p50")
        if p50 is not None and row.volume:
            v["_tat"] += float(p50) * row.volume
            v["_tat_n"] += row.volume
        if row.coder_hours and row.charts_with_hours:
            v["_hours"] += row.coder_hours
            v["_timed"] += row.charts_with_hours
    for v in out.values():
        v["accuracy"] = round(v["_num"] / v["_den"], 6) if v["_den"] else None
        v["denial_rate"] = round(v["coding_denials"] / v["claims"], 6) if v["claims"] else None
        v["turnaround_hours"] = round(v["_tat"] / v["_tat_n"], 1) if v["_tat_n"] else None
        v["charts_per_coder_hour"] = round(v["_timed"] / v["_hours"], 2) if v["_hours"] else None
        for k in [k for k in v if k.startswith("_")]:
            del v[k]
    return out
