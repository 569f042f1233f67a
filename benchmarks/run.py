"""Runs every benchmark (benchmarks/bench_*.py), or those named: `python benchmarks/run.py ingest`.

Each benchmark measures against a named baseline in the same run and writes its figures to
benchmarks/results/<name>.json; this runner prints a one-line summary of each.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    failed = 0
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        elapsed = time.perf_counter() - started
        result = HERE / "results" / f"{name}.json"
        if code != 0:
            failed += 1
            print(f"   FAILED (exit {code}) after {elapsed:.1f} s")
        elif result.exists():
            print(f"   {json.dumps(json.loads(result.read_text()).get('summary', {}))}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
