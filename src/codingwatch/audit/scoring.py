"""Scores from upheld findings: accuracy with Wilson limits, payment impact, extrapolation, SLA.

Accuracy follows AHIMA practice (domain.md):
- code-over-code, diagnoses and procedures apart: the auditor's codes are the denominator,
  the coder's exactly matching codes the numerator (POA, modifiers and units do not unmatch a
  code; they count against the record);
- record level: a chart is correct only if no finding on it counts;
- DRG (financial): share of inpatient charts whose MS-DRG did not change.
The `Method` states the counting rule; its variants weight a principal-diagnosis change as 2
errors and payment-affecting errors x2, adding the same weight to the denominator so that a
score stays between 0 and 1.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

from codingwatch.audit.model import CaseResult, Finding, FindingKind

CENT = Decimal("0.01")
REPAYMENT_DAYS = 60


def wilson(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (nan, nan) for an empty sample."""
    if n <= 0:
        return (math.nan, math.nan)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    """A proportion with its Wilson limits at `confidence`."""

    correct: float
    total: float
    confidence: float = 0.95

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    @property
    def limits(self) -> tuple[float, float] | None:
        return wilson(self.correct, self.total, self.confidence) if self.total else None

    def as_dict(self) -> dict[str, object]:
        low, high = self.limits or (None, None)
        return {
            "value": _round(self.value),
            "lower": _round(low),
            "upper": _round(high),
            "correct": self.correct,
            "total": self.total,
            "confidence": self.confidence,
        }


def _round(x: float | None, digits: int = 6) -> float | None:
    return None if x is None else round(x, digits)


@dataclass(frozen=True)
class Method:
    """The accuracy counting rule; a report states it in `description()`."""

    principal_dx_weight: int = 1  # 2: a principal-diagnosis change counts as 2 errors
    payment_error_weight: int = 1  # 2: an error that changes payment counts double
    counted_statuses: tuple[str, ...] = ("upheld",)
    confidence: float = 0.95

    @property
    def name(self) -> str:
        if self.principal_dx_weight == 1 and self.payment_error_weight == 1:
            return "code-over-code"
        return f"weighted (principal dx x{self.principal_dx_weight}, payment-affecting x{self.payment_error_weight})"

    def description(self) -> str:
        text = (
            "Code-over-code accuracy (AHIMA): the auditor's codes are the denominator and the coder's "
            "exactly matching codes the numerator, diagnoses and procedures apart; a chart is correct "
            "at record level only if no finding on it counts; DRG accuracy is the share of inpatient "
            "charts whose MS-DRG (CMS grouper) did not change. POA, modifier and unit changes count "
            "against the record, not the code."
        )
        if self.principal_dx_weight > 1:
            text += f" A principal-diagnosis change counts as {self.principal_dx_weight} errors."
        if self.payment_error_weight > 1:
            text += f" Payment-affecting errors are weighted x{self.payment_error_weight}."
        text += (
            f" Only findings with status {', '.join(self.counted_statuses)} count. "
            f"Limits are Wilson score intervals at {self.confidence:.0%}."
        )
        return text

    def counts(self, finding: Finding) -> bool:
        return finding.status in self.counted_statuses


@dataclass(frozen=True)
class Scores:
    encounters: int
    dx_codes_audited: int
    dx_codes_matched: int
    px_codes_audited: int
    px_codes_matched: int
    dx: Rate
    px: Rate
    record: Rate
    drg: Rate | None
    drg_changed: int
    payment_impact_weight: Decimal  # sum of (audited - coded) weights: negative = over-coded
    over_coded_weight: Decimal  # sum of weight lost on drg_down cases (positive)
    under_coded_weight: Decimal  # sum of weight gained on drg_up cases (positive)
    findings: int
    weight_missing: int = 0  # cases whose DRG moved but whose fiscal year lacks a weight: not in the sums

    def as_dict(self) -> dict[str, object]:
        return {
            "encounters": self.encounters,
            "dx_codes_audited": self.dx_codes_audited,
            "dx_codes_matched": self.dx_codes_matched,
            "px_codes_audited": self.px_codes_audited,
            "px_codes_matched": self.px_codes_matched,
            "dx_accuracy": _round(self.dx.value),
            "dx_accuracy_limits": _limits(self.dx),
            "px_accuracy": _round(self.px.value),
            "px_accuracy_limits": _limits(self.px),
            "record_accuracy": _round(self.record.value),
            "record_accuracy_limits": _limits(self.record),
            "drg_accuracy": None if self.drg is None else _round(self.drg.value),
            "drg_accuracy_limits": None if self.drg is None else _limits(self.drg),
            "inpatient_encounters": 0 if self.drg is None else int(self.drg.total),
            "drg_changed": self.drg_changed,
            "payment_impact_weight": str(self.payment_impact_weight),
            "over_coded_weight": str(self.over_coded_weight),
            "under_coded_weight": str(self.under_coded_weight),
            "findings_counted": self.findings,
            "weight_missing_cases": self.weight_missing,
        }


