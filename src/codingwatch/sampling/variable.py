"""Variable appraisal (dollar values of a simple random or stratified sample), as RAT-STATS does.

Unrestricted (one simple random sample of n from a universe of N), for each of the examined,
audited and difference values:

    mean            = sum(x) / n
    std_dev         = s, with divisor n - 1
    std_err_mean    = s / sqrt(n) * sqrt((N - n) / N)       (finite population correction)
    point_estimate  = N * mean
    std_err_total   = N * std_err_mean
    precision       = t * std_err_total, t Student's t with n - 1 degrees of freedom at the
                      0.90, 0.95, 0.975 quantiles for 80, 90, 95% two-sided confidence
    lower, upper    = point_estimate -/+ precision
    precision_percent = 100 * precision / point_estimate

Stratified: each stratum h as above with its own N_h and n_h; combined point estimate
sum(N_h * mean_h), combined standard error sqrt(sum(std_err_total_h ** 2)), and the normal
quantiles 1.281551565545, 1.644853626951, 1.95996398454 in place of t, for the strata and the
combined figures alike. Sums and variances are exact (fractions); square roots and products
with t are taken in 40-digit decimals; money is returned as Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction

from codingwatch.sampling.attribute import AppraisalError

LEVEL_QUANTILES = {"80": 0.90, "90": 0.95, "95": 0.975}
NORMAL_QUANTILES = {
    "80": Decimal("1.281551565545"),
    "90": Decimal("1.644853626951"),
    "95": Decimal("1.95996398454"),
}
_CTX = Context(prec=40)
CENT = Decimal("0.01")


def _dec(value: Fraction) -> Decimal:
    return _CTX.divide(Decimal(value.numerator), Decimal(value.denominator))


def _sqrt(value: Fraction) -> Decimal:
    return _CTX.sqrt(_dec(value)) if value else Decimal(0)


@dataclass(frozen=True)
class Level:
    lower: Decimal
    upper: Decimal
    precision: Decimal
    precision_percent: Decimal | None
    t: Decimal

    def as_dict(self) -> dict:
        return {
            "lower": _money(self.lower),
            "upper": _money(self.upper),
            "precision": _money(self.precision),
            "precision_percent": None if self.precision_percent is None else float(round(self.precision_percent, 4)),
            "t": float(round(self.t, 6)),
        }


@dataclass(frozen=True)
class VariableAppraisal:
    universe: int
    sample: int
    point_estimate: Decimal
    mean: Decimal
    std_dev: Decimal | None
    std_err_mean: Decimal
    std_err_total: Decimal
    nonzero: int
    total: Decimal  # sum of the sample values
    levels: dict[str, Level]

    def as_dict(self) -> dict:
        return {
            "universe": self.universe,
            "sample": self.sample,
            "sample_total": _money(self.total),
            "nonzero": self.nonzero,
            "point_estimate": _money(self.point_estimate),
            "mean": _fine(self.mean),
            "std_dev": None if self.std_dev is None else _fine(self.std_dev),
            "std_err_mean": _fine(self.std_err_mean),
            "std_err_total": _money(self.std_err_total),
            "levels": {name: level.as_dict() for name, level in self.levels.items()},
        }


def _money(value: Decimal) -> float:
    # Cents, as a JSON number: a cent-rounded Decimal converts to the float whose repr is the
    # same decimal digits.
    return float(value.quantize(CENT))


def _fine(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.0001")))


def _levels(point: Decimal, std_err_total: Decimal, quantiles: dict[str, Decimal]) -> dict[str, Level]:
    levels = {}
    for name, q in quantiles.items():
        precision = _CTX.multiply(q, std_err_total)
        percent = None if point == 0 else _CTX.divide(precision * 100, abs(point))
        levels[name] = Level(
            lower=_CTX.subtract(point, precision),
            upper=_CTX.add(point, precision),
            precision=precision,
            precision_percent=percent,
            t=q,
        )
    return levels


def _moments(universe: int, values: list[Decimal], sample_size: int | None, what: str):
    n = sample_size if sample_size is not None else len(values)
    if n > universe:
        raise AppraisalError(f"{what}sample size {n} is larger than the universe {universe}")
    if len(values) > n:
        raise AppraisalError(f"{what}{len(values)} values but the sample size is {n}")
    if n < 1:
        raise AppraisalError(f"{what}no sample values")
    exact = [Fraction(v) for v in values]  # items beyond the file (sample_size) are zeros
    total = sum(exact, Fraction(0))
    mean = total / n
    if n >= 2:
        variance = (sum((x * x for x in exact), Fraction(0)) - n * mean * mean) / (n - 1)
    elif n == universe:
        variance = None  # a single item that is the whole universe: no sampling error
    else:
        raise AppraisalError(f"{what}a sample of 1 item has no standard deviation: at least 2 are needed")
    fpc = Fraction(universe - n, universe)
    var_mean = (variance or Fraction(0)) / n * fpc
    return n, total, mean, variance, var_mean, sum(1 for v in values if v != 0)


def appraise_variable(
    universe: int, values: list[Decimal], *, sample_size: int | None = None, quantiles: dict[str, Decimal] | None = None
) -> VariableAppraisal:
    """Unrestricted variable appraisal of one column of values (Student t unless `quantiles`)."""
    if universe < 1:
        raise AppraisalError(f"universe size must be at least 1 (got {universe})")
    n, total, mean, variance, var_mean, nonzero = _moments(universe, values, sample_size, "")
    if quantiles is None:
        from scipy.stats import t as student_t  # here, not at import: scipy takes a second to load

        quantiles = (
            {name: Decimal(repr(float(student_t.ppf(q, n - 1)))) for name, q in LEVEL_QUANTILES.items()}
            if n >= 2
            else {name: Decimal(0) for name in LEVEL_QUANTILES}
        )
    std_err_mean = _sqrt(var_mean)
    point = _dec(mean * universe)
    std_err_total = _CTX.multiply(std_err_mean, Decimal(universe))
    return VariableAppraisal(
        universe=universe,
        sample=n,
        point_estimate=point,
        mean=_dec(mean),
        std_dev=None if variance is None else _sqrt(variance),
        std_err_mean=std_err_mean,
        std_err_total=std_err_total,
        nonzero=nonzero,
        total=_dec(total),
        levels=_levels(point, std_err_total, quantiles),
    )


@dataclass(frozen=True)
class StratifiedAppraisal:
    strata: dict[str, VariableAppraisal]
    combined: VariableAppraisal

    def as_dict(self) -> dict:
        return {
            "strata": {name: result.as_dict() for name, result in self.strata.items()},
            "combined": self.combined.as_dict(),
        }


def appraise_stratified_variable(
    universes: dict[str, int],
    values: dict[str, list[Decimal]],
    sample_sizes: dict[str, int] | None = None,
) -> StratifiedAppraisal:
    """Stratified variable appraisal with the normal quantiles, per stratum and combined."""
    if not universes:
        raise AppraisalError("no strata")
    unknown = sorted(set(values) - set(universes))
    if unknown:
        raise AppraisalError(f"values for stratum {', '.join(unknown)} which the strata file does not list")
    sample_sizes = sample_sizes or {}
    strata: dict[str, VariableAppraisal] = {}
    point = Fraction(0)
    var_total = Fraction(0)
    universe_total = 0
    sample_total = 0
    nonzero = 0
    sum_values = Fraction(0)
    for name, universe in universes.items():
        stratum_values = values.get(name, [])
        if not stratum_values and name not in sample_sizes:
            raise AppraisalError(f"stratum {name}: no sample values")
        what = f"stratum {name}: "
        if universe < 1:
            raise AppraisalError(f"{what}universe size must be at least 1 (got {universe})")
        n, total, mean, variance, var_mean, nz = _moments(universe, stratum_values, sample_sizes.get(name), what)
        strata[name] = appraise_variable(
            universe, stratum_values, sample_size=sample_sizes.get(name), quantiles=NORMAL_QUANTILES
        )
        point += mean * universe
        var_total += var_mean * universe * universe
        universe_total += universe
        sample_total += n
        nonzero += nz
        sum_values += total
    std_err_total = _sqrt(var_total)
    point_dec = _dec(point)
    combined = VariableAppraisal(
        universe=universe_total,
        sample=sample_total,
        point_estimate=point_dec,
        mean=_dec(point / universe_total),
        std_dev=None,
        std_err_mean=_CTX.divide(std_err_total, Decimal(universe_total)),
        std_err_total=std_err_total,
        nonzero=nonzero,
        total=_dec(sum_values),
        levels=_levels(point_dec, std_err_total, NORMAL_QUANTILES),
    )
    return StratifiedAppraisal(strata=strata, combined=combined)
