"""Monthly KPIs per vendor (and per coder, specialty, facility or encounter type), over ibis tables.

Plain Python: every figure is an ibis expression over the lake's tables passed in (`Sources`),
plus the audited charts of final audits and the roster, which the caller hands over as plain
rows (the web app reads them from its database). Definitions, stated so that a report can
quote them (docs/scorecard.md has the same text):

- month: of a chart, the month of its discharge (inpatient) or service date, as in
  `lake.metrics`; of a remitted claim, the month of its payment date (`denials`); of a query,
  the month it was sent; of an audited chart, the month of its date of service.
- volume: coded encounters (`origin == 'coded'`). Charts per coder-hour: the charts coded in
  the month by logins that have access-log sessions in it, over those sessions' hours (a
  session lasts from its first to its last event); empty without access logs.
- turnaround: hours from `received_at` to `coded_at`; p50/p90/p95 are exact quantiles
  (linear interpolation). Against an SLA "P% within H hours": the share of the month's charts
  of that encounter type and priority coded within H hours. Priority comes from the `priority`
  column (the ingest layout's, optional); a chart without one is `standard`. A breach day is
  a day (UTC date received) whose charts of that type and priority missed the P%.
- coding DNFB (HFMA's discharged-not-final-billed, the part attributable to coding): at each
  month end E, the charts discharged (or served) on or before E - `bill_hold_days` that
  coding had received by E and had not coded by E. DNFB days = their gross charges (the 837
  total charge) / average daily gross charges of the vendor's charts over the month and the
  two before it (HFMA MAP Keys: DNFB dollars / average daily gross revenue). Without claims
  the same ratio is taken in charts.
- denial rate and coding-related denial rate: `codingwatch.denials` definitions, per
  remitted claim. Rework volume: the coding-related denials (each must be reworked).
- first-pass clean-claim rate: of the encounters whose first remittance came in the month,
  the share billed once (one 837) whose first remittance was not a denial.
- query response: hours from sent to answered; an unanswered query is never "within".
- coder turnover: roster coders of the vendor whose end date falls in the month, over the
  coders on the roster on the month's first day. Credentialed share: charts coded by a roster
  coder holding at least one credential, over all charts.
- accuracy: a ratio estimate over audited charts under each counting rule (see
  `scorecard.estimates`): code-over-code (matched / audited codes), record, DRG.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from codingwatch.lake.metrics import epoch_seconds, service_month
from codingwatch.scorecard.estimates import DEFAULT_CONFIDENCE, RatioEstimate, points_by_rule, ratio_estimate
from codingwatch.scorecard.terms import COUNTING_RULES, month_end, month_range

# What KPIs can be drilled down by: name -> column of the encounters table.
DIMENSIONS = {"coder": "coder_id", "specialty": "specialty", "facility": "facility",
              "encounter_type": "encounter_type"}
DEFAULT_BILL_HOLD_DAYS = 3
TRAILING_MONTHS = 3


class KpiError(ValueError):
    """A KPI was asked for in a way that cannot be answered; the message says why."""


@dataclass(frozen=True)
class AuditedChart:
    """One chart of a final audit, as the scorecard counts it."""

    vendor: str
    month: dt.date  # first day of the month of its date of service
    codes_audited: int
    codes_matched: int
    record_correct: bool
    drg_unchanged: bool | None = None  # None: not inpatient, or no DRG
    coder_id: str = ""
    specialty: str = ""
    facility: str = ""
    encounter_type: str = ""
    stratum: str = "all"
    stratum_universe: int | None = None  # N_h: charts of the stratum in the audit's frame
    audit: str = ""
    encounter_key: str = ""


@dataclass(frozen=True)
class RosterCoder:
    login_id: str
    vendor: str
    credentials: tuple[str, ...] = ()
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass
class Sources:
    """The tables KPIs are computed from. Only `encounters` is required; a KPI whose table is
    missing is left empty (None)."""

    encounters: ir.Table
    claims: ir.Table | None = None
    remit_claims: ir.Table | None = None
    remit_adjustments: ir.Table | None = None
    remit_remarks: ir.Table | None = None
    remit_payments: ir.Table | None = None
    queries: ir.Table | None = None
    access_events: ir.Table | None = None
    audited: Sequence[AuditedChart] = ()
    roster: Sequence[RosterCoder] = ()
    # the claim outcomes (`denials.analytics.claim_outcomes` of the remit tables) when already
    # computed, e.g. the ones a load kept when it committed (`denials.kept`); else computed here
    outcomes: ir.Table | None = None

    @classmethod
    def from_lake(cls, con, *, audited: Sequence[AuditedChart] = (), roster: Sequence[RosterCoder] = (),
                  lake=None) -> Sources:
        """The sources of a lake connection (`Lake.connect()`): every lake table it has. With
        the `lake` the connection reads, the claim outcomes its last load kept are read from
        their file (when the file is of the loads the connection reads) instead of computed."""
        found: dict = {}

        def table(name):  # each looked up once (a lookup reads the table's schema)
            if name not in found:
                try:
                    found[name] = con.table(name)
                except Exception:  # a backend or lake without this table: the KPIs it feeds stay empty
                    found[name] = None
            return found[name]

        if table("encounters") is None:
            raise KpiError("the lake holds no encounters yet: load them with `codingwatch ingest encounters`")
        remits = all(table(n) is not None for n in ("remit_claims", "remit_adjustments", "remit_remarks",
                                                    "remit_payments"))
        outcomes = None
        if remits and lake is not None:
            from codingwatch.denials.kept import kept_outcomes

            outcomes = kept_outcomes(lake, con)
        return cls(
            encounters=table("encounters"), claims=table("claims"),
            remit_claims=table("remit_claims") if remits else None,
            remit_adjustments=table("remit_adjustments") if remits else None,
            remit_remarks=table("remit_remarks") if remits else None,
            remit_payments=table("remit_payments") if remits else None,
            queries=table("queries"), access_events=table("access_events"),
            audited=tuple(audited), roster=tuple(roster), outcomes=outcomes,
        )

    @property
    def has_remits(self) -> bool:
        return self.remit_claims is not None


@dataclass(frozen=True)
class TurnaroundAsk:
    """A turnaround figure asked for: share of (encounter type, priority) charts within hours."""

    encounter_type: str
    priority: str
    hours: float

    @property
    def name(self) -> str:
        return f"{self.encounter_type}|{self.priority}|{self.hours:g}"


@dataclass
class KpiRow:
    """The KPIs of one group (vendor, month and any drill-down keys)."""

    keys: dict
    volume: int = 0
    turnaround: dict = field(default_factory=dict)  # mean, p50, p90, p95 hours
    within: dict = field(default_factory=dict)  # TurnaroundAsk.name -> [within, charts]
    breach_days: dict = field(default_factory=dict)  # TurnaroundAsk.name -> {percent: days}
    coder_hours: float | None = None
    charts_with_hours: int | None = None
    dnfb: dict = field(default_factory=dict)  # charts, charge, days, basis
    denials: dict = field(default_factory=dict)  # claims, denied, coding_denied, rates, rework
    first_pass: dict = field(default_factory=dict)  # encounters, clean, rate
    queries: dict = field(default_factory=dict)  # sent, answered, median_hours, within {hours: n}
    roster: dict = field(default_factory=dict)  # coders, left, turnover, credentialed_charts, share
    accuracy: dict[str, RatioEstimate] = field(default_factory=dict)  # rule -> estimate

    @property
    def vendor(self) -> str:
        return self.keys.get("vendor", "")

    @property
    def month(self) -> dt.date:
        return self.keys["month"]

    @property
    def charts_per_coder_hour(self) -> float | None:
        if not self.coder_hours or not self.charts_with_hours:
            return None
        return self.charts_with_hours / self.coder_hours

    def as_dict(self) -> dict:
        keys = {k: (v.strftime("%Y-%m") if isinstance(v, dt.date) else v) for k, v in self.keys.items()}
        return {**keys, "volume": self.volume, "turnaround": self.turnaround, "within": self.within,
                "breach_days": self.breach_days, "coder_hours": _round(self.coder_hours),
                "charts_per_coder_hour": _round(self.charts_per_coder_hour), "dnfb": self.dnfb,
                "denials": self.denials, "first_pass": self.first_pass, "queries": self.queries,
                "roster": self.roster, "accuracy": {r: e.as_dict() for r, e in self.accuracy.items()}}


def _round(x, digits: int = 4):
    return None if x is None else round(float(x), digits)


def _dims(by: Iterable[str]) -> list[str]:
    dims = []
    for name in by:
        if name == "vendor":
            continue
        if name not in DIMENSIONS:
            raise KpiError(f"cannot drill down by {name!r}: choose from {', '.join(DIMENSIONS)}")
        dims.append(name)
    return dims


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def coded(sources: Sources, vendors: Sequence[str] | None, first: dt.date, last: dt.date) -> ir.Table:
    """Coded encounters of the vendors whose service month lies in [first, last]."""
    e = sources.encounters
    t = e.filter(e.origin == "coded")
    if vendors is not None:
        t = t.filter(t.vendor.isin(list(vendors))) if vendors else t.filter(ibis.literal(False))
    # A chart without a priority (a file without the column, a lake written before it) is standard.
    priority = ibis.coalesce(t.priority, "standard") if "priority" in t.columns else ibis.literal("standard")
    t = t.mutate(month=service_month(t), priority=priority,
                 hours=(epoch_seconds(t, t.coded_at) - epoch_seconds(t, t.received_at)) / 3600.0)
    return t.filter((t.month >= first.replace(day=1)) & (t.month <= last))


def _charts(sources: Sources, vendors, first: dt.date, last: dt.date) -> ir.Table:
    """The coded charts of the period with what every KPI reads (hours, service day, 837 charge
    and number of 837s), materialized once on the backend: each KPI's query reads this table."""
    t = coded(sources, vendors, first, last)
    t = t.mutate(day=ibis.coalesce(t.discharge_date, t.service_date, t.admit_date))
    t = t.select("encounter_key", "vendor", "month", "coder_id", "specialty", "facility", "encounter_type",
                 "priority", "hours", "day", "received_at", "coded_at")
    if sources.claims is not None:
        c = sources.claims
        billed = c.group_by("encounter_key").aggregate(charge=c.total_charge.max(), bills=c.count())
        t = t.left_join(billed, "encounter_key").drop("encounter_key_right")
        t = t.mutate(charge=t.charge.fill_null(0), bills=t.bills.fill_null(0))
    else:
        t = t.mutate(charge=ibis.literal(0, type="decimal(18, 2)"), bills=ibis.literal(0, type="int64"))
    try:
        return t.cache()
    except Exception:  # a backend that cannot hold a temporary table: the queries recompute it
        return t


