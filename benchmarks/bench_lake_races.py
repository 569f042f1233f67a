"""Concurrent loads and kill -9 against the lake: rounds tried and lost, kills tried and half-loads.

Not a speed benchmark: it repeats, many more times than the tests do, what
tests/lake/test_concurrent_loads.py and tests/lake/test_lake_integrity.py check, with the
same harness (a server that forks real loader processes), and counts failures.

- A round: two loads start at the same instant (one a random 0-100 ms late) on a fresh lake:
  two different files, the same file twice, or (encounters) two files sharing 5 encounters.
  It is lost if either load dies, a manifest names a missing file, a row is missing or doubled,
  or `lake check` finds anything.
- A kill: a load is paused at one named step of its commit and killed with SIGKILL. It is a
  half-load if the lake then shows part of the load (or a committed load without its rows), or
  if loading the file again does not leave exactly one copy.

Usage: python benchmarks/bench_lake_races.py [ROUNDS_PER_SCENARIO] [KILLS_PER_STEP]
(defaults 50 and 3). Writes benchmarks/results/lake_races.json.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pyarrow.parquet as pq  # noqa: E402
from tests.lake.loaders import Loaders, access_csv, encounters_csv, wait_for  # noqa: E402

from codingwatch.lake import Lake  # noqa: E402
from codingwatch.lake.check import check_lake  # noqa: E402
from codingwatch.lake.store import COMMIT_STEPS, PAUSE_AT_VARIABLE, PAUSE_FILE_VARIABLE  # noqa: E402

SHARED_837 = HERE.parent.parent / "shared" / "fixtures" / "x12" / "837" / "lfh-837p-demo.cob.example4.837"


def rows(lake: Lake, table: str) -> list[dict]:
    files = lake.files(table)
    return pq.read_table(files).to_pylist() if files else []


def scenario_files(name: str, n: int, folder: Path):
    """(kind, first, second, table, expected rows, expected distinct encounter keys or None)."""
    if name == "encounters-different":
        return ("encounters", encounters_csv(folder / "a.csv", [f"A{n}-{i}" for i in range(12)]),
                encounters_csv(folder / "b.csv", [f"B{n}-{i}" for i in range(9)]), "encounters", 21)
    if name == "encounters-identical":
        path = encounters_csv(folder / "a.csv", [f"S{n}-{i}" for i in range(10)])
        return "encounters", path, path, "encounters", 10
    if name == "encounters-overlapping":
        shared = [f"X{n}-{i}" for i in range(5)]
        return ("encounters", encounters_csv(folder / "a.csv", shared + [f"A{n}-{i}" for i in range(3)]),
                encounters_csv(folder / "b.csv", shared + [f"B{n}-{i}" for i in range(4)]), "encounters", 12)
    if name == "access-different":
        return ("access", access_csv(folder / "a.csv", f"ua{n}", 30), access_csv(folder / "b.csv", f"ub{n}", 25),
                "access_events", 55)
    if name == "access-identical":
        path = access_csv(folder / "a.csv", f"us{n}", 30)
        return "access", path, path, "access_events", 30
    if name == "claims-identical":
        path = folder / "claims.837"
        path.write_bytes(SHARED_837.read_bytes())
        return "claims", path, path, "claims", None
    raise ValueError(name)


def one_round(loaders: Loaders, name: str, n: int, folder: Path, rng: random.Random) -> str | None:
    """None when the round was sound, else what went wrong."""
    kind, first, second, table, expected = scenario_files(name, n, folder)
    root = folder / "lake"
    start = time.time() + 0.03
    a = loaders.start(kind, first, root, start_at=start)
    b = loaders.start(kind, second, root, start_at=start + rng.uniform(0, 0.1))
    outcomes = [loaders.wait(a), loaders.wait(b)]
    died = [o for o in outcomes if o["status"] not in ("loaded", "skipped")]
    if died:
        return f"a load ended {died[0]['status']}: {died[0]['message']}"
    lake = Lake(root)
    try:
        found = rows(lake, table)
    except Exception as exc:  # a manifest naming a missing file, on the old store a silent gap
        return f"reading failed: {exc}"
    if expected is None:  # the same 837 twice: one load's claims
        expected = max(o["loaded"] for o in outcomes)
    if len(found) != expected:
        return f"{len(found)} {table} rows, expected {expected}"
    if table == "encounters" and len({r["encounter_key"] for r in found}) != len(found):
        return "an encounter loaded twice"
    report = check_lake(lake)
    if not report.ok:
        return f"lake check: {[p.kind for p in report.problems]}"
    return None


def kill_steps(tables: tuple[str, ...]) -> list[str]:
    out = []
    for step in COMMIT_STEPS:
        if step in ("data-written", "data-renamed"):
            continue
        out.append(step)
        if step == "orphans-removed":
            for table in tables:
                out += [f"data-written:{table}", f"data-renamed:{table}"]
    return out


def one_kill(loaders: Loaders, kind: str, step: str, n: int, folder: Path) -> str | None:
    root = folder / "lake"
    if kind == "encounters":
        path, tables = encounters_csv(folder / "coded.csv", [f"K{n}-{i}" for i in range(8)]), {"encounters": 8,
                                                                                              "code_lines": 16}
    else:
        path, tables = access_csv(folder / "access.csv", f"k{n}", 12), {"access_events": 12}
    marker = folder / "paused"
    pid = loaders.start(kind, path, root, env={PAUSE_AT_VARIABLE: step, PAUSE_FILE_VARIABLE: str(marker)})
    wait_for(marker)
    loaders.kill(pid)
    lake = Lake(root)
    try:
        seen = {t: len(rows(lake, t)) for t in tables}
    except Exception as exc:
        return f"after the kill, reading failed: {exc}"
    if seen not in (tables, dict.fromkeys(tables, 0)):
        return f"after the kill the lake shows part of the load: {seen}"
    if {p.kind for p in check_lake(lake).problems} - {"orphan_file"}:
        return "after the kill, lake check found more than orphans"
    again = loaders.wait(loaders.start(kind, path, root))
    if again["status"] not in ("loaded", "skipped"):
        return f"loading again ended {again['status']}: {again['message']}"
    if {t: len(rows(lake, t)) for t in tables} != tables or len(lake.loads()) != 1:
        return "loading again did not leave exactly one copy"
    return None


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 50
    kills_per_step = int(argv[1]) if len(argv) > 1 else 3
    scenarios = ["encounters-different", "encounters-identical", "encounters-overlapping", "access-different",
                 "access-identical"] + (["claims-identical"] if SHARED_837.is_file() else [])
    rng = random.Random(2026)
    base = Path(tempfile.mkdtemp(prefix="lake-races-"))
    loaders = Loaders({})
    started = time.perf_counter()
    tried, lost, failures = Counter(), Counter(), []
    try:
        for name in scenarios:
            for n in range(rounds):
                folder = base / name / str(n)
                folder.mkdir(parents=True)
                problem = one_round(loaders, name, n, folder, rng)
                tried[name] += 1
                if problem:
                    lost[name] += 1
                    failures.append({"scenario": name, "round": n, "problem": problem})
            print(f"{name}: {tried[name]} rounds, {lost[name]} lost", flush=True)
        kills, half = Counter(), Counter()
        for kind, tables in (("encounters", ("encounters", "code_lines")), ("access", ("access_events",))):
            for step in kill_steps(tables):
                for n in range(kills_per_step):
                    folder = base / f"kill-{kind}-{step.replace(':', '-')}-{n}"
                    folder.mkdir(parents=True)
                    problem = one_kill(loaders, kind, step, n, folder)
                    kills[kind] += 1
                    if problem:
                        half[kind] += 1
                        failures.append({"kill": kind, "step": step, "problem": problem})
            print(f"kill -9 {kind}: {kills[kind]} kills, {half[kind]} half-loads", flush=True)
    finally:
        loaders.close()
    summary = {
        "rounds_tried": sum(tried.values()), "rounds_lost": sum(lost.values()),
        "kills_tried": sum(kills.values()), "half_loads": sum(half.values()),
        "seconds": round(time.perf_counter() - started, 1),
    }
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "lake_races.json").write_text(json.dumps({
        "summary": summary, "rounds": dict(tried), "lost": dict(lost), "kills": dict(kills),
        "half_loads": dict(half), "failures": failures[:50],
    }, indent=2) + "\n")
    print(json.dumps(summary))
    return 1 if summary["rounds_lost"] or summary["half_loads"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
