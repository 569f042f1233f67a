"""Accuracy from an audit sample as a ratio estimate over charts, with honest limits.

The chart is what an audit samples, so the chart is the unit of every estimate here: a
chart contributes its numerator y (codes that matched, or 1 for a correct record / an
unchanged DRG) and its denominator x (the auditor's codes, or 1). Code-level accuracy is
the ratio R = sum(y) / sum(x) over charts, never a proportion over code lines as if each
code had been drawn alone (60 charts of 818 codes carry the information of 60 draws, not
818: codes on one chart share its coder, its documentation and its day).

Estimator (Cochran, *Sampling Techniques*, 3rd ed., Wiley 1977, sections 6.3-6.4 for one
simple random sample, 6.11 for the combined ratio estimate of a stratified sample):

    Y_hat = sum_h (N_h / n_h) * sum_i y_hi          X_hat likewise
    R     = Y_hat / X_hat
    e_hi  = y_hi - R * x_hi                          (the chart's residual)
    s2_h  = sum_i (e_hi - mean_h(e))^2 / (n_h - 1)
    v(R)  = sum_h N_h^2 * (1 - n_h / N_h) * s2_h / n_h  /  X_hat^2

For one stratum this is (1 - f) / (n * xbar^2) * sum(e_i^2) / (n - 1). When a stratum's
universe N_h is not known its finite population correction is taken as 1 and, with a single
stratum, the weights cancel. Limits are R -/+ q * sqrt(v(R)), clipped to [0, 1], with q
Student's t on n - 1 degrees of freedom for one stratum and the normal quantile for a
stratified sample, as RAT-STATS does for variable appraisals (codingwatch.sampling.variable).

The charts that would settle a month come from the sampling engine's variable sample size
(Cochran 4.6 with Stein's probe-sample t): the total Y must be known within D = d * X_hat,
d the distance between the estimate and the SLA, which is the ratio known within d.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

from scipy.stats import t as student_t

CONFIDENCE_LEVELS = {"80": 0.80, "90": 0.90, "95": 0.95}
DEFAULT_CONFIDENCE = "95"
UNKNOWN_UNIVERSE = 10**9  # a universe too large for the finite population correction to matter


@dataclass(frozen=True)
class ChartPoint:
    """One audited chart's contribution to a ratio: numerator y, denominator x, its stratum and
    that stratum's universe size N_h (charts in the frame; None when not known)."""

    y: float
    x: float
    stratum: str = "all"
    universe: int | None = None


@dataclass(frozen=True)
class RatioEstimate:
    value: float | None
    std_error: float | None
    lower: float | None
    upper: float | None
    charts: int
    numerator: float
    denominator: float
    confidence: str
    quantile: float | None
    residual_sd: float | None  # of the chart residuals y - R x (divisor n - 1), pooled
    mean_denominator: float | None  # xbar: mean denominator per chart
    universe: int | None  # charts in the frame (sum of N_h), when every stratum's is known
    strata: dict[str, dict] = field(default_factory=dict)  # stratum -> {N, n, y, x}
    method: str = ""

    @property
    def empty(self) -> bool:
        return self.value is None

    def as_dict(self) -> dict:
        return {
            "value": _r(self.value), "std_error": _r(self.std_error), "lower": _r(self.lower),
            "upper": _r(self.upper), "charts": self.charts, "numerator": self.numerator,
            "denominator": self.denominator, "confidence": self.confidence, "quantile": _r(self.quantile),
            "residual_sd": _r(self.residual_sd), "mean_denominator": _r(self.mean_denominator),
            "universe": self.universe, "strata": self.strata, "method": self.method,
        }


def _r(x: float | None, digits: int = 6) -> float | None:
    return None if x is None else round(x, digits)


def quantile(confidence: str, charts: int, stratified: bool) -> float:
    """Two-sided quantile: Student's t (charts - 1 df) for one stratum, normal when stratified."""
    if confidence not in CONFIDENCE_LEVELS:
        raise ValueError(f"confidence must be one of {', '.join(CONFIDENCE_LEVELS)} (got {confidence!r})")
    level = CONFIDENCE_LEVELS[confidence]
    if stratified or charts < 2:
        return NormalDist().inv_cdf(0.5 + level / 2)
    return float(student_t.ppf(0.5 + level / 2, charts - 1))


