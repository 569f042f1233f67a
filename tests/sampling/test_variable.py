"""Variable appraisal against an independent computation (numpy and scipy) and small cases."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from codingwatch.sampling import AppraisalError
from codingwatch.sampling.variable import (
    NORMAL_QUANTILES,
    appraise_stratified_variable,
    appraise_variable,
)

amounts = st.decimals(min_value=-5000, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


def independent(universe: int, values: list[float], quantile) -> dict:
    x = np.array(values, dtype=float)
    n = len(x)
    s = x.std(ddof=1)
    se_mean = s / math.sqrt(n) * math.sqrt((universe - n) / universe)
    point = universe * x.mean()
    out = {"point": point, "mean": x.mean(), "s": s, "se_mean": se_mean, "se_total": universe * se_mean}
    for level, q in (("80", 0.90), ("90", 0.95), ("95", 0.975)):
        precision = quantile(q, n) * universe * se_mean
        out[level] = (point - precision, point + precision, precision)
    return out


@settings(max_examples=60, deadline=None)
@given(values=st.lists(amounts, min_size=2, max_size=60), extra=st.integers(0, 10**6))
def test_unrestricted_appraisal_matches_numpy_and_scipy_t(values, extra):
    universe = len(values) + extra
    result = appraise_variable(universe, values)
    check = independent(universe, [float(v) for v in values], lambda q, n: stats.t.ppf(q, n - 1))
    scale = max(1.0, abs(check["point"]), check["se_total"])
    assert float(result.point_estimate) == pytest.approx(check["point"], abs=1e-9 * scale)
    assert float(result.std_dev) == pytest.approx(check["s"], rel=1e-9, abs=1e-9 * scale)
    assert float(result.std_err_total) == pytest.approx(check["se_total"], rel=1e-9, abs=1e-9 * scale)
    for level in ("80", "90", "95"):
        lower, upper, precision = check[level]
        got = result.levels[level]
        assert float(got.precision) == pytest.approx(precision, rel=1e-9, abs=1e-9 * scale)
        assert float(got.lower) == pytest.approx(lower, abs=1e-9 * scale)
        assert float(got.upper) == pytest.approx(upper, abs=1e-9 * scale)
        assert float(got.t) == pytest.approx(stats.t.ppf({"80": 0.9, "90": 0.95, "95": 0.975}[level], len(values) - 1))


def test_a_census_has_no_sampling_error():
    result = appraise_variable(3, [Decimal(1), Decimal(2), Decimal(3)])
    assert result.point_estimate == 6
    assert all(level.precision == 0 and level.lower == level.upper == 6 for level in result.levels.values())


def test_identical_values_have_no_spread():
    result = appraise_variable(1000, [Decimal("12.50")] * 10)
    assert result.point_estimate == Decimal("12500")
    assert result.std_dev == 0 and result.levels["95"].precision == 0


def test_precision_percent_is_precision_over_the_point_estimate():
    result = appraise_variable(500, [Decimal(v) for v in ("10", "0", "35.20", "0", "7.15")])
    level = result.levels["90"]
    assert level.precision_percent == pytest.approx(Decimal(100) * level.precision / result.point_estimate)


def test_nonzero_counts_the_items_with_a_value():
    assert appraise_variable(100, [Decimal(0), Decimal("3"), Decimal(0), Decimal("-1")]).nonzero == 2


def test_missing_sample_items_count_as_zero_when_the_sample_size_is_given():
    short = appraise_variable(100, [Decimal(5), Decimal(7)], sample_size=4)
    full = appraise_variable(100, [Decimal(5), Decimal(7), Decimal(0), Decimal(0)])
    assert short == full


def test_a_single_item_sample_is_refused():
    with pytest.raises(AppraisalError, match="at least 2"):
        appraise_variable(100, [Decimal(5)])


def test_a_sample_larger_than_the_universe_is_refused():
    with pytest.raises(AppraisalError, match="larger than the universe"):
        appraise_variable(2, [Decimal(1), Decimal(2), Decimal(3)])


@settings(max_examples=40, deadline=None)
@given(strata=st.lists(st.tuples(st.lists(amounts, min_size=2, max_size=20), st.integers(0, 10**5)), min_size=1, max_size=5))
def test_stratified_appraisal_matches_an_independent_computation(strata):
    universes = {f"s{i}": len(v) + extra for i, (v, extra) in enumerate(strata)}
    values = {f"s{i}": v for i, (v, _) in enumerate(strata)}
    result = appraise_stratified_variable(universes, values)
    point = 0.0
    variance = 0.0
    for name, vs in values.items():
        x = np.array([float(v) for v in vs])
        N, n = universes[name], len(x)
        point += N * x.mean()
        variance += N * N * x.var(ddof=1) / n * (N - n) / N
    scale = max(1.0, abs(point), math.sqrt(variance))
    assert float(result.combined.point_estimate) == pytest.approx(point, abs=1e-9 * scale)
    for level, z in NORMAL_QUANTILES.items():
        precision = float(z) * math.sqrt(variance)
        assert float(result.combined.levels[level].precision) == pytest.approx(precision, rel=1e-9, abs=1e-9 * scale)


def test_the_normal_quantiles_are_those_of_the_standard_normal():
    for level, q in (("80", 0.90), ("90", 0.95), ("95", 0.975)):
        assert float(NORMAL_QUANTILES[level]) == pytest.approx(stats.norm.ppf(q), abs=1e-11)


def test_one_stratum_is_the_unrestricted_appraisal_with_normal_quantiles():
    values = [Decimal(v) for v in ("1", "4", "9", "16")]
    stratified = appraise_stratified_variable({"only": 40}, {"only": values})
    plain = appraise_variable(40, values, quantiles=NORMAL_QUANTILES)
    assert stratified.combined.point_estimate == plain.point_estimate
    assert stratified.combined.levels["90"].precision == plain.levels["90"].precision


def test_values_for_an_unlisted_stratum_are_refused():
    with pytest.raises(AppraisalError, match="does not list"):
        appraise_stratified_variable({"a": 10}, {"a": [Decimal(1), Decimal(2)], "b": [Decimal(1), Decimal(2)]})
