"""How fast the `codingwatch` command answers, whole process, against `python -c pass` in the same run.

    uv run python benchmarks/bench_cli.py                        # 15 runs of each
    uv run python benchmarks/bench_cli.py --small                # 5 runs of each
    uv run python benchmarks/bench_cli.py --src /elsewhere/src   # another checkout's code (before/after)

Measures `codingwatch --help`, `codingwatch <group> --help` for every group and a small
command (`appraise attribute` on a 100-chart sample): the median wall time of a fresh
process each, and its ratio to a bare interpreter's start; and the median CPU time (user +
system) of each, which a busy shared machine disturbs less than the wall time. The aims: help under 0.3 s and
the small command under 0.8 s on a quiet machine. Writes benchmarks/results/cli.json.

Whether the installed packages' bytecode is cached changes the figures more than anything in
the code: without it (PYTHONDONTWRITEBYTECODE set and a `uv sync` without `--compile-bytecode`)
every start compiles Typer and Rich from source, about 0.15 s more. The summary says which
(`bytecode_cached`); `scripts/bootstrap` (make setup) compiles it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = shutil.which("codingwatch", path=str(Path(sys.executable).parent)) or shutil.which("codingwatch")
SMALL = ["appraise", "attribute", "--universe", "150", "--sample", "100", "--hits", "97", "--format", "json"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU times of `argv` (seconds), a fresh process each run; output discarded."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu, started = _cpu(), time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env={**os.environ, "COLUMNS": "100"})
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def bytecode_cached() -> bool:
    """Whether the installed packages' bytecode is on disk (Typer's, as a sample)."""
    origin = importlib.util.find_spec("typer.main").origin
    return os.path.exists(importlib.util.cache_from_source(origin))


def main(argv: list[str]) -> int:
    runs = 5 if "--small" in argv else 15
    src = argv[argv.index("--src") + 1] if "--src" in argv else None
    if src:
        code = f"import sys; sys.path.insert(0, {src!r}); sys.argv[0] = 'codingwatch'; " \
               "from codingwatch.cli import main; main()"
        command = [sys.executable, "-c", code]
    else:
        command = [SCRIPT] if SCRIPT else [sys.executable, "-m", "codingwatch.cli"]
    # the groups of `codingwatch --help` (its commands but `manage`, which is Django's own)
    groups = ["serve", "synth", "demo", "ingest", "sample", "appraise", "audit", "cost", "denials", "provenance",
              "lake", "codesets", "trail", "scorecard", "review", "settings"]

    baseline, baseline_cpu = timed([sys.executable, "-c", "pass"], runs)
    cases = {"--help": ["--help"], **{f"{g} --help": [g, "--help"] for g in groups},
             "appraise attribute (100-chart sample)": SMALL}
    rows = {}
    for label, args in cases.items():
        seconds, cpu = timed(command + args, runs)
        rows[label] = {"seconds": round(seconds, 3), "ratio_to_python": round(seconds / baseline, 1),
                       "cpu_seconds": round(cpu, 3), "cpu_ratio_to_python": round(cpu / baseline_cpu, 1)}
        print(f"codingwatch {label:<40} {seconds:6.3f} s  {seconds / baseline:5.1f} x python -c pass; "
              f"CPU {cpu:6.3f} s  {cpu / baseline_cpu:5.1f} x", flush=True)
    group_rows = [v for k, v in rows.items() if k.endswith(" --help") and k != "--help"]
    small = rows["appraise attribute (100-chart sample)"]
    summary = {
        "python_c_pass_s": round(baseline, 3), "python_c_pass_cpu_s": round(baseline_cpu, 3),
        "help_s": rows["--help"]["seconds"], "help_ratio": rows["--help"]["ratio_to_python"],
        "help_cpu_s": rows["--help"]["cpu_seconds"],
        "slowest_group_help_s": max(r["seconds"] for r in group_rows),
        "slowest_group_help_cpu_s": max(r["cpu_seconds"] for r in group_rows),
        "appraise_attribute_s": small["seconds"], "appraise_attribute_ratio": small["ratio_to_python"],
        "appraise_attribute_cpu_s": small["cpu_seconds"],
        "aims_met": rows["--help"]["seconds"] < 0.3 and max(r["seconds"] for r in group_rows) < 0.3
        and small["seconds"] < 0.8,
        "bytecode_cached": bytecode_cached(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    out = {"runs_each": runs, "code": src or "this checkout", "summary": summary, "commands": rows}
    (HERE / "results").mkdir(exist_ok=True)
    name = "cli.json" if not src else "cli_other.json"
    (HERE / "results" / name).write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
