"""Where the answer turns: the tornado, the Monte Carlo simulation and break-even values.

All three run the one model in `codingwatch.cost.model`: the tornado and break-even on exact
Decimals (break-even searches on floats, then reports the Decimal figures at the solution),
the simulation on numpy arrays holding every draw at once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from codingwatch.cost.inputs import OPTION_INPUTS, SCENARIO_INPUTS
from codingwatch.cost.model import all_totals, compare, money, option_costs, resolve_values
from codingwatch.cost.scenario import Scenario, ScenarioError
from codingwatch.reports import format as fmt

PERCENTILES = (5, 25, 50, 75, 95)


def _definition(path: str):
    return OPTION_INPUTS[path.split(".", 1)[1]] if "." in path else SCENARIO_INPUTS[path]


def default_pair(scenario: Scenario) -> tuple[str, str]:
    """The two options the answer is between: the cheapest and the runner-up at the stated values."""
    if len(scenario.options) < 2:
        raise ScenarioError(["options: two options are needed to compare"], scenario.name)
    ranking = compare(scenario)["ranking"]
    return ranking[0], ranking[1]


def check_pair(scenario: Scenario, pair: tuple[str, str] | None) -> tuple[str, str]:
    if pair is None:
        return default_pair(scenario)
    problems = [f"--options: `{name}` is not an option ({', '.join(scenario.options)})"
                for name in pair if name not in scenario.options]
    if len(pair) != 2 or pair[0] == pair[1]:
        problems.append("--options: name two different options, e.g. in_house,offshore")
    if problems:
        raise ScenarioError(problems, scenario.name)
    return pair[0], pair[1]


# ---- tornado ----------------------------------------------------------------------------------


def sensitivity(scenario: Scenario, pair: tuple[str, str] | None = None) -> dict:
    """Swing each input with a stated range from low to high, the others at their values.

    The measure is the yearly cost difference A - B of the pair (default: the two cheapest);
    bars are sorted by how far it moves. `flips` marks inputs whose range crosses zero, i.e.
    where the answer turns.
    """
    a, b = check_pair(scenario, pair)
    base_values = resolve_values(scenario)
    base = all_totals(scenario, base_values)
    base_diff = base[a] - base[b]
    rows = []
    for path in scenario.ranged_paths():
        spec = scenario.input_spec(path)
        ends = {}
        for end, value in (("low", spec.low), ("high", spec.high)):
            values = dict(base_values)
            values[path] = value
            ends[end] = all_totals(scenario, values)
        low_diff = ends["low"][a] - ends["low"][b]
        high_diff = ends["high"][a] - ends["high"][b]
        rows.append({
            "input": path,
            "unit": spec.unit,
            "source": spec.source,
            "low": spec.low,
            "value": spec.value,
            "high": spec.high,
            "difference_at_low": money(low_diff),
            "difference_at_high": money(high_diff),
            "swing": money(abs(high_diff - low_diff)),
            "flips": _sign(low_diff) != _sign(high_diff),
            "totals_at_low": {name: money(v) for name, v in ends["low"].items()},
            "totals_at_high": {name: money(v) for name, v in ends["high"].items()},
        })
    rows.sort(key=lambda r: (-r["swing"], r["input"]))
    return {
        "pair": [a, b],
        "measure": f"yearly cost of {a} minus {b}",
        "base_difference": money(base_diff),
        "base_totals": {name: money(v) for name, v in base.items()},
        "inputs": rows,
    }


def _sign(value) -> int:
    return (value > 0) - (value < 0)


# ---- Monte Carlo ------------------------------------------------------------------------------


def _clip(path: str, draws: np.ndarray) -> np.ndarray:
    kind = _definition(path).kind
    if kind in ("money", "rate", "count"):
        return np.maximum(draws, 0.0)
    if kind == "share":
        return np.clip(draws, 0.0, 1.0)
    if kind == "positive":
        return np.maximum(draws, 1e-9)
    return draws


def draw_inputs(scenario: Scenario, draws: int, rng: np.random.Generator) -> dict[str, np.ndarray | float]:
    """Float values of every input: arrays of draws for those with a distribution, scalars otherwise.

    Distributions (low and high are the stated range, value the most likely):
    triangular(low, value, high); uniform(low, high); pert (beta-PERT with mode value);
    normal (mean value, low and high as the 5th and 95th percentiles), clipped to what the input
    allows (no negative pay, shares within 0..1).
    """
    values: dict = resolve_values(scenario, as_float=True)
    for path in sorted(scenario.stated_paths()):
        spec = scenario.input_spec(path)
        if spec.distribution == "fixed" or spec.low is None or spec.low == spec.high:
            continue
        low, mode, high = float(spec.low), float(spec.value), float(spec.high)
        if spec.distribution == "triangular":
            sample = rng.triangular(low, mode, high, size=draws)
        elif spec.distribution == "uniform":
            sample = rng.uniform(low, high, size=draws)
        elif spec.distribution == "pert":
            span = high - low
            alpha = 1 + 4 * (mode - low) / span
            beta = 1 + 4 * (high - mode) / span
            sample = low + span * rng.beta(alpha, beta, size=draws)
        else:  # normal
            sample = rng.normal(mode, (high - low) / (2 * 1.6448536269514722), size=draws)
        values[path] = _clip(path, sample)
    return values


def simulate_totals(scenario: Scenario, draws: int, seed: int) -> dict[str, np.ndarray]:
    """Yearly totals of each option for `draws` draws: one vectorized pass, reproducible by seed."""
    rng = np.random.default_rng(seed)
    values = draw_inputs(scenario, draws, rng)
    out = {}
    for name in scenario.options:
        total = option_costs(scenario, name, values)["total"]
        out[name] = np.broadcast_to(np.asarray(total, dtype=float), (draws,))
    return out


def simulate(scenario: Scenario, draws: int = 10_000, seed: int = 0, bins: int = 40) -> dict:
    """Percentiles of each option's yearly cost and cost per chart, the probability each option is
    cheapest, and histogram counts for the distribution chart."""
    if draws < 1:
        raise ScenarioError([f"--draws: must be at least 1 (got {draws})"], scenario.name)
    totals = simulate_totals(scenario, draws, seed)
    names = list(totals)
    stacked = np.vstack([totals[n] for n in names])
    cheapest = np.argmin(stacked, axis=0)
    report = compare(scenario)
    lo, hi = float(stacked.min()), float(stacked.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    options = {}
    for i, name in enumerate(names):
        charts = float(report["options"][name]["charts_per_year"])
        pct = np.percentile(totals[name], PERCENTILES)
        counts, _ = np.histogram(totals[name], bins=edges)
        options[name] = {
            "label": scenario.options[name].label,
            "mean_per_year": _money_float(totals[name].mean()),
            "percentiles_per_year": {f"p{p}": _money_float(v) for p, v in zip(PERCENTILES, pct, strict=True)},
            "percentiles_per_chart": {f"p{p}": _money_float(v / charts)
                                      for p, v in zip(PERCENTILES, pct, strict=True)},
            "probability_cheapest": float(np.mean(cheapest == i)),
            "histogram": counts.tolist(),
        }
    baseline = totals[scenario.baseline]
    for name in names:
        options[name]["probability_cheaper_than_baseline"] = (
            None if name == scenario.baseline else float(np.mean(totals[name] < baseline)))
    return {
        "draws": draws,
        "seed": seed,
        "baseline": scenario.baseline,
        "uncertain_inputs": [p for p in scenario.stated_paths()
                             if scenario.input_spec(p).distribution != "fixed"],
        "options": options,
        "histogram_edges": [_money_float(e) for e in edges],
    }


def _money_float(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---- break-even -------------------------------------------------------------------------------


def breakeven(scenario: Scenario, path: str, pair: tuple[str, str] | None = None, *,
              low: Decimal | None = None, high: Decimal | None = None,
              tolerance: Decimal = Decimal("1")) -> dict:
    """The value of one input at which two options cost the same a year, within `tolerance` dollars.

    Searches the input's stated range (or low/high given here). The range is scanned for every
    change of sign of the cost difference and each crossing is solved (Brent's method) until the
    two totals, recomputed exactly in Decimal, differ by no more than the tolerance. When the
    difference keeps one sign over the whole range, there is no break-even there, and the result
    says which option is cheaper throughout.
    """
    try:
        spec = scenario.input_spec(path)
    except KeyError:
        raise ScenarioError([f"--input: `{path}` is not an input of this scenario (scenario inputs are "
                             "named like volume_inpatient; option inputs like offshore.hourly_pay)"],
                            scenario.name) from None
    name = path.split(".", 1)[-1]
    if name not in SCENARIO_INPUTS and name not in OPTION_INPUTS:
        raise ScenarioError([f"--input: `{path}` is not a known input"], scenario.name)
    a, b = check_pair(scenario, pair)
    lo = Decimal(low) if low is not None else spec.low
    hi = Decimal(high) if high is not None else spec.high
    if lo is None or hi is None:
        raise ScenarioError([f"{path}: has no stated range; give low and high in the scenario or "
                             "--low and --high"], scenario.name)
    if lo >= hi:
        raise ScenarioError([f"{path}: the search range needs low < high (got {lo}, {hi})"], scenario.name)
    definition = _definition(path)
    if definition.kind == "positive" and lo <= 0:
        raise ScenarioError([f"{path}: must stay above zero; search from a positive low"], scenario.name)

    float_values = resolve_values(scenario, as_float=True)
    exact_values = resolve_values(scenario)

    def gap_float(x: float) -> float:
        values = dict(float_values)
        values[path] = x
        return float(option_costs(scenario, a, values)["total"] - option_costs(scenario, b, values)["total"])

    def gap_exact(x: Decimal) -> Decimal:
        values = dict(exact_values)
        values[path] = x
        return option_costs(scenario, a, values)["total"] - option_costs(scenario, b, values)["total"]

    from scipy.optimize import brentq  # here, not at import: scipy takes a second to load

    grid = np.linspace(float(lo), float(hi), 401)
    gaps = np.array([gap_float(x) for x in grid])
    crossings = []
    for i in range(len(grid) - 1):
        g0, g1 = gaps[i], gaps[i + 1]
        if g0 == 0:
            crossings.append(grid[i])
        elif g0 * g1 < 0:
            crossings.append(brentq(gap_float, grid[i], grid[i + 1], xtol=1e-14, rtol=8.9e-16, maxiter=200))
    if gaps[-1] == 0:
        crossings.append(grid[-1])
    solutions = []
    for x in crossings:
        value = _refine(gap_exact, Decimal(repr(float(x))), tolerance, lo, hi)
        residual = gap_exact(value)
        solutions.append({"value": value, "cost_difference_at_value": money(residual),
                          "within_tolerance": abs(residual) <= tolerance})
    at_low, at_high = gap_exact(lo), gap_exact(hi)
    result = {
        "input": path,
        "unit": spec.unit,
        "pair": [a, b],
        "search_low": lo,
        "search_high": hi,
        "tolerance": tolerance,
        "difference_at_low": money(at_low),
        "difference_at_high": money(at_high),
        "breakeven": solutions,
        "found": bool(solutions),
    }
    if solutions:
        values = ", ".join(f"{s['value']}" for s in solutions)
        result["message"] = (f"{a} and {b} cost the same a year at {path} = {values} {spec.unit} "
                             f"(within ${tolerance}); stated value {spec.value}")
    else:
        cheaper = b if at_low > 0 else a
        result["message"] = (f"no break-even for {path} between {lo} and {hi} {spec.unit}: {cheaper} is "
                             f"cheaper throughout (by {fmt.money(abs(at_low))} a year at {lo}, "
                             f"{fmt.money(abs(at_high))} at {hi})")
    return result


def _refine(gap, x: Decimal, tolerance: Decimal, lo: Decimal, hi: Decimal) -> Decimal:
    """Polish a float root with Decimal secant steps, then round to the fewest digits that still
    keep the cost difference within tolerance."""
    step = (hi - lo) * Decimal("1e-9") or Decimal("1e-12")
    for _ in range(30):
        g = gap(x)
        if abs(g) <= tolerance / 1000:
            break
        slope = (gap(x + step) - g) / step
        if slope == 0:
            break
        x = min(max(x - g / slope, lo), hi)
    for digits in range(0, 16):
        candidate = x.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        if abs(gap(candidate)) <= tolerance:
            return candidate
    return x