def monthly(sources: Sources, first: dt.date, last: dt.date, *, by: Sequence[str] = ("vendor",),
            vendors: Sequence[str] | None = None, turnaround: Sequence[TurnaroundAsk] = (),
            breach_percent: dict[str, Sequence[float]] | None = None, query_hours: Sequence[float] = (),
            confidence: str = DEFAULT_CONFIDENCE, bill_hold_days: int = DEFAULT_BILL_HOLD_DAYS) -> list[KpiRow]:
    """Every KPI for each vendor and month from `first` to `last` (drill down with `by`, e.g.
    ("vendor", "coder")). `turnaround` asks for shares within hours; `breach_percent` maps an
    ask's name to the percents whose breach days to count; `query_hours` asks for the share
    of queries answered within each number of hours."""
    dims = _dims(by)
    cols = [DIMENSIONS[d] for d in dims]
    keys = ["vendor", "month", *cols]
    earlier = (first.replace(day=1) - dt.timedelta(days=31 * (TRAILING_MONTHS - 1))).replace(day=1)
    # every coded chart of the vendors: remittances and queries of the period may be about charts
    # served before it; turnaround and volume read the period's, DNFB two months more
    charts = _charts(sources, vendors, dt.date(1, 1, 1), last + dt.timedelta(days=366 * 2))
    wide = charts.filter((charts.month >= earlier) & (charts.month <= last))
    t = charts.filter((charts.month >= first.replace(day=1)) & (charts.month <= last))
    row = _Rows(keys, dims)

    # volume and turnaround
    aggs = dict(volume=t.count(), mean_hours=t.hours.mean(), p50=t.hours.quantile(0.5),
                p90=t.hours.quantile(0.9), p95=t.hours.quantile(0.95))
    for i, ask in enumerate(turnaround):
        sel = (t.encounter_type == ask.encounter_type) & (t.priority == ask.priority)
        aggs[f"w{i}"] = t.count(where=sel & (t.hours <= ask.hours))
        aggs[f"n{i}"] = t.count(where=sel)
    for r in t.group_by(keys).aggregate(**aggs).to_pyarrow().to_pylist():
        k = row(r)
        k.volume = int(r["volume"])
        k.turnaround = {name: _round(r[col], 1) for name, col in
                        (("mean", "mean_hours"), ("p50", "p50"), ("p90", "p90"), ("p95", "p95"))}
        k.within = {ask.name: [int(r[f"w{i}"]), int(r[f"n{i}"])] for i, ask in enumerate(turnaround)}
    if breach_percent:
        _breach_days(t, keys, turnaround, breach_percent, row)
    _dnfb(sources, t, wide, keys, first, last, bill_hold_days, row)
    if sources.access_events is not None and set(cols) <= {"coder_id"}:
        _coder_hours(sources, t, keys, first, last, row)
    if sources.has_remits:
        _denials(sources, charts, keys, first, last, row)
    if sources.queries is not None:
        _queries(sources, charts, keys, first, last, query_hours, row)
    if sources.roster:
        _roster(sources, t, keys, dims, first, last, row)
    _accuracy(sources, vendors, dims, first, last, confidence, row)
    return row.all()