def _limits(rate: Rate) -> list[float | None] | None:
    limits = rate.limits
    return None if limits is None else [_round(limits[0]), _round(limits[1])]


def score(results: Iterable[CaseResult], method: Method = Method()) -> Scores:
    """Scores a set of compared cases, counting only the findings the method counts."""
    n = dx_total = dx_matched = px_total = px_matched = records_ok = inpatient = drg_same = 0
    dx_points = dx_errors = px_points = px_errors = 0.0
    impact = over = under = Decimal(0)
    counted_findings = missing = 0
    pw, payw = method.principal_dx_weight, method.payment_error_weight
    for result in results:
        n += 1
        counted = [f for f in result.findings if method.counts(f)]
        counted_findings += len(counted)
        dx_miss = sum(1 for f in counted if f.misses_audited_dx)
        px_miss = sum(1 for f in counted if f.misses_audited_px)
        dx_total += result.dx_audited
        dx_matched += result.dx_audited - dx_miss
        px_total += result.px_audited
        px_matched += result.px_audited - px_miss
        if not counted:
            records_ok += 1
        # Weighted points (equal to the plain counts under the default method).
        dx_points += result.dx_audited + (pw - 1 if result.dx_audited else 0)
        px_points += result.px_audited
        for f in counted:
            if f.kind == FindingKind.principal_dx_changed:
                if not (f.misses_audited_dx or pw > 1):
                    continue
                w = pw
            elif f.misses_audited_dx or f.misses_audited_px:
                w = 1
            else:
                continue
            extra = w * (payw - 1) if f.payment_affecting else 0
            if f.misses_audited_px:
                px_errors += w + extra
                px_points += extra
            else:
                dx_errors += w + extra
                dx_points += extra
        if result.drg is not None:
            inpatient += 1
            drg_finding = next(
                (f for f in counted if f.kind in (FindingKind.drg_up, FindingKind.drg_down)), None
            )
            if drg_finding is None:
                drg_same += 1
            elif drg_finding.weight_change is None:
                missing += 1
            else:
                change = drg_finding.weight_change
                impact += change
                if change < 0:
                    over -= change
                else:
                    under += change
    return Scores(
        encounters=n,
        dx_codes_audited=dx_total,
        dx_codes_matched=dx_matched,
        px_codes_audited=px_total,
        px_codes_matched=px_matched,
        dx=Rate(dx_points - dx_errors, dx_points, method.confidence),
        px=Rate(px_points - px_errors, px_points, method.confidence),
        record=Rate(records_ok, n, method.confidence),
        drg=Rate(drg_same, inpatient, method.confidence) if inpatient else None,
        drg_changed=inpatient - drg_same,
        payment_impact_weight=impact,
        over_coded_weight=over,
        under_coded_weight=under,
        findings=counted_findings,
        weight_missing=missing,
    )


GROUPINGS: dict[str, Callable[[CaseResult], str]] = {
    "coder": lambda r: r.encounter.coder_id or "(none)",
    "vendor": lambda r: r.encounter.vendor or "(none)",
    "specialty": lambda r: r.encounter.specialty,
    "encounter_type": lambda r: r.encounter.encounter_type,
    "month": lambda r: r.encounter.month,
}


@dataclass(frozen=True)
class GroupScore:
    key: str
    scores: Scores
    small_sample: bool  # fewer charts than the method's minimum: shown, never ranked
    rank: int | None = None  # by record accuracy, 1 = best, among groups large enough

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "small_sample": self.small_sample, "rank": self.rank, **self.scores.as_dict()}


def score_by(
    results: Sequence[CaseResult],
    by: str,
    method: Method = Method(),
    *,
    min_charts: int = 30,
) -> list[GroupScore]:
    """Scores per coder, vendor, specialty, encounter_type or month.

    Groups with fewer than `min_charts` charts are flagged `small_sample` and left unranked:
    a coder's 100% on 6 charts is noise, not a ranking.
    """
    key_of = GROUPINGS[by]
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        groups[key_of(result)].append(result)
    scored = [(key, score(items, method)) for key, items in sorted(groups.items())]
    rankable = sorted(
        (s.record.value or 0.0, key) for key, s in scored if s.encounters >= min_charts
    )
    rankable.reverse()
    rank_of = {key: i + 1 for i, (_, key) in enumerate(rankable)}
    return [
        GroupScore(key, s, s.encounters < min_charts, rank_of.get(key)) for key, s in scored
    ]


