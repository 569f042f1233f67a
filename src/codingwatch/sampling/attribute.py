"""Unrestricted attribute appraisal: exact hypergeometric limits, as RAT-STATS computes them.

Universe N, sample n, k sample items with the attribute (e.g. coding errors). At each two-sided
confidence (80, 90, 95%, i.e. alpha = 0.10, 0.05, 0.025 in each tail) the limits on K, the
number of universe items with the attribute, are:

- lower: the smallest K with P(X >= k | N, K, n) > alpha
- upper: the largest  K with P(X <= k | N, K, n) > alpha

X hypergeometric. P(X >= k) grows with K and P(X <= k) falls with K, so each limit is found by
bisection over K (about 31 probability evaluations at N = 2,000,000,000 instead of a loop over
every K). Each comparison is first made in floating point, in log space (`log_tail`); where
the probability lies within that computation's error bound of alpha, the comparison is settled
exactly, in integers: the sum of C(K,x) C(N-K,n-x) over the tail against alpha * C(N, n). At a
boundary the probability can equal alpha exactly, and the strict comparison then decides.

The float tail is our own rather than scipy.stats.hypergeom because scipy's (Boost's) CDF takes
up to 0.1 s per call far out in the tails at N in the billions, while this one costs tens of
microseconds and has an error we can bound; tests hold both to the exact fractions.

A small appraisal (C(N, n) of at most EXACT_BITS bits, e.g. N = 150, n = 100, or n up to 118 at any
N up to billions) skips the float screen and decides every comparison in integers: at that size
the exact sums cost no more than the screen, and the answer is the one the screen would reach
(the screen only ever settles what the integers would). numpy, which the screen needs, is then
not imported at all, so `codingwatch appraise attribute` answers without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from codingwatch.errors import CodingwatchError

# Two-sided confidence (percent) -> alpha in each tail.
LEVELS: dict[str, Fraction] = {"80": Fraction(1, 10), "90": Fraction(1, 20), "95": Fraction(1, 40)}
EXACT_BITS = 3000
"""Up to this size of C(N, n) (in bits) every comparison is made exactly, without the float screen."""


class AppraisalError(CodingwatchError, ValueError):
    """The appraisal's inputs are inconsistent (e.g. a sample larger than the universe)."""


# ---- exact tails -----------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _comb(N: int, n: int) -> int:
    return math.comb(N, n)


def _tail_sum(N: int, K: int, n: int, start: int, stop: int) -> int:
    """sum over x in start..stop of C(K, x) C(N-K, n-x), exactly (term ratio recurrence)."""
    low = max(0, n - (N - K))
    high = min(n, K)
    start, stop = max(start, low), min(stop, high)
    if start > stop:
        return 0
    term = math.comb(K, start) * math.comb(N - K, n - start)
    total = term
    for x in range(start, stop):
        # T(x+1) = T(x) (K-x)(n-x) / ((x+1)(N-K-n+x+1)); the division is exact.
        term = term * (K - x) * (n - x) // ((x + 1) * (N - K - n + x + 1))
        total += term
    return total


def exact_upper_tail(N: int, K: int, n: int, k: int) -> Fraction:
    """P(X >= k | N, K, n) as a fraction."""
    return Fraction(_ge_sum(N, K, n, k), _comb(N, n))


def exact_lower_tail(N: int, K: int, n: int, k: int) -> Fraction:
    """P(X <= k | N, K, n) as a fraction."""
    return Fraction(_le_sum(N, K, n, k), _comb(N, n))


def _support(N: int, K: int, n: int) -> tuple[int, int]:
    return max(0, n - (N - K)), min(n, K)


def _le_sum(N: int, K: int, n: int, k: int) -> int:
    low, high = _support(N, K, n)
    if k < low:
        return 0
    if k >= high:
        return _comb(N, n)
    # Sum the shorter side.
    if k - low <= high - k:
        return _tail_sum(N, K, n, low, k)
    return _comb(N, n) - _tail_sum(N, K, n, k + 1, high)


def _ge_sum(N: int, K: int, n: int, k: int) -> int:
    return _comb(N, n) - _le_sum(N, K, n, k - 1)


