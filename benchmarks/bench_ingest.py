"""Ingest of 1,000,000 synthetic encounters (about 8 code lines each): time, rows/s, peak memory.

Baseline, measured in the same run on the same file: DuckDB parsing the CSV into a table with
no validation, grouping or writing (the floor any loader pays). Target on a 2-core machine:
the whole ingest under 60 s. Dashboard query latency at this size: bench_dashboard.py.

Usage: python benchmarks/bench_ingest.py [--encounters N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(cmd: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encounters", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="cw-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CODINGWATCH_VAR": str(work / "var"), "CODINGWATCH_LAKE": str(work / "var" / "lake")}
    shutil.rmtree(work / "var", ignore_errors=True)
    world = work / "world"
    exe = [sys.executable, "-m", "codingwatch.cli"]

    if not (world / "encounters.csv").exists():
        synth_s, _ = run(exe + ["synth", str(world), "--encounters", str(args.encounters), "--seed", "7"], env)
    else:
        synth_s = None
    csv_path = world / "encounters.csv"
    size_mb = csv_path.stat().st_size / 1e6

    # Baseline: parse only.
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    started = time.perf_counter()
    lines = con.execute(
        f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}', header = true, all_varchar = true); "
        "SELECT count(*) FROM t"
    ).fetchone()[0]
    baseline_s = time.perf_counter() - started
    con.close()

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ingest_s, out = run(exe + ["ingest", "encounters", str(csv_path), "--format", "json"], env)
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    loaded = json.loads(out)

    result = {
        "summary": {
            "encounters": loaded["encounters_loaded"],
            "code_lines": loaded["lines_loaded"],
            "ingest_seconds": round(ingest_s, 1),
            "lines_per_second": round(loaded["lines_loaded"] / ingest_s),
            "peak_memory_mb": round(peak_mb),
            "baseline_parse_seconds": round(baseline_s, 1),
            "ratio_to_parse_only": round(ingest_s / baseline_s, 1),
            "target_ingest_under_60s": ingest_s < 60,
        },
        "file_mb": round(size_mb),
        "csv_lines": lines,
        "synth_seconds": None if synth_s is None else round(synth_s, 1),
        "machine": {"cpus": os.cpu_count()},
    }
    out_path = HERE / "results" / "ingest.json"
    out_path.parent.mkdir(exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2))
    print(json.dumps(result["summary"], indent=2))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
