"""Sample size determination, attribute and variable. Each formula names its published source.

Confidence is two-sided (80, 90 or 95%); z is the standard normal quantile 1 - alpha/2 (the
same quantiles RAT-STATS prints: 1.281551565545, 1.644853626951, 1.95996398454).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from codingwatch.sampling.attribute import AppraisalError
from codingwatch.sampling.variable import NORMAL_QUANTILES

CONFIDENCES = {"80": 0.90, "90": 0.95, "95": 0.975}


def _z(confidence: str) -> float:
    if confidence not in NORMAL_QUANTILES:
        raise AppraisalError(f"confidence must be 80, 90 or 95 (got {confidence})")
    return float(NORMAL_QUANTILES[confidence])


@dataclass(frozen=True)
class SampleSize:
    sample_size: int
    n0: float  # the infinite-universe size before the finite population correction
    formula: str
    source: str
    inputs: dict

    def as_dict(self) -> dict:
        return {
            "sample_size": self.sample_size,
            "n0": round(self.n0, 6),
            "formula": self.formula,
            "source": self.source,
            "inputs": self.inputs,
        }


def attribute_sample_size(
    universe: int, expected_rate: float, precision: float, confidence: str = "90"
) -> SampleSize:
    """The sample size estimating a proportion within +/- `precision` at `confidence`.

    Formula (Cochran, W. G., *Sampling Techniques*, 3rd ed., Wiley 1977, chapter 4, section 4.4
    "The formula for n in sampling for proportions"):

        n0 = z**2 * p * (1 - p) / d**2
        n  = n0 / (1 + (n0 - 1) / N)          rounded up

    p the expected error rate, d the desired precision (absolute, as a rate), N the universe.
    """
    if universe < 1:
        raise AppraisalError(f"universe size must be at least 1 (got {universe})")
    if not 0 < expected_rate < 1:
        raise AppraisalError(f"expected error rate must be between 0 and 1, exclusive (got {expected_rate})")
    if not 0 < precision < 1:
        raise AppraisalError(f"desired precision must be a rate between 0 and 1, exclusive (got {precision})")
    z = _z(confidence)
    n0 = z * z * expected_rate * (1 - expected_rate) / (precision * precision)
    n = n0 / (1 + (n0 - 1) / universe)
    size = min(universe, max(1, math.ceil(n - 1e-9)))
    return SampleSize(
        sample_size=size,
        n0=n0,
        formula="n0 = z^2 p (1-p) / d^2; n = n0 / (1 + (n0 - 1) / N)",
        source="Cochran, Sampling Techniques, 3rd ed. (1977), section 4.4",
        inputs={"universe": universe, "expected_rate": expected_rate, "precision": precision,
                "confidence": confidence, "z": z},
    )


def variable_sample_size(
    universe: int,
    std_dev: float,
    precision: float,
    confidence: str = "90",
    probe_size: int | None = None,
) -> SampleSize:
    """The sample size estimating a universe total within +/- `precision` dollars.

    Formula (Cochran 1977, chapter 4, section 4.6 "Sample size with continuous data", written
    for the total Y = N * mean with absolute precision D). When S is estimated from a probe
    sample of n1 items, Student's t with n1 - 1 degrees of freedom replaces z, as in Stein's
    two-stage procedure (C. Stein, Annals of Mathematical Statistics 16 (1945) 243-258):

        n0 = (z * N * S / D)**2
        n  = n0 / (1 + n0 / N)                rounded up

    S the probe sample's standard deviation (divisor n1 - 1), D the desired precision of the
    total in dollars, N the universe.
    """
    if universe < 1:
        raise AppraisalError(f"universe size must be at least 1 (got {universe})")
    if std_dev < 0 or not math.isfinite(std_dev):
        raise AppraisalError(f"standard deviation must be a non-negative number (got {std_dev})")
    if precision <= 0 or not math.isfinite(precision):
        raise AppraisalError(f"desired precision must be a positive dollar amount (got {precision})")
    if probe_size is not None:
        if probe_size < 2:
            raise AppraisalError(f"a probe sample needs at least 2 items (got {probe_size})")
        if confidence not in CONFIDENCES:
            raise AppraisalError(f"confidence must be 80, 90 or 95 (got {confidence})")
        from scipy.stats import t as student_t  # here, not at import: scipy takes a second to load

        quantile = float(student_t.ppf(CONFIDENCES[confidence], probe_size - 1))
        label = "t"
    else:
        quantile = _z(confidence)
        label = "z"
    n0 = (quantile * universe * std_dev / precision) ** 2
    n = n0 / (1 + n0 / universe)
    size = min(universe, max(2, math.ceil(n - 1e-9))) if universe >= 2 else 1
    return SampleSize(
        sample_size=size,
        n0=n0,
        formula=f"n0 = ({label} N S / D)^2; n = n0 / (1 + n0 / N)",
        source="Cochran, Sampling Techniques, 3rd ed. (1977), section 4.6; t from a probe sample as in Stein (1945)",
        inputs={"universe": universe, "std_dev": std_dev, "precision": precision,
                "confidence": confidence, label: quantile, "probe_size": probe_size},
    )