class _Rows:
    """The KpiRows of a call, one per group key, made on first use."""

    def __init__(self, keys: list[str], dims: list[str]) -> None:
        self.keys, self.dims, self.rows = keys, dims, {}

    def key(self, values: dict) -> tuple:
        return tuple(_as_date(values[k]) if k == "month" else values[k] for k in self.keys)

    def __call__(self, values: dict) -> KpiRow:
        key = self.key(values)
        if key not in self.rows:
            self.rows[key] = KpiRow(keys={"vendor": key[0], "month": key[1],
                                          **dict(zip(self.dims, key[2:], strict=True))})
        return self.rows[key]

    def all(self) -> list[KpiRow]:
        return [self.rows[k] for k in sorted(self.rows, key=lambda k: tuple("" if v is None else v for v in k))]


def _breach_days(t, keys, asks, breach_percent, row) -> None:
    day = t.received_at.date()
    aggs = {}
    for i, ask in enumerate(asks):
        sel = (t.encounter_type == ask.encounter_type) & (t.priority == ask.priority)
        aggs[f"w{i}"] = t.count(where=sel & (t.hours <= ask.hours))
        aggs[f"n{i}"] = t.count(where=sel)
    daily = t.group_by([*keys, day.name("day")]).aggregate(**aggs).to_pyarrow().to_pylist()
    for r in daily:
        k = row(r)
        for i, ask in enumerate(asks):
            n = r[f"n{i}"]
            if not n:
                continue
            counts = k.breach_days.setdefault(ask.name, {})
            for percent in breach_percent.get(ask.name, ()):
                missed = r[f"w{i}"] * 100 < float(percent) * n
                counts[str(percent)] = counts.get(str(percent), 0) + (1 if missed else 0)


