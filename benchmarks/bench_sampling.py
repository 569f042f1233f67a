"""Sampling benchmarks: RAT-STATS random numbers at scale, and exact attribute appraisal at a
universe of two billion, each against a named baseline measured in the same run.

    uv run python benchmarks/bench_sampling.py            # full size
    uv run python benchmarks/bench_sampling.py --small    # a quick run while developing

Writes benchmarks/results/sampling.json.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from scipy.stats import hypergeom

from codingwatch.sampling.attribute import LEVELS, appraise_attribute
from codingwatch.sampling.rng import draw_distinct, draw_distinct_fast

HERE = Path(__file__).resolve().parent


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def scipy_bisection(N: int, n: int, k: int) -> dict[str, tuple[int, int]]:
    """Baseline: the same bisection on scipy.stats.hypergeom, floats only (not exact)."""
    limits = {}
    for level, alpha in LEVELS.items():
        a = float(alpha)
        lo, hi = k, N - (n - k)
        while lo < hi:
            mid = (lo + hi) // 2
            if hypergeom.sf(k - 1, N, mid, n) > a:
                hi = mid
            else:
                lo = mid + 1
        lower = lo
        lo, hi = k, N - (n - k)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if hypergeom.cdf(k, N, mid, n) > a:
                lo = mid
            else:
                hi = mid - 1
        limits[level] = (lower, lo)
    return limits


def main(small: bool) -> dict:
    frame, count = (1_000_000, 100_000) if small else (10_000_000, 1_000_000)
    seed = "4967669.23"
    fast, fast_s = timed(draw_distinct_fast, seed, count, 1, frame)
    loop, loop_s = timed(draw_distinct, seed, count, 1, frame)
    if fast != loop:
        raise SystemExit("the vectorised draw differs from the plain loop")
    random_numbers = {
        "frame": frame,
        "count": count,
        "seconds": round(fast_s, 4),
        "baseline": "plain Python loop (the same RAT-STATS algorithm, one draw at a time)",
        "baseline_seconds": round(loop_s, 4),
        "speedup": round(loop_s / fast_s, 2),
        "identical_to_baseline": True,
        "target_seconds": 5,
        "meets_target": fast_s < 5,
    }

    N = 2_000_000_000
    cases = [(100, 0), (100, 5), (384, 22), (1000, 37)] if not small else [(100, 5)]
    appraise_attribute(150, 100, 97)  # warm imports
    attribute = []
    for n, k in cases:
        ours, ours_s = timed(appraise_attribute, N, n, k)
        base, base_s = timed(scipy_bisection, N, n, k)
        attribute.append({
            "universe": N, "sample": n, "hits": k,
            "seconds": round(ours_s, 4),
            "baseline": "scipy.stats.hypergeom bisection (floating point only, not exact)",
            "baseline_seconds": round(base_s, 4),
            "speedup": round(base_s / ours_s, 2),
            "baseline_agrees": base == ours.limits,
            "limits": ours.limits,
        })
    worst = max(case["seconds"] for case in attribute)
    summary = {
        "random_1e6_of_1e7_seconds" if not small else "random_seconds": random_numbers["seconds"],
        "random_speedup_vs_plain_loop": random_numbers["speedup"],
        "attribute_N2e9_worst_seconds": worst,
        "attribute_speedup_vs_scipy_bisection": round(
            math.exp(sum(math.log(c["speedup"]) for c in attribute) / len(attribute)), 2),
        "targets_met": random_numbers["meets_target"] and worst < 1,
    }
    return {"summary": summary, "random_numbers": random_numbers, "attribute_appraisal": attribute, "small": small}


if __name__ == "__main__":
    small = "--small" in sys.argv
    result = main(small)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    target = out / "sampling.json"
    temporary = out / "sampling.json.tmp"
    temporary.write_text(json.dumps(result, indent=2) + "\n")
    temporary.replace(target)
    print(json.dumps(result["summary"]))
