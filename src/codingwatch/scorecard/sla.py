"""Each contract term, each month: `met`, `breached` or `not enough evidence`.

Sample-based terms (accuracy, measured on audited charts) are judged by their confidence
limits at the contract's level (two-sided, 95% unless the contract says 80 or 90): a breach
only when the upper limit lies below the SLA, met only when the lower limit lies above it;
otherwise, and whenever fewer charts were audited than the contract's minimum, the month
has not enough evidence and says how many more charts would settle it
(`estimates.charts_needed`). Terms measured on every chart, claim or query of the month
(turnaround, coding DNFB, coding-denial rate, query response) are met or breached by the
figure itself; with nothing to measure the month has not enough evidence.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from codingwatch.scorecard import credits as credit_engine
from codingwatch.scorecard.estimates import CONFIDENCE_LEVELS, RatioEstimate, charts_needed
from codingwatch.scorecard.kpis import AuditedChart, KpiRow, Sources, TurnaroundAsk, accuracy_of, monthly
from codingwatch.scorecard.results import BREACHED, MET, NOT_ENOUGH, STATES, TermResult, _r  # noqa: F401 (re-exported)
from codingwatch.scorecard.terms import (
    ALL_SPECIALTIES,
    COUNTING_RULE_LABELS,
    ContractTerms,
    MonthTerms,
    month_range,
)


def _share(percent: Decimal) -> float:
    return float(percent) / 100.0


def evaluate_accuracy(estimate: RatioEstimate, target: float, min_charts: int, label: str,
                      key: dict | None = None) -> TermResult:
    """The state of one accuracy term from its estimate (see the module's rule)."""
    n = estimate.charts
    needed = None
    if estimate.empty or n < min_charts:
        state = NOT_ENOUGH
    elif estimate.upper < target:
        state = BREACHED
    elif estimate.lower > target:
        state = MET
    else:
        state = NOT_ENOUGH
    if state == NOT_ENOUGH:
        needed = charts_needed(estimate, target, min_charts=min_charts)
    inputs = {"charts": n, "numerator": estimate.numerator, "denominator": estimate.denominator,
              "min_charts": min_charts, "confidence": estimate.confidence, "quantile": _r(estimate.quantile),
              "std_error": _r(estimate.std_error), "method": estimate.method, "strata": estimate.strata}
    return TermResult("accuracy", label, target, estimate.value, estimate.lower, estimate.upper, state, n,
                      "sample", needed, inputs, key or {})


def _population(kind, label, target, value, evidence, *, at_most=False, inputs=None, key=None) -> TermResult:
    if value is None or not evidence:
        state = NOT_ENOUGH
    elif at_most:
        state = MET if value <= target else BREACHED
    else:
        state = MET if value >= target else BREACHED
    return TermResult(kind, label, target, value, None, None, state, evidence, "all", None, inputs or {}, key or {})


def evaluate(terms: MonthTerms, kpi: KpiRow | None, accuracy: dict[str, dict[str, RatioEstimate]],
             confidence: str = "95") -> list[TermResult]:
    """Every term in force in the month against the month's KPIs (`kpi`: the vendor's row) and
    its accuracy estimates (`accuracy[specialty][rule]`)."""
    kpi = kpi or KpiRow(keys={"month": terms.month})
    service = terms.service
    min_charts = service.min_charts if service else 30
    out = []
    empty = None
    for term in sorted(terms.accuracy, key=lambda t: (t.specialty, t.rule)):
        estimate = accuracy.get(term.specialty, {}).get(term.rule)
        if estimate is None:
            if empty is None:
                from codingwatch.scorecard.estimates import ratio_estimate

                empty = ratio_estimate([], confidence)
            estimate = empty
        specialty = "all specialties" if term.specialty == ALL_SPECIALTIES else term.specialty
        label = (f"accuracy, {specialty}, {COUNTING_RULE_LABELS[term.rule]}: at least "
                 f"{term.minimum.normalize():f}%")
        out.append(evaluate_accuracy(estimate, _share(term.minimum), min_charts, label,
                                     {"specialty": term.specialty, "rule": term.rule}))
    for term in sorted(terms.turnaround, key=lambda t: (t.encounter_type, t.priority, t.hours)):
        ask = TurnaroundAsk(term.encounter_type, term.priority, float(term.hours))
        within, n = kpi.within.get(ask.name, [0, 0])
        label = (f"turnaround, {term.encounter_type} ({term.priority}): {term.percent.normalize():f}% within "
                 f"{term.hours.normalize():f} h")
        days = kpi.breach_days.get(ask.name, {}).get(str(term.percent), 0)
        out.append(_population("turnaround", label, _share(term.percent), within / n if n else None, n,
                               inputs={"within": within, "charts": n, "breach_days": days},
                               key={"encounter_type": term.encounter_type, "priority": term.priority}))
    if service and service.dnfb_days is not None:
        d = kpi.dnfb or {}
        out.append(_population("dnfb", f"coding DNFB: at most {service.dnfb_days.normalize():f} days",
                               float(service.dnfb_days), d.get("days"), kpi.volume, at_most=True, inputs=dict(d)))
    if service and service.coding_denial_rate is not None:
        d = kpi.denials or {}
        out.append(_population("coding_denials",
                               f"coding-related denial rate: at most {service.coding_denial_rate.normalize():f}%",
                               _share(service.coding_denial_rate), d.get("coding_denial_rate"), d.get("claims", 0),
                               at_most=True, inputs={k: d.get(k) for k in ("claims", "coding_denied")}))
    if service and service.query_hours is not None:
        q = kpi.queries or {}
        hours = f"{float(service.query_hours):g}"
        within = (q.get("within") or {}).get(hours, 0)
        sent = q.get("sent", 0)
        out.append(_population("query_response",
                               f"query response: {service.query_percent.normalize():f}% within "
                               f"{service.query_hours.normalize():f} h",
                               _share(service.query_percent), within / sent if sent else None, sent,
                               inputs={"sent": sent, "within": within, "answered": q.get("answered", 0)}))
    return out


@dataclass(frozen=True)
class MonthEvaluation:
    vendor: str
    month: dt.date
    terms: MonthTerms
    kpi: KpiRow | None
    results: tuple[TermResult, ...]
    credits: object  # credits.Credits

    @property
    def breached(self) -> list[TermResult]:
        return [r for r in self.results if r.state == BREACHED]

    def as_dict(self) -> dict:
        return {"vendor": self.vendor, "month": self.month.strftime("%Y-%m"),
                "kpi": self.kpi.as_dict() if self.kpi else None,
                "results": [r.as_dict() for r in self.results], "credits": self.credits.as_dict()}


def asks_of(contract: ContractTerms, months: Sequence[dt.date]) -> tuple[list[TurnaroundAsk], dict, list[float]]:
    """The turnaround and query figures the contract's terms need over the months."""
    asks: dict[str, TurnaroundAsk] = {}
    percents: dict[str, set] = defaultdict(set)
    query_hours: set[float] = set()
    for month in months:
        terms = contract.in_force(month)
        if terms is None:
            continue
        for t in terms.turnaround:
            ask = TurnaroundAsk(t.encounter_type, t.priority, float(t.hours))
            asks[ask.name] = ask
            percents[ask.name].add(t.percent)
        if terms.service and terms.service.query_hours is not None:
            query_hours.add(float(terms.service.query_hours))
    return list(asks.values()), {k: sorted(v) for k, v in percents.items()}, sorted(query_hours)


def accuracy_by_specialty(charts: Sequence[AuditedChart], vendor: str, month: dt.date,
                          confidence: str) -> dict[str, dict[str, RatioEstimate]]:
    from codingwatch.scorecard.terms import COUNTING_RULES

    mine = [c for c in charts if c.vendor == vendor and c.month == month]
    by: dict[str, list[AuditedChart]] = defaultdict(list)
    for c in mine:
        by[c.specialty].append(c)
    out = {s: {rule: accuracy_of(cs, rule, confidence) for rule in COUNTING_RULES} for s, cs in by.items()}
    if mine:
        out[ALL_SPECIALTIES] = {rule: accuracy_of(mine, rule, confidence) for rule in COUNTING_RULES}
    return out


def evaluate_contracts(sources: Sources, contracts: Sequence[ContractTerms], first: dt.date,
                       last: dt.date) -> list[MonthEvaluation]:
    """Every month from `first` to `last` of every contract: KPIs, term states and credits."""
    months = month_range(first, last)
    asks: dict[str, TurnaroundAsk] = {}
    percents: dict[str, set] = defaultdict(set)
    query_hours: set[float] = set()
    for contract in contracts:
        a, p, q = asks_of(contract, months)
        asks.update({x.name: x for x in a})
        for k, v in p.items():
            percents[k].update(v)
        query_hours.update(q)
    vendors = sorted({c.vendor for c in contracts})
    rows = monthly(sources, first, last, vendors=vendors, turnaround=list(asks.values()),
                   breach_percent={k: sorted(v) for k, v in percents.items()}, query_hours=sorted(query_hours))
    by_key = {(r.vendor, r.month): r for r in rows}
    out = []
    for contract in contracts:
        if contract.confidence not in CONFIDENCE_LEVELS:
            raise ValueError(f"confidence must be one of {', '.join(CONFIDENCE_LEVELS)}")
        for month in months:
            terms = contract.in_force(month)
            if terms is None:
                continue
            kpi = by_key.get((contract.vendor, month))
            accuracy = accuracy_by_specialty(sources.audited, contract.vendor, month, contract.confidence)
            results = tuple(evaluate(terms, kpi, accuracy, contract.confidence))
            owed = credit_engine.owed(terms, results, kpi)
            out.append(MonthEvaluation(contract.vendor, month, terms, kpi, results, owed))
    return out
