"""Monte Carlo of the cost model: 100,000 draws of a 4-option scenario (target: under 1 s).

Baseline, measured in the same run: the same model evaluated one draw at a time in a Python
loop (each draw's inputs sampled as scalars), over fewer draws and extrapolated to 100,000.
Writes benchmarks/results/cost.json.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from codingwatch.cost import preset_scenario
from codingwatch.cost.analysis import draw_inputs, simulate, simulate_totals
from codingwatch.cost.model import option_costs

DRAWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
LOOP_DRAWS = 2_000
RESULTS = Path(__file__).resolve().parent / "results" / "cost.json"


def best_of(runs: int, call) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def per_draw_loop(scenario, draws: int, seed: int) -> dict[str, list[float]]:
    """The naive way: draw one set of inputs, run the model, repeat."""
    rng = np.random.default_rng(seed)
    totals: dict[str, list[float]] = {name: [] for name in scenario.options}
    for _ in range(draws):
        values = {k: (float(v[0]) if isinstance(v, np.ndarray) else v)
                  for k, v in draw_inputs(scenario, 1, rng).items()}
        for name in scenario.options:
            totals[name].append(float(option_costs(scenario, name, values)["total"]))
    return totals


def main() -> None:
    scenario = preset_scenario("public-2025")
    assert len(scenario.options) == 4
    simulate_totals(scenario, 1_000, 0)  # warm up
    vectorized = best_of(3, lambda: simulate_totals(scenario, DRAWS, 1))
    summary_time = best_of(3, lambda: simulate(scenario, draws=DRAWS, seed=1))
    loop = best_of(1, lambda: per_draw_loop(scenario, LOOP_DRAWS, 1))
    loop_extrapolated = loop * DRAWS / LOOP_DRAWS
    summary = {
        "draws": DRAWS,
        "options": len(scenario.options),
        "uncertain_inputs": sum(1 for p in scenario.stated_paths()
                                if scenario.input_spec(p).distribution != "fixed"),
        "vectorized_seconds": round(vectorized, 4),
        "with_percentiles_and_histograms_seconds": round(summary_time, 4),
        "baseline": f"per-draw Python loop, {LOOP_DRAWS:,} draws extrapolated to {DRAWS:,}",
        "baseline_seconds": round(loop_extrapolated, 2),
        "speedup": round(loop_extrapolated / vectorized, 1),
        "target_seconds": 1.0,
        "meets_target": summary_time < 1.0,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"summary": summary, "scenario": scenario.name}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