def _claim_charges(sources: Sources) -> ir.Table | None:
    if sources.claims is None:
        return None
    c = sources.claims
    return c.group_by("encounter_key").aggregate(charge=c.total_charge.max())


def _dnfb(sources, t, wide, keys, first, last, hold_days, row) -> None:
    months = month_range(first, last)
    ends = ibis.memtable({
        "month_end": [month_end(m) for m in months],
        "end_at": [dt.datetime.combine(month_end(m), dt.time.max, tzinfo=dt.UTC) for m in months],
        "cutoff": [month_end(m) - dt.timedelta(days=hold_days) for m in months],
    })
    # the backlog counts against the month of the month end, whatever the chart's service month:
    # charts of the month before the period can still wait at its first month end
    pending = wide.drop("month")
    j = pending.join(ends, [pending.received_at <= ends.end_at, pending.coded_at > ends.end_at,
                            pending.day <= ends.cutoff])
    j = j.mutate(month=j.month_end.truncate("M"))
    backlog = j.group_by(keys).aggregate(charts=j.count(), charge=j.charge.sum())
    # average daily gross charges over the month and the two before it, by service month
    revenue = wide.group_by(keys).aggregate(charts=wide.count(), charge=wide.charge.sum())
    backlog_rows = {row.key(r): r for r in backlog.to_pyarrow().to_pylist()}
    revenue_rows = {row.key(r): r for r in revenue.to_pyarrow().to_pylist()}
    basis = "charge" if sources.claims is not None else "charts"
    wanted = set(months)
    for key in sorted(set(revenue_rows) | set(backlog_rows), key=lambda k: tuple("" if v is None else v for v in k)):
        month = key[1]
        if month not in wanted:
            continue
        window = [month]
        for _ in range(TRAILING_MONTHS - 1):
            window.append((window[-1] - dt.timedelta(days=1)).replace(day=1))
        present = [m for m in window if (key[0], m, *key[2:]) in revenue_rows]
        days = sum((month_end(m) - m).days + 1 for m in present)
        total = sum(float(revenue_rows[(key[0], m, *key[2:])][basis] or 0) for m in present)
        b = backlog_rows.get(key)
        charts = int(b["charts"]) if b else 0
        charge = float(b["charge"] or 0) if b else 0.0
        daily = total / days if days else 0.0
        numerator = charge if basis == "charge" else charts
        k = row(dict(zip(row.keys, key, strict=True)))
        k.dnfb = {"charts": charts, "charge": round(charge, 2), "average_daily": round(daily, 2),
                  "days": round(numerator / daily, 2) if daily else None, "basis": basis,
                  "months_averaged": len(present), "bill_hold_days": hold_days}