# --- Payment impact -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseImpact:
    encounter_id: str
    coded_drg: int
    audited_drg: int
    coded_weight: Decimal | None
    audited_weight: Decimal | None
    weight_change: Decimal | None  # audited - coded; None when the fiscal year lacks a weight
    payment_change: Decimal | None  # weight_change x base rate, to the cent

    @property
    def overpayment(self) -> Decimal | None:
        """What the payer paid too much on the as-coded DRG (negative: paid too little)."""
        return None if self.payment_change is None else -self.payment_change

    def as_dict(self) -> dict[str, object]:
        return {
            "encounter_id": self.encounter_id,
            "coded_drg": self.coded_drg,
            "audited_drg": self.audited_drg,
            "coded_weight": None if self.coded_weight is None else str(self.coded_weight),
            "audited_weight": None if self.audited_weight is None else str(self.audited_weight),
            "weight_change": None if self.weight_change is None else str(self.weight_change),
            "payment_change": None if self.payment_change is None else str(self.payment_change),
        }


def case_impacts(
    results: Iterable[CaseResult], base_rate: Decimal | None = None, method: Method = Method()
) -> list[CaseImpact]:
    """Per inpatient case whose counted DRG finding stands: weight change and payment change."""
    out = []
    for result in results:
        if result.drg is None:
            continue
        stands = any(
            f.kind in (FindingKind.drg_up, FindingKind.drg_down) and method.counts(f) for f in result.findings
        )
        if not stands:
            continue
        change = result.drg.weight_change
        dollars = None if base_rate is None or change is None else (change * base_rate).quantize(CENT, ROUND_HALF_UP)
        out.append(
            CaseImpact(
                result.encounter.encounter_id,
                result.drg.coded_drg,
                result.drg.audited_drg,
                result.drg.coded_weight,
                result.drg.audited_weight,
                change,
                dollars,
            )
        )
    return out


@dataclass(frozen=True)
class PaymentTotals:
    over_coded: Decimal  # paid too much (drg_down cases), positive
    under_coded: Decimal  # paid too little (drg_up cases), positive
    net_overpayment: Decimal  # over_coded - under_coded
    weight_missing: int = 0  # cases left out: their fiscal year has no weight for a DRG

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in vars(self).items()}


def payment_totals(impacts: Iterable[CaseImpact]) -> PaymentTotals:
    over = under = Decimal("0.00")
    missing = 0
    for impact in impacts:
        if impact.weight_change is None:
            missing += 1
            continue
        if impact.payment_change is None:
            continue
        if impact.payment_change < 0:
            over -= impact.payment_change
        else:
            under += impact.payment_change
    return PaymentTotals(over, under, over - under, missing)


# --- Extrapolation (variable appraisal) -----------------------------------------------------

CONFIDENCES = (0.80, 0.90, 0.95)


@dataclass(frozen=True)
class VariableAppraisal:
    """RAT-STATS unrestricted variable appraisal of one set of sample values."""

    universe: int
    sample: int
    nonzero: int
    mean: float
    std_dev: float
    point_estimate: float
    std_error_total: float
    limits: dict[float, tuple[float, float]]  # confidence (two-sided) -> (lower, upper)

    def precision(self, confidence: float) -> float:
        low, high = self.limits[confidence]
        return (high - low) / 2


def variable_appraisal(values: Sequence[float | Decimal], universe: int) -> VariableAppraisal:
    """Unrestricted variable appraisal as RAT-STATS computes it (ratstats.md), by the sampling engine.

    Point estimate N*mean; standard error of the total N * s/sqrt(n) * sqrt((N-n)/N) with s
    on divisor n-1; limits point -/+ t(n-1) * SE at 80%, 90% and 95% two-sided. The arithmetic
    is `codingwatch.sampling.variable.appraise_variable` (exact fractions, checked against
    RAT-STATS); this keeps the audit engine's float view of it.
    """
    from codingwatch.sampling.variable import appraise_variable

    n = len(values)
    if n < 2:
        raise ValueError("a variable appraisal needs at least 2 sample values")
    if universe < n:
        raise ValueError(f"the universe ({universe}) is smaller than the sample ({n})")
    exact = appraise_variable(universe, [v if isinstance(v, Decimal) else Decimal(repr(float(v))) for v in values])
    limits = {
        conf: (float(exact.levels[name].lower), float(exact.levels[name].upper))
        for conf, name in zip(CONFIDENCES, ("80", "90", "95"), strict=True)
    }
    return VariableAppraisal(
        universe, n, exact.nonzero, float(exact.mean), float(exact.std_dev or 0), float(exact.point_estimate),
        float(exact.std_err_total), limits,
    )


