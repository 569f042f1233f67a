"""Sample sizes: the smallest n whose achieved precision meets the request."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codingwatch.sampling import AppraisalError
from codingwatch.sampling.size import attribute_sample_size, variable_sample_size
from codingwatch.sampling.variable import NORMAL_QUANTILES


def attribute_precision(N, n, p, z):
    # Cochran's variance of a sample proportion without replacement: pq/n * (N-n)/(N-1)
    return z * math.sqrt(p * (1 - p) / n * (N - n) / (N - 1)) if N > 1 else 0.0


@settings(max_examples=80, deadline=None)
@given(N=st.integers(2, 10**8), p=st.floats(0.01, 0.99), d=st.floats(0.005, 0.3),
       confidence=st.sampled_from(["80", "90", "95"]))
def test_the_attribute_size_is_the_smallest_meeting_the_precision(N, p, d, confidence):
    result = attribute_sample_size(N, p, d, confidence)
    z = float(NORMAL_QUANTILES[confidence])
    n = result.sample_size
    assert attribute_precision(N, n, p, z) <= d * (1 + 1e-9)
    if n > 1:
        assert attribute_precision(N, n - 1, p, z) > d * (1 - 1e-9)


@settings(max_examples=80, deadline=None)
@given(N=st.integers(3, 10**7), s=st.floats(1, 10_000), relative=st.floats(0.001, 0.5),
       confidence=st.sampled_from(["80", "90", "95"]))
def test_the_variable_size_is_the_smallest_meeting_the_precision(N, s, relative, confidence):
    D = relative * N * s
    result = variable_sample_size(N, s, D, confidence)
    z = float(NORMAL_QUANTILES[confidence])
    n = result.sample_size

    def precision(m):
        return z * N * s / math.sqrt(m) * math.sqrt((N - m) / N)

    assert precision(n) <= D * (1 + 1e-9)
    if n > 2:
        assert precision(n - 1) > D * (1 - 1e-9)


def test_a_probe_sample_uses_t_and_asks_for_more():
    with_z = variable_sample_size(10_000, 150.0, 100_000, "90")
    with_t = variable_sample_size(10_000, 150.0, 100_000, "90", probe_size=10)
    assert with_t.sample_size > with_z.sample_size
    assert "t" in with_t.inputs


def test_each_result_names_its_formula_and_source():
    result = attribute_sample_size(1000, 0.1, 0.05)
    assert "Cochran" in result.source and "z^2" in result.formula


@pytest.mark.parametrize("args", [(1000, 0, 0.05), (1000, 0.1, 0), (1000, 1.2, 0.05), (0, 0.1, 0.05)])
def test_impossible_attribute_requests_are_refused(args):
    with pytest.raises(AppraisalError):
        attribute_sample_size(*args)


def test_an_unknown_confidence_is_refused():
    with pytest.raises(AppraisalError, match="80, 90 or 95"):
        attribute_sample_size(1000, 0.1, 0.05, "99")
