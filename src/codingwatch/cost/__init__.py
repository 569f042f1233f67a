"""The total cost of coding: in-house, onshore, offshore and hybrid options with every component.

The one call a page or a report needs is `evaluate(scenario_dict)`: every figure of every
option, the tornado and the Monte Carlo summary, from a scenario in its YAML shape.

    from codingwatch.cost import evaluate, preset_scenario
    result = evaluate(preset_scenario("public-2025").to_dict(), draws=10_000, seed=1)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from codingwatch.cost.analysis import breakeven, sensitivity, simulate
from codingwatch.cost.model import compare, headline
from codingwatch.cost.scenario import Problem, Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "breakeven",
    "compare",
    "evaluate",
    "headline",
    "input_table",
    "load_scenario",
    "parse_scenario",
    "preset_names",
    "preset_path",
    "preset_scenario",
    "sensitivity",
    "simulate",
]


def preset_names() -> list[str]:
    folder = resources.files("codingwatch.cost") / "presets"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def preset_path(name: str) -> Path:
    if name not in preset_names():
        raise ScenarioError([f"no preset `{name}` (presets: {', '.join(preset_names())})"], "preset")
    return Path(str(resources.files("codingwatch.cost") / "presets" / f"{name}.yaml"))


def preset_scenario(name: str) -> Scenario:
    return load_scenario(preset_path(name))


def input_table(scenario: Scenario) -> list[dict]:
    """Every input the scenario states, with unit, range, distribution and source (for reports)."""
    rows = []
    for path in scenario.stated_paths():
        spec = scenario.input_spec(path)
        rows.append({"input": path, "value": spec.value, "unit": spec.unit, "low": spec.low,
                     "high": spec.high, "distribution": spec.distribution, "source": spec.source})
    return rows


def evaluate(scenario: dict | Scenario, *, draws: int = 10_000, seed: int = 0,
             pair: tuple[str, str] | None = None) -> dict:
    """Every figure for a scenario dict: comparison, headline per domestic-equivalent hour, tornado,
    Monte Carlo summary, measured figures (if any) and the input table. Raises ScenarioError
    (naming each bad field) when the scenario is not valid."""
    if not isinstance(scenario, Scenario):
        scenario = parse_scenario(scenario)
    result = {
        "comparison": compare(scenario),
        "headline": headline(scenario),
        "inputs": input_table(scenario),
        "notes": list(scenario.notes),
        "measured": scenario.measured,
    }
    if len(scenario.options) >= 2:
        result["tornado"] = sensitivity(scenario, pair)
    result["simulation"] = simulate(scenario, draws=draws, seed=seed)
    return result