LIMIT_RULES = {
    "cms": (0.80, "CMS: the lower limit of a one-sided 90% confidence interval, which is the lower "
                  "limit of the two-sided 80% interval"),
    "oig": (0.90, "OIG: the lower limit of the two-sided 90% confidence interval"),
}


@dataclass(frozen=True)
class Extrapolation:
    rule: str
    rule_text: str
    appraisal: VariableAppraisal
    demand: Decimal  # the lower limit the rule names, to the cent (never below zero)

    def as_dict(self) -> dict[str, object]:
        a = self.appraisal
        return {
            "rule": self.rule,
            "rule_text": self.rule_text,
            "universe": a.universe,
            "sample": a.sample,
            "nonzero": a.nonzero,
            "point_estimate": str(_cents(a.point_estimate)),
            "limits": {
                f"{int(c * 100)}%": [str(_cents(lo)), str(_cents(hi))] for c, (lo, hi) in a.limits.items()
            },
            "demand": str(self.demand),
        }


def _cents(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(CENT, ROUND_HALF_UP)


def extrapolate_overpayment(
    overpayments: Sequence[Decimal], frame_size: int, rule: str = "cms"
) -> Extrapolation:
    """Extrapolates per-chart overpayments of a simple random sample (zeros included) to the frame."""
    if rule not in LIMIT_RULES:
        raise ValueError(f"limit rule must be one of {', '.join(LIMIT_RULES)}")
    confidence, text = LIMIT_RULES[rule]
    appraisal = variable_appraisal(overpayments, frame_size)
    lower = appraisal.limits[confidence][0]
    return Extrapolation(rule, text, appraisal, max(Decimal("0.00"), _cents(lower)))


def sample_overpayments(results: Iterable[CaseResult], base_rate: Decimal, method: Method = Method()) -> list[Decimal]:
    """Per sampled chart: (coded weight - audited weight) x base rate; 0 where nothing moved."""
    results = list(results)
    by_case = {i.encounter_id: i for i in case_impacts(results, base_rate, method)}
    lacking = sorted(i.encounter_id for i in by_case.values() if i.weight_change is None)
    if lacking:
        # An overpayment of 0 would understate the extrapolation; another year's weight would misstate it.
        raise ValueError(
            f"{len(lacking)} sampled chart(s) moved to or from a DRG without a weight for their fiscal year "
            f"(first: {', '.join(lacking[:5])}): import that year's CMS Table 5 with "
            "`codingwatch codesets add-weights FILE --fiscal-year YYYY` before extrapolating"
        )
    out = []
    for result in results:
        impact = by_case.get(result.encounter.encounter_id)
        out.append(impact.overpayment if impact and impact.overpayment is not None else Decimal("0.00"))
    return out


# --- SLA and repayment ----------------------------------------------------------------------

SLA_MEASURES = ("dx", "px", "record", "drg")


@dataclass(frozen=True)
class SlaResult:
    specialty: str
    measure: str
    target: float
    value: float | None
    lower: float | None
    upper: float | None
    charts: int
    status: str  # met | missed | no charts
    conclusive: bool  # the Wilson interval lies wholly on one side of the target

    def as_dict(self) -> dict[str, object]:
        return dict(vars(self))


def sla_results(
    results: Sequence[CaseResult],
    targets: dict[str, float],
    *,
    measure: str = "dx",
    method: Method = Method(),
) -> list[SlaResult]:
    """Each specialty's accuracy against the contract's target for it (e.g. {"cardiology": 0.95})."""
    if measure not in SLA_MEASURES:
        raise ValueError(f"SLA measure must be one of {', '.join(SLA_MEASURES)}")
    by = {g.key: g.scores for g in score_by(results, "specialty", method, min_charts=0)}
    out = []
    for specialty, target in sorted(targets.items()):
        s = by.get(specialty)
        rate = None if s is None else getattr(s, measure)
        if rate is None or not rate.total:
            out.append(SlaResult(specialty, measure, target, None, None, None, 0, "no charts", False))
            continue
        low, high = rate.limits
        value = rate.value
        out.append(
            SlaResult(
                specialty,
                measure,
                target,
                _round(value),
                _round(low),
                _round(high),
                s.encounters,
                "met" if value >= target else "missed",
                low >= target or high < target,
            )
        )
    return out


def repayment_due(identified: dt.date) -> dt.date:
    """An identified overpayment must be repaid within 60 days of identification (ACA)."""
    return identified + dt.timedelta(days=REPAYMENT_DAYS)


@dataclass
class Tally:
    """Findings counted per kind, largest first (the Pareto of error kinds)."""

    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, results: Iterable[CaseResult], method: Method = Method()) -> Tally:
        counts: dict[str, int] = defaultdict(int)
        for result in results:
            for f in result.findings:
                if method.counts(f):
                    counts[f.kind.value] += 1
        return cls(dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