def _exceeds_exact(total: int, N: int, n: int, alpha: Fraction) -> bool:
    return total * alpha.denominator > alpha.numerator * _comb(N, n)


# ---- float tails in log space ---------------------------------------------------------------
def _log_pmf(N: int, K: int, n: int, x: int) -> float:
    """log P(X = x): log C(n, x) + sum log((K-i)/(N-i)) + sum log((N-K-j)/(N-x-j))."""
    import numpy as np

    i = np.arange(x, dtype=np.float64)
    j = np.arange(n - x, dtype=np.float64)
    hits = np.log((K - i) / (N - i)).sum() if x else 0.0
    misses = np.log((N - K - j) / (N - x - j)).sum() if n - x else 0.0
    return math.lgamma(n + 1) - math.lgamma(x + 1) - math.lgamma(n - x + 1) + hits + misses


def log_tail(N: int, K: int, n: int, k: int, side: str) -> tuple[float, float]:
    """(log P(X <= k) for side "le" or log P(X >= k) for "ge", a bound on its absolute error).

    The sum starts at x = k, the tail's end nearest the bulk, and walks outward by the term
    ratio until terms fall below e**-50 of the largest, so few terms are added and the error
    stays near n units in the last place.
    """
    import numpy as np

    low, high = _support(N, K, n)
    if side == "le":
        if k < low:
            return -math.inf, 0.0
        k = min(k, high)
        remaining = k - low
    else:
        if k > high:
            return -math.inf, 0.0
        k = max(k, low)
        remaining = high - k
    first = _log_pmf(N, K, n, k)
    pieces = [np.array([first])]
    position, current, top, steps = k, first, first, 0
    while remaining > 0:
        width = min(remaining, 4096)
        if side == "le":  # T(x-1)/T(x) = x (N-K-n+x) / ((K-x+1)(n-x+1)), x = position..
            x = np.arange(position, position - width, -1, dtype=np.float64)
            ratios = (x / (K - x + 1)) * ((N - K - n + x) / (n - x + 1))
            position -= width
        else:  # T(x+1)/T(x) = (K-x)(n-x) / ((x+1)(N-K-n+x+1))
            x = np.arange(position, position + width, dtype=np.float64)
            ratios = ((K - x) / (x + 1)) * ((n - x) / (N - K - n + x + 1))
            position += width
        logs = current + np.cumsum(np.log(ratios))
        pieces.append(logs)
        steps += width
        remaining -= width
        current = float(logs[-1])
        top = max(top, float(logs.max()))
        if current < top - 50 and float(logs[-1]) <= float(logs[0]):
            break  # the terms are falling and already negligible
    logs = np.concatenate(pieces)
    top = float(logs.max())
    total = top + math.log(float(np.exp(logs - top).sum()))
    # Rounding: a few ulps per log term in the start term (n of them) and per step, each of a
    # quantity no larger than the partial sums' magnitude. A truncated sum leaves out at most
    # `remaining` terms, each below e**-50 of the largest (the pmf is unimodal and already
    # past its peak), so a relative error below remaining * e**-50.
    scale = 1.0 + abs(first) + abs(top - first) + 60.0
    bound = 4e-16 * (n + steps + 60) * scale + (remaining * math.exp(-50) if remaining > 0 else 0.0)
    return total, bound


# ---- decisions: float screen, exact at the boundary ------------------------------------------
class _Counter:
    def __init__(self) -> None:
        self.float_calls = 0
        self.exact_calls = 0


def _decide(log_p: float, bound: float, alpha: Fraction) -> bool | None:
    """p > alpha if the float says so beyond its error bound, else None (undecided)."""
    gap = log_p - math.log(alpha)
    if gap > 2 * bound + 1e-12:
        return True
    if gap < -(2 * bound + 1e-12):
        return False
    return None


def _ge_exceeds(N: int, K: int, n: int, k: int, alpha: Fraction, counter: _Counter, exact_only: bool) -> bool:
    """P(X >= k | N, K, n) > alpha."""
    if not exact_only:
        counter.float_calls += 1
        decided = _decide(*log_tail(N, K, n, k, "ge"), alpha)
        if decided is not None:
            return decided
    counter.exact_calls += 1
    return _exceeds_exact(_ge_sum(N, K, n, k), N, n, alpha)


