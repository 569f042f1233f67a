"""Synthetic world generation at ingest-benchmark size (1,000,000 encounters by default).

Baseline, measured in the same run: pyarrow reading the encounters.csv the generator wrote
(the I/O floor of a file that size on this machine). Figures: seconds, encounters and code
lines per second, file sizes, peak memory, and generation time as a multiple of the baseline.
Set CODINGWATCH_BENCH_SYNTH_ENCOUNTERS to change the size.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from pyarrow import csv as pacsv

from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import build_world, write_world

HERE = Path(__file__).resolve().parent


def main() -> int:
    n = int(os.environ.get("CODINGWATCH_BENCH_SYNTH_ENCOUNTERS", "1000000"))
    with tempfile.TemporaryDirectory(prefix="bench_synth_") as tmp:
        outdir = Path(tmp)
        started = time.perf_counter()
        world = build_world(WorldParams(encounters=n, seed=1))
        built = time.perf_counter()
        summary = write_world(world, outdir)
        finished = time.perf_counter()
        peak_generate_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        del world
        sizes = {p.name: p.stat().st_size for p in sorted(outdir.iterdir())}
        read_started = time.perf_counter()
        table = pacsv.read_csv(outdir / "encounters.csv")
        baseline = time.perf_counter() - read_started
        assert table.num_rows == summary["counts"]["coded_lines"]
    total = finished - started
    lines = summary["counts"]["coded_lines"]
    result = {
        "summary": {
            "encounters": n,
            "code_lines": lines,
            "seconds": round(total, 1),
            "encounters_per_second": round(n / total),
            "encounters_csv_mb": round(sizes["encounters.csv"] / 1e6, 1),
            "peak_memory_mb": round(peak_generate_mb),
            "baseline": "pyarrow read_csv of the written encounters.csv",
            "baseline_seconds": round(baseline, 2),
            "ratio_to_baseline": round(total / baseline, 1),
        },
        "build_seconds": round(built - started, 1),
        "write_seconds": round(finished - built, 1),
        "lines_per_encounter": round(lines / n, 2),
        "file_bytes": sizes,
        "errors": summary["counts"]["errors"],
        "python": sys.version.split()[0],
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "synth.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["summary"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
