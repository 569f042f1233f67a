"""How fast the `codingwatch` command answers, whole process, against `python -c pass` in the same run.

    uv run python benchmarks/bench_cli.py            # 15 runs of each
    uv run python benchmarks/bench_cli.py --small    # 5 runs of each

Measures `codingwatch --help`, `codingwatch <group> --help` for every group and a small
command (`appraise attribute` on a 100-chart sample): the median wall time of a fresh
process each, and its ratio to a bare interpreter's start. The aims: help under 0.3 s and
the small command under 1 s on a quiet machine. Writes benchmarks/results/cli.json.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = shutil.which("codingwatch", path=str(Path(sys.executable).parent)) or shutil.which("codingwatch")
SMALL = ["appraise", "attribute", "--universe", "150", "--sample", "100", "--hits", "97", "--format", "json"]


def wall(argv: list[str], runs: int) -> float:
    """Median wall time of `argv` (seconds), a fresh process each run; output discarded."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env={**os.environ, "COLUMNS": "100"})
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    runs = 5 if "--small" in argv else 15
    command = [SCRIPT] if SCRIPT else [sys.executable, "-m", "codingwatch.cli"]
    from codingwatch.cli import COMMANDS

    baseline = wall([sys.executable, "-c", "pass"], runs)
    cases = {"--help": ["--help"], **{f"{g} --help": [g, "--help"] for g in COMMANDS if g != "manage"},
             "appraise attribute (100-chart sample)": SMALL}
    rows = {}
    for label, args in cases.items():
        seconds = wall(command + args, runs)
        rows[label] = {"seconds": round(seconds, 3), "ratio_to_python": round(seconds / baseline, 1)}
        print(f"codingwatch {label:<40} {seconds:6.3f} s  {seconds / baseline:5.1f} x python -c pass", flush=True)
    groups = [v["seconds"] for k, v in rows.items() if k.endswith(" --help") and k != "--help"]
    small = rows["appraise attribute (100-chart sample)"]
    summary = {
        "python_c_pass_s": round(baseline, 3),
        "help_s": rows["--help"]["seconds"], "help_ratio": rows["--help"]["ratio_to_python"],
        "slowest_group_help_s": max(groups),
        "appraise_attribute_s": small["seconds"], "appraise_attribute_ratio": small["ratio_to_python"],
        "aims_met": rows["--help"]["seconds"] < 0.3 and max(groups) < 0.3 and small["seconds"] < 1.0,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    out = {"runs_each": runs, "summary": summary, "commands": rows}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "cli.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
