"""Unrestricted attribute appraisal: the public check, the definition held exactly, edge cases."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import hypergeom

from codingwatch.sampling import AppraisalError, appraise_attribute
from codingwatch.sampling.attribute import LEVELS, exact_lower_tail, exact_upper_tail, log_tail


def test_public_check_lower_limits_for_150_100_97():
    result = appraise_attribute(150, 100, 97)
    assert {level: low for level, (low, _) in result.limits.items()} == {"80": 143, "90": 142, "95": 141}


def _assert_definition(N, n, k, result):
    """The limits are exactly the boundary K of the definition, checked in fractions."""
    for level, (low, high) in result.limits.items():
        alpha = LEVELS[level]
        assert exact_upper_tail(N, low, n, k) > alpha
        if low > 0:
            assert exact_upper_tail(N, low - 1, n, k) <= alpha
        assert exact_lower_tail(N, high, n, k) > alpha
        if high < N:
            assert exact_lower_tail(N, high + 1, n, k) <= alpha


@settings(max_examples=60, deadline=None)
@given(N=st.integers(1, 400), data=st.data())
def test_limits_are_the_exact_boundaries_of_the_definition(N, data):
    n = data.draw(st.integers(1, N))
    k = data.draw(st.integers(0, n))
    _assert_definition(N, n, k, appraise_attribute(N, n, k))
    _assert_definition(N, n, k, appraise_attribute(N, n, k, screen=True))


@settings(max_examples=25, deadline=None)
@given(N=st.integers(10**6, 2 * 10**9), n=st.integers(1, 400), data=st.data())
def test_the_fast_search_equals_the_all_exact_search_at_large_universes(N, n, data):
    k = data.draw(st.integers(0, n))
    assert appraise_attribute(N, n, k, screen=True).limits == appraise_attribute(N, n, k, exact_only=True).limits
    assert appraise_attribute(N, n, k).limits == appraise_attribute(N, n, k, exact_only=True).limits


@settings(max_examples=40, deadline=None)
@given(N=st.integers(1, 10**7), data=st.data())
def test_limits_widen_with_confidence_and_bracket_the_point_estimate(N, data):
    n = data.draw(st.integers(1, min(N, 500)))
    k = data.draw(st.integers(0, n))
    result = appraise_attribute(N, n, k)
    (l80, u80), (l90, u90), (l95, u95) = (result.limits[x] for x in ("80", "90", "95"))
    assert l95 <= l90 <= l80 <= result.point_estimate <= u80 <= u90 <= u95


@pytest.mark.parametrize("N,K,n,k", [(10**9, 5 * 10**7, 200, 9), (5000, 400, 300, 30), (2 * 10**9, 10**8, 1000, 60)])
def test_the_float_tail_agrees_with_the_exact_fraction(N, K, n, k):
    # (scipy's hypergeom is off by up to 1e-7 relative at N = 10**9, which is why the screen is ours)
    for side, exact in (("le", exact_lower_tail), ("ge", exact_upper_tail)):
        ours, bound = log_tail(N, K, n, k, side)
        assert abs(ours - math.log(exact(N, K, n, k))) <= bound


def test_the_float_tail_agrees_with_scipy_on_a_small_universe():
    ours, _ = log_tail(5000, 400, 300, 30, "le")
    assert math.exp(ours) == pytest.approx(hypergeom.cdf(30, 5000, 400, 300), rel=1e-8)


def test_exact_tails_agree_with_scipy():
    assert float(exact_upper_tail(1000, 100, 50, 7)) == pytest.approx(hypergeom.sf(6, 1000, 100, 50), rel=1e-12)
    assert float(exact_lower_tail(1000, 100, 50, 7)) == pytest.approx(hypergeom.cdf(7, 1000, 100, 50), rel=1e-12)


def test_no_hits_puts_the_lower_limit_at_zero():
    result = appraise_attribute(5000, 100, 0)
    assert all(low == 0 for low, _ in result.limits.values())
    _assert_definition(5000, 100, 0, result)


def test_all_hits_puts_the_upper_limit_at_the_universe():
    result = appraise_attribute(5000, 100, 100)
    assert all(high == 5000 for _, high in result.limits.values())
    _assert_definition(5000, 100, 100, result)


def test_a_census_knows_the_count_exactly():
    result = appraise_attribute(80, 80, 13)
    assert all(limits == (13, 13) for limits in result.limits.values())


def test_a_sample_of_one():
    result = appraise_attribute(1000, 1, 1)
    _assert_definition(1000, 1, 1, result)
    assert result.limits["95"][1] == 1000


def test_a_universe_of_one():
    assert appraise_attribute(1, 1, 1).limits["90"] == (1, 1)
    assert appraise_attribute(1, 1, 0).limits["90"] == (0, 0)


def test_rates_are_the_counts_over_the_universe():
    result = appraise_attribute(150, 100, 97).as_dict()
    assert result["rates"]["point_estimate"] == 0.97
    assert result["rates"]["limits"]["80"]["lower"] == 143 / 150
    assert result["point_estimate"] == 145.5


def test_a_boundary_where_the_probability_equals_alpha_exactly_is_excluded():
    # N=20, n=1, k=1: P(X >= 1 | K) = K/20, which equals alpha = 1/10 at K = 2 exactly, 1/20 at
    # K = 1: the strict comparison must exclude those K.
    result = appraise_attribute(20, 1, 1)
    assert exact_upper_tail(20, 2, 1, 1) == Fraction(1, 10)
    assert result.limits["80"][0] == 3
    assert result.limits["90"][0] == 2


@pytest.mark.parametrize("args,message", [
    ((100, 101, 1), "larger than the universe"),
    ((100, 10, 11), "more than the sample size"),
    ((100, 0, 0), "at least 1"),
    ((100, 10, -1), "negative"),
])
def test_inconsistent_inputs_are_refused(args, message):
    with pytest.raises(AppraisalError, match=message):
        appraise_attribute(*args)