def _le_exceeds(N: int, K: int, n: int, k: int, alpha: Fraction, counter: _Counter, exact_only: bool) -> bool:
    """P(X <= k | N, K, n) > alpha."""
    if not exact_only:
        counter.float_calls += 1
        decided = _decide(*log_tail(N, K, n, k, "le"), alpha)
        if decided is not None:
            return decided
    counter.exact_calls += 1
    return _exceeds_exact(_le_sum(N, K, n, k), N, n, alpha)


def lower_limit(N: int, n: int, k: int, alpha: Fraction, *, exact_only: bool = False, counter=None) -> int:
    """The smallest K with P(X >= k | N, K, n) > alpha."""
    counter = counter or _Counter()
    lo, hi = k, N - (n - k)  # the K consistent with the sample; at hi the probability is 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _ge_exceeds(N, mid, n, k, alpha, counter, exact_only):
            hi = mid
        else:
            lo = mid + 1
    return lo


def upper_limit(N: int, n: int, k: int, alpha: Fraction, *, exact_only: bool = False, counter=None) -> int:
    """The largest K with P(X <= k | N, K, n) > alpha."""
    counter = counter or _Counter()
    lo, hi = k, N - (n - k)  # at lo the probability is 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _le_exceeds(N, mid, n, k, alpha, counter, exact_only):
            lo = mid
        else:
            hi = mid - 1
    return lo


# ---- the appraisal ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AttributeAppraisal:
    universe: int
    sample: int
    hits: int
    limits: dict[str, tuple[int, int]]  # "80" -> (lower, upper) counts

    @property
    def point_estimate(self) -> Fraction:
        """N * k / n, the estimated count of universe items with the attribute."""
        return Fraction(self.universe * self.hits, self.sample)

    @property
    def rate(self) -> Fraction:
        return Fraction(self.hits, self.sample)

    def as_dict(self) -> dict:
        N = self.universe
        return {
            "universe": N,
            "sample": self.sample,
            "hits": self.hits,
            "point_estimate": float(self.point_estimate),
            "limits": {
                level: {"lower": low, "upper": high} for level, (low, high) in self.limits.items()
            },
            "rates": {
                "point_estimate": float(self.rate),
                "limits": {
                    level: {"lower": low / N, "upper": high / N}
                    for level, (low, high) in self.limits.items()
                },
            },
        }


def check_attribute_inputs(universe: int, sample: int, hits: int) -> None:
    if universe < 1:
        raise AppraisalError(f"universe size must be at least 1 (got {universe})")
    if sample < 1:
        raise AppraisalError(f"sample size must be at least 1 (got {sample})")
    if sample > universe:
        raise AppraisalError(f"sample size {sample} is larger than the universe {universe}")
    if hits < 0:
        raise AppraisalError(f"items with the attribute cannot be negative (got {hits})")
    if hits > sample:
        raise AppraisalError(f"{hits} items with the attribute is more than the sample size {sample}")


def appraise_attribute(universe: int, sample: int, hits: int, *, exact_only: bool = False,
                       screen: bool | None = None) -> AttributeAppraisal:
    """Exact two-sided 80/90/95% limits on the universe count, RAT-STATS' unrestricted attribute appraisal.

    `screen`: None (the default) screens comparisons in floating point only where C(N, n) has
    more than EXACT_BITS bits; True always screens first; False (or `exact_only=True`) never
    does. The limits are the same every way.
    """
    check_attribute_inputs(universe, sample, hits)
    if screen is None:
        screen = _comb(universe, sample).bit_length() > EXACT_BITS
    exact_only = exact_only or not screen
    limits = {
        level: (
            lower_limit(universe, sample, hits, alpha, exact_only=exact_only),
            upper_limit(universe, sample, hits, alpha, exact_only=exact_only),
        )
        for level, alpha in LEVELS.items()
    }
    return AttributeAppraisal(universe=universe, sample=sample, hits=hits, limits=limits)
