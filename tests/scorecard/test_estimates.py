"""Accuracy as a ratio estimate over charts: the variance by hand and against a bootstrap over charts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from codingwatch.audit.scoring import wilson
from codingwatch.scorecard.estimates import ChartPoint, charts_needed, ratio_estimate


def test_one_stratum_ratio_and_its_variance_by_hand():
    # four charts: (matched, audited) codes
    charts = [(9, 10), (4, 5), (8, 8), (5, 7)]
    est = ratio_estimate([ChartPoint(y, x, "all", 100) for y, x in charts], "95")
    r = 26 / 30
    residuals = [y - r * x for y, x in charts]
    s2 = sum(e * e for e in residuals) / 3
    se = math.sqrt((1 - 4 / 100) * s2 / 4) / (30 / 4)  # (1 - f) / (n xbar^2) * s2
    assert est.value == pytest.approx(r)
    assert est.std_error == pytest.approx(se)
    t = stats.t.ppf(0.975, 3)
    assert est.lower == pytest.approx(r - t * se)
    assert est.upper == pytest.approx(min(1.0, r + t * se))
    assert est.charts == 4 and est.numerator == 26 and est.denominator == 30


def test_stratified_charts_combine_with_their_weights_by_hand():
    a = [(9, 10), (7, 8), (10, 10)]  # stratum A: N = 30
    b = [(3, 5), (4, 6)]  # stratum B: N = 200
    points = [ChartPoint(y, x, "A", 30) for y, x in a] + [ChartPoint(y, x, "B", 200) for y, x in b]
    est = ratio_estimate(points, "90")
    y_hat = 30 / 3 * 26 + 200 / 2 * 7
    x_hat = 30 / 3 * 28 + 200 / 2 * 11
    r = y_hat / x_hat
    var = 0.0
    for rows, big_n in ((a, 30), (b, 200)):
        e = [y - r * x for y, x in rows]
        mean = sum(e) / len(e)
        s2 = sum((v - mean) ** 2 for v in e) / (len(e) - 1)
        var += big_n ** 2 * (1 - len(rows) / big_n) * s2 / len(rows)
    se = math.sqrt(var) / x_hat
    assert est.value == pytest.approx(r)
    assert est.std_error == pytest.approx(se)
    z = stats.norm.ppf(0.95)
    assert est.lower == pytest.approx(r - z * se)
    # an unweighted pooling of the same codes would be 33/39, far from the weighted estimate
    assert abs(est.value - 33 / 39) > 0.05


def test_two_simple_random_audits_of_one_month_are_pooled_as_one_sample():
    # two final audits of the same vendor-month, each a simple random sample (no N_h known)
    first, second = [(9, 10), (4, 5), (8, 8)], [(5, 7), (6, 6)]
    points = [ChartPoint(y, x, "12/all") for y, x in first] + [ChartPoint(y, x, "13/all") for y, x in second]
    est = ratio_estimate(points, "95")
    one = ratio_estimate([ChartPoint(y, x) for y, x in first + second], "95")
    assert (est.value, est.std_error, est.lower, est.upper) == (one.value, one.std_error, one.lower, one.upper)
    assert est.value == pytest.approx(32 / 36) and est.charts == 5
    assert est.quantile == pytest.approx(stats.t.ppf(0.975, 4))  # one sample of 5 charts: Student's t, 4 df
    assert "pooled as one simple random sample (N_h not known for 2 of them)" in est.method


def test_a_simple_random_audit_beside_a_stratified_one_is_pooled_and_says_so():
    points = [ChartPoint(9, 10, "12/A", 30), ChartPoint(7, 8, "12/A", 30), ChartPoint(3, 5, "12/B", 200),
              ChartPoint(4, 6, "12/B", 200), ChartPoint(5, 7, "13/all")]
    est = ratio_estimate(points, "95")
    assert est.value == pytest.approx(28 / 36) and est.universe is None
    assert "3 samples or strata pooled as one simple random sample (N_h not known for 1 of them)" in est.method


def test_the_standard_error_agrees_with_a_bootstrap_over_charts():
    rng = np.random.default_rng(7)
    audited = rng.integers(3, 20, 400)
    # errors cluster by chart: a chart's error rate is drawn, then its codes
    rates = rng.beta(1.0, 12.0, 400)
    matched = audited - rng.binomial(audited, rates)
    est = ratio_estimate([ChartPoint(float(y), float(x)) for y, x in zip(matched, audited, strict=True)], "95")
    boot = stats.bootstrap((matched, audited), lambda y, x, axis=-1: y.sum(axis=axis) / x.sum(axis=axis),
                           paired=True, vectorized=True, n_resamples=4000, random_state=11)
    assert est.std_error == pytest.approx(boot.standard_error, rel=0.08)


def test_charts_not_codes_are_the_sampling_unit():
    """Wilson over code lines as if each code were drawn alone is narrower than the chart-level limits."""
    rng = np.random.default_rng(3)
    audited = rng.integers(8, 20, 60)
    rates = rng.beta(1.0, 10.0, 60)
    matched = audited - rng.binomial(audited, rates)
    est = ratio_estimate([ChartPoint(float(y), float(x)) for y, x in zip(matched, audited, strict=True)], "95")
    low, high = wilson(float(matched.sum()), float(audited.sum()), 0.95)
    assert (est.upper - est.lower) > 1.2 * (high - low)


def test_charts_needed_follow_the_sampling_engines_size_formula():
    charts = [(9, 10), (8, 10), (10, 10), (7, 10), (9, 10), (10, 10), (8, 10), (9, 10)]
    est = ratio_estimate([ChartPoint(y, x, "all", 500) for y, x in charts], "95")
    target = 0.90
    needed = charts_needed(est, target, min_charts=5)
    # by hand: the ratio known within d = |R - SLA| means the total within D = d * N * xbar
    d = abs(est.value - target)
    t = stats.t.ppf(0.975, len(charts) - 1)
    n0 = (t * 500 * est.residual_sd / (d * 500 * est.mean_denominator)) ** 2
    n = math.ceil(n0 / (1 + n0 / 500) - 1e-9)
    assert needed.total == max(n, len(charts))
    assert needed.additional == needed.total - len(charts)
    assert needed.additional > 0


def test_an_estimate_on_the_sla_cannot_be_settled_by_more_charts():
    est = ratio_estimate([ChartPoint(9, 10), ChartPoint(8, 10), ChartPoint(10, 10), ChartPoint(9, 10)])
    needed = charts_needed(est, 0.9)
    assert needed.total is None and "equals" in needed.reason