def ratio_estimate(points: Iterable[ChartPoint], confidence: str = DEFAULT_CONFIDENCE) -> RatioEstimate:
    """The combined ratio estimate of sum(y) / sum(x) over sampled charts, with its limits."""
    by_stratum: dict[str, list[ChartPoint]] = defaultdict(list)
    for p in points:
        by_stratum[p.stratum].append(p)
    n = sum(len(v) for v in by_stratum.values())
    y_sum = sum(p.y for v in by_stratum.values() for p in v)
    x_sum = sum(p.x for v in by_stratum.values() for p in v)
    stratified = len(by_stratum) > 1
    pooled = ""
    if stratified and any(v[0].universe is None for v in by_stratum.values()):
        # Charts of several samples (two simple random audits of one vendor-month, or one beside a
        # stratified audit) whose strata cannot all be weighted, N_h not being known for each:
        # they are taken as one simple random sample of all their charts. For independent simple
        # random draws that is what they are; beside a stratified audit it gives up its weights,
        # and the method says so.
        unknown = sum(1 for v in by_stratum.values() if v[0].universe is None)
        pooled = (f", the charts of {len(by_stratum)} samples or strata pooled as one simple random sample "
                  f"(N_h not known for {unknown} of them)")
        by_stratum = {"pooled": [ChartPoint(p.y, p.x, "pooled", None) for v in by_stratum.values() for p in v]}
        stratified = False
    method = (f"combined ratio estimate over charts (Cochran 6.11), {len(by_stratum)} strata weighted N_h/n_h, "
              if stratified else f"ratio estimate over charts (Cochran 6.3){pooled}, ")
    method += f"{CONFIDENCE_LEVELS.get(confidence, 0):.0%} two-sided limits"
    if n == 0 or x_sum <= 0:
        return RatioEstimate(None, None, None, None, n, y_sum, x_sum, confidence, None, None, None, None, {}, method)
    universes = {h: v[0].universe for h, v in by_stratum.items()}
    weights = {h: (universes[h] / len(v) if universes[h] else 1.0) for h, v in by_stratum.items()}
    y_hat = sum(weights[h] * p.y for h, v in by_stratum.items() for p in v)
    x_hat = sum(weights[h] * p.x for h, v in by_stratum.items() for p in v)
    ratio = y_hat / x_hat
    variance_total = 0.0  # of Y_hat - R X_hat
    pooled_ss = 0.0
    strata = {}
    for h, v in sorted(by_stratum.items()):
        n_h = len(v)
        big_n = universes[h]
        residuals = [p.y - ratio * p.x for p in v]
        mean_e = sum(residuals) / n_h
        ss = sum((e - mean_e) ** 2 for e in residuals)
        pooled_ss += ss
        strata[h] = {"N": big_n, "n": n_h, "y": sum(p.y for p in v), "x": sum(p.x for p in v)}
        if n_h < 2:
            continue  # one chart carries no variance estimate of its stratum
        s2 = ss / (n_h - 1)
        if big_n:
            variance_total += big_n * big_n * (1 - n_h / big_n) * s2 / n_h
        else:
            # self-weighting single stratum (weights 1): v(Y_hat - R X_hat) = n * s2
            variance_total += n_h * s2
    std_error = math.sqrt(max(variance_total, 0.0)) / x_hat
    q = quantile(confidence, n, stratified)
    lower = max(0.0, ratio - q * std_error)
    upper = min(1.0, ratio + q * std_error)
    residual_sd = math.sqrt(pooled_ss / (n - 1)) if n > 1 else None
    universe = sum(universes.values()) if all(universes.values()) else None
    return RatioEstimate(ratio, std_error, lower, upper, n, y_sum, x_sum, confidence, q, residual_sd,
                         x_sum / n, universe, strata, method)


@dataclass(frozen=True)
class ChartsNeeded:
    """How many charts in all (and how many more) would put the SLA outside the limits."""

    total: int | None
    additional: int | None
    formula: str
    inputs: dict
    reason: str = ""

    def as_dict(self) -> dict:
        return {"total": self.total, "additional": self.additional, "formula": self.formula,
                "inputs": self.inputs, "reason": self.reason}


def charts_needed(estimate: RatioEstimate, target: float, *, min_charts: int = 0) -> ChartsNeeded:
    """The sample size at which the estimate's limits would exclude `target`, if the estimate and
    the chart residuals' spread stay as observed (the month's charts are the probe sample)."""
    from codingwatch.sampling.size import variable_sample_size

    n = estimate.charts
    if estimate.empty or n < 2 or estimate.residual_sd is None:
        total = max(min_charts, 2)
        return ChartsNeeded(total, max(0, total - n), "no estimate yet: the minimum sample", {"charts": n},
                            "fewer than two audited charts: no spread to size a sample from")
    margin = abs(estimate.value - target)
    universe = estimate.universe or UNKNOWN_UNIVERSE
    inputs = {"estimate": _r(estimate.value), "target": target, "margin": _r(margin),
              "residual_sd": _r(estimate.residual_sd), "mean_denominator": _r(estimate.mean_denominator),
              "universe": estimate.universe, "probe_charts": n, "confidence": estimate.confidence}
    if margin <= 1e-12:
        return ChartsNeeded(None, None, "", inputs, "the estimate equals the SLA: no sample size settles it")
    # the total Y known within D = margin * X_hat  <=>  the ratio known within margin
    precision_total = margin * estimate.mean_denominator * universe
    size = variable_sample_size(universe, estimate.residual_sd, precision_total, estimate.confidence,
                                probe_size=n)
    total = max(size.sample_size, min_charts, n)
    reason = ""
    if estimate.universe is not None and size.sample_size >= estimate.universe:
        reason = "even every chart of the month would not settle it at this spread"
    return ChartsNeeded(total, total - n, f"{size.formula} with D = d * X_hat ({size.source})",
                        {**inputs, **{"n0": _r(size.n0)}}, reason)


def points_by_rule(charts: Sequence, rule: str) -> list[ChartPoint]:
    """ChartPoints of audited charts (scorecard.kpis.AuditedChart) under a counting rule."""
    out = []
    for c in charts:
        if rule == "code_over_code":
            x, y = c.codes_audited, c.codes_matched
            if x <= 0:
                continue
        elif rule == "record":
            x, y = 1, 1 if c.record_correct else 0
        elif rule == "drg":
            if c.drg_unchanged is None:
                continue
            x, y = 1, 1 if c.drg_unchanged else 0
        else:
            raise ValueError(f"unknown counting rule {rule!r}")
        out.append(ChartPoint(float(y), float(x), c.stratum or "all", c.stratum_universe))
    return out
