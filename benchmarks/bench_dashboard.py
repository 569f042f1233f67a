"""Dashboard query latency: the figures of each dashboard table over N encounters in the lake.

Baseline, measured in the same run: the same figures with ibis's portable `epoch_seconds()`
turnaround (which makes DuckDB cast every timestamptz), instead of DuckDB's own `epoch()`.
Target: each query under 300 ms median at 1,000,000 encounters on a 2-core machine.

    uv run python benchmarks/bench_dashboard.py [--encounters 1000000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from codingwatch import vocabulary
from codingwatch.lake import metrics, open_lake
from codingwatch.lake.schema import ENCOUNTERS

RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.json"
DIMENSIONS = ("vendor", "specialty", "month", "coder")


def synthetic_encounters(n: int, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    etype = np.array(vocabulary.ENCOUNTER_TYPES)[rng.integers(0, 4, n)]
    inpatient = etype == "inpatient"
    days = np.datetime64("2025-10-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    received = days.astype("datetime64[us]") + (rng.integers(0, 86_400, n) * 10**6).astype("timedelta64[us]")
    coded = received + (rng.integers(600, 96 * 3600, n) * 10**6).astype("timedelta64[us]")
    weights = rng.integers(5_000, 40_000, n)
    columns = {
        "encounter_key": pa.array(np.char.mod("%032x", np.arange(n))),
        "origin": pa.array(np.full(n, "coded")),
        "facility": pa.array(np.array(["NORTH", "SOUTH", "EAST"])[rng.integers(0, 3, n)]),
        "encounter_type": pa.array(etype),
        "specialty": pa.array(np.array(vocabulary.SPECIALTIES)[rng.integers(0, len(vocabulary.SPECIALTIES), n)]),
        "discharge_date": pa.array(np.where(inpatient, days, np.datetime64("NaT")), pa.date32()),
        "service_date": pa.array(np.where(inpatient, np.datetime64("NaT"), days), pa.date32()),
        "coder_id": pa.array(np.char.add("c", rng.integers(0, 150, n).astype(str))),
        "vendor": pa.array(np.array(["in-house", "domestic", "split"])[rng.integers(0, 3, n)]),
        "received_at": pa.array(received, pa.timestamp("us", tz="UTC")),
        "coded_at": pa.array(coded, pa.timestamp("us", tz="UTC")),
        "drg_weight": pa.array([Decimal(int(w)).scaleb(-4) if i else None for w, i in zip(weights, inpatient, strict=True)],
                               pa.decimal128(8, 4)),
    }
    arrays = [columns[f.name] if f.name in columns else pa.nulls(n, f.type) for f in ENCOUNTERS]
    return pa.Table.from_arrays(arrays, schema=ENCOUNTERS)


def median_ms(run, repeat: int) -> float:
    run()  # warm: file metadata, plan caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encounters", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        lake = open_lake(Path(folder))
        lake.commit_load(kind="encounters", source_name="bench", sha256="bench",
                         tables={"encounters": synthetic_encounters(args.encounters)})
        encounters = lake.connect().table("encounters")
        ours, baseline = {}, {}
        for by in DIMENSIONS:
            ours[by] = median_ms(lambda by=by: metrics.figures(encounters, by), args.repeat)
        saved = dict(metrics.FAST_EPOCH_SECONDS)
        metrics.FAST_EPOCH_SECONDS.clear()  # the portable expression on every backend
        try:
            for by in DIMENSIONS:
                baseline[by] = median_ms(lambda by=by: metrics.figures(encounters, by), args.repeat)
        finally:
            metrics.FAST_EPOCH_SECONDS.update(saved)

    worst = max(ours.values())
    summary = {
        "encounters": args.encounters,
        "worst_query_median_ms": worst,
        "baseline": "portable epoch_seconds() turnaround",
        "baseline_worst_query_median_ms": max(baseline.values()),
        "speedup_vs_baseline": round(max(baseline.values()) / worst, 2),
        "target_ms": 300,
        "meets_target": worst < 300,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"summary": summary, "median_ms": ours, "baseline_median_ms": baseline}, indent=2))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