def _coder_hours(sources, t, keys, first, last, row) -> None:
    """Charts per coder-hour, for vendor (and coder) rows: a login's session hours in a month."""
    a = sources.access_events
    a = a.filter(a.session_id.notnull() & (a.session_id != ""))
    sessions = a.group_by(["login", "session_id"]).aggregate(start=a.occurred_at.min(), end=a.occurred_at.max())
    sessions = sessions.mutate(month=sessions.start.date().truncate("M"),
                               hours=(epoch_seconds(sessions, sessions.end)
                                      - epoch_seconds(sessions, sessions.start)) / 3600.0)
    sessions = sessions.filter((sessions.month >= first.replace(day=1)) & (sessions.month <= last))
    hours = sessions.group_by(["login", "month"]).aggregate(hours=sessions.hours.sum())
    charts = t.group_by(["vendor", "month", "coder_id"]).aggregate(charts=t.count())
    j = charts.join(hours, [charts.coder_id == hours.login, charts.month == hours.month])
    group = j.group_by(keys).aggregate(charts=j.charts.sum(), hours=j.hours.sum())
    for r in group.to_pyarrow().to_pylist():
        k = row(r)
        k.charts_with_hours = int(r["charts"])
        k.coder_hours = float(r["hours"])


def _denials(sources, t, keys, first, last, row) -> None:
    from codingwatch.denials import analytics as denials

    outcomes = sources.outcomes
    if outcomes is None:
        outcomes = denials.claim_outcomes(sources.remit_claims, sources.remit_adjustments, sources.remit_remarks,
                                          sources.remit_payments)
    outcomes = outcomes.select("encounter_key", "payment_date", "month", "denied", "coding_related",
                               "coding_adjusted")
    # the coded encounters of the vendors asked for (encounter keys are unique among coded encounters),
    # joined to their remitted claims once: both the denials and the first pass read this table
    charts = t.select("encounter_key", "vendor", "coder_id", "specialty", "facility", "encounter_type", "bills")
    remitted = outcomes.join(charts, "encounter_key")
    try:
        remitted = remitted.cache()
    except Exception:  # a backend without temporary tables: recomputed per query
        pass
    linked = remitted.filter((remitted.month >= first.replace(day=1)) & (remitted.month <= last))
    grouped = linked.group_by(keys).aggregate(
        claims=linked.count(), denied=linked.denied.sum(), coding_denied=linked.coding_related.sum(),
        coding_adjusted=linked.coding_adjusted.sum())
    for r in grouped.to_pyarrow().to_pylist():
        claims = int(r["claims"])
        row(r).denials = {
            "claims": claims, "denied": int(r["denied"]), "coding_denied": int(r["coding_denied"]),
            "denial_rate": _round(r["denied"] / claims if claims else None, 6),
            "coding_denial_rate": _round(r["coding_denied"] / claims if claims else None, 6),
            "rework": int(r["coding_denied"]), "coding_adjusted": round(float(r["coding_adjusted"] or 0), 2)}
    # first pass: the first remittance of each encounter, and how many 837s it was billed on
    # (the chart's columns are the same on every claim of its encounter: taken from any of them)
    same = {c: remitted[c].arbitrary() for c in ("vendor", "coder_id", "specialty", "facility", "encounter_type",
                                                  "bills")}
    o = remitted.group_by("encounter_key").aggregate(first_date=remitted.payment_date.min(),
                                                     first_denied=remitted.denied.argmin(remitted.payment_date),
                                                     **same)
    o = o.mutate(month=o.first_date.truncate("M"), bills=ibis.ifelse(o.bills == 0, 1, o.bills))
    o = o.filter((o.month >= first.replace(day=1)) & (o.month <= last))
    fp = o.group_by(keys).aggregate(encounters=o.count(), clean=o.count(where=(o.bills == 1) & ~o.first_denied))
    for r in fp.to_pyarrow().to_pylist():
        n = int(r["encounters"])
        row(r).first_pass = {"encounters": n, "clean": int(r["clean"]), "rate": _round(r["clean"] / n if n else None, 6)}


def _queries(sources, t, keys, first, last, query_hours, row) -> None:
    q = sources.queries
    charts = t.select("encounter_key", "vendor", "specialty", "facility", "encounter_type",
                      chart_coder=t.coder_id)
    j = q.join(charts, "encounter_key")
    # a query belongs to the coder who raised it: drill-down by coder reads the query's coder
    j = j.mutate(month=j.sent_at.date().truncate("M"),
                 hours=(epoch_seconds(j, j.answered_at) - epoch_seconds(j, j.sent_at)) / 3600.0)
    j = j.filter((j.month >= first.replace(day=1)) & (j.month <= last))
    aggs = dict(sent=j.count(), answered=j.count(where=j.answered_at.notnull()), median_hours=j.hours.median())
    for i, h in enumerate(query_hours):
        aggs[f"q{i}"] = j.count(where=j.answered_at.notnull() & (j.hours <= float(h)))
    for r in j.group_by(keys).aggregate(**aggs).to_pyarrow().to_pylist():
        row(r).queries = {"sent": int(r["sent"]), "answered": int(r["answered"]),
                          "median_hours": _round(r["median_hours"], 1),
                          "within": {f"{float(h):g}": int(r[f"q{i}"]) for i, h in enumerate(query_hours)}}


def _roster(sources, t, keys, dims, first, last, row) -> None:
    by_login = {c.login_id: c for c in sources.roster}
    group = keys if "coder_id" in keys else [*keys, "coder_id"]
    per = t.group_by(group).aggregate(charts=t.count())
    credentialed: dict[tuple, int] = defaultdict(int)
    for r in per.to_pyarrow().to_pylist():
        coder = by_login.get(r["coder_id"])
        if coder is not None and coder.credentials:
            credentialed[row.key(r)] += int(r["charts"])
    for target in row.all():
        n = credentialed.get(row.key({**target.keys, **{DIMENSIONS[d]: target.keys[d] for d in dims}}), 0)
        target.roster["credentialed_charts"] = n
        target.roster["credentialed_share"] = _round(n / target.volume, 6) if target.volume else None
    if dims:  # turnover belongs to the vendor: drill-down rows show the credentialed share only
        return
    vendors = {r.vendor for r in row.all()}
    for month in month_range(first, last):
        end = month_end(month)
        for vendor in sorted(vendors):
            on = [c for c in sources.roster if c.vendor == vendor and (c.start_date is None or c.start_date <= month)
                  and (c.end_date is None or c.end_date >= month)]
            left = [c for c in on if c.end_date is not None and c.end_date <= end]
            row({"vendor": vendor, "month": month}).roster.update(
                {"coders": len(on), "left": len(left), "turnover": _round(len(left) / len(on) if on else None, 6)})


def _accuracy(sources, vendors, dims, first, last, confidence, row) -> None:
    groups: dict[tuple, list[AuditedChart]] = defaultdict(list)
    for c in sources.audited:
        if vendors is not None and c.vendor not in vendors:
            continue
        if not first.replace(day=1) <= c.month <= last:
            continue
        values = {"coder": c.coder_id, "specialty": c.specialty, "facility": c.facility,
                  "encounter_type": c.encounter_type}
        groups[(c.vendor, c.month, *[values[d] for d in dims])].append(c)
    for key, charts in groups.items():
        values = {"vendor": key[0], "month": key[1],
                  **{DIMENSIONS[d]: v for d, v in zip(dims, key[2:], strict=True)}}
        target = row(values)
        target.accuracy = {rule: ratio_estimate(points_by_rule(charts, rule), confidence) for rule in COUNTING_RULES}


def accuracy_of(charts: Sequence[AuditedChart], rule: str, confidence: str = DEFAULT_CONFIDENCE) -> RatioEstimate:
    """The ratio estimate of a set of audited charts under one counting rule."""
    return ratio_estimate(points_by_rule(charts, rule), confidence)
