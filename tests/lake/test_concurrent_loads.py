"""Two loads at once, in two processes, many rounds: nothing lost, nothing doubled, no traceback.

Each round starts two real loaders (forked processes) at the same instant, one of them a
random few milliseconds late, on a fresh lake; then the lake must hold exactly what the two
files say, every manifest must name files that exist, and `lake check` must find nothing.
Kinds: coded encounters (different files, the same file twice, two files sharing encounters)
and access logs (different files, the same file twice); X12 837 claims (the same file twice).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter

import pyarrow.parquet as pq
import pytest

from codingwatch.lake import Lake
from codingwatch.lake.check import check_lake
from tests.lake.loaders import Loaders, access_csv, encounters_csv

ROUNDS = int(os.environ.get("CODINGWATCH_TEST_ROUNDS", "20"))


@pytest.fixture(scope="module")
def loaders():
    server = Loaders({})
    yield server
    server.close()


def rows(lake: Lake, table: str) -> list[dict]:
    files = lake.files(table)
    return pq.read_table(files).to_pylist() if files else []


def race(loaders: Loaders, kind: str, first, second, lake_root, rng: random.Random) -> tuple[dict, dict]:
    start = time.time() + 0.03
    late = rng.uniform(0, 0.1)  # spreads the collisions over every step of the other's load
    a = loaders.start(kind, first, lake_root, start_at=start)
    b = loaders.start(kind, second, lake_root, start_at=start + late)
    outcomes = loaders.wait(a), loaders.wait(b)
    for outcome in outcomes:
        assert outcome["status"] in ("loaded", "skipped"), outcome
    return outcomes


def assert_sound(lake: Lake) -> None:
    report = check_lake(lake)
    assert report.ok, report.as_dict()


def test_different_encounter_files_at_once_both_load_whole(loaders, tmp_path):
    rng = random.Random(11)
    for n in range(ROUNDS):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        first = encounters_csv(folder / "a.csv", [f"A{n}-{i}" for i in range(12)])
        second = encounters_csv(folder / "b.csv", [f"B{n}-{i}" for i in range(9)])
        outcomes = race(loaders, "encounters", first, second, folder / "lake", rng)
        assert [o["status"] for o in outcomes] == ["loaded", "loaded"], (n, outcomes)
        lake = Lake(folder / "lake")
        assert len(lake.loads()) == 2
        assert len(rows(lake, "encounters")) == 21 and len(rows(lake, "code_lines")) == 42, n
        assert_sound(lake)


def test_the_same_encounter_file_twice_at_once_loads_once(loaders, tmp_path):
    rng = random.Random(12)
    for n in range(ROUNDS):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        path = encounters_csv(folder / "a.csv", [f"S{n}-{i}" for i in range(10)])
        outcomes = race(loaders, "encounters", path, path, folder / "lake", rng)
        assert sorted(o["status"] for o in outcomes) == ["loaded", "skipped"], (n, outcomes)
        lake = Lake(folder / "lake")
        assert len(lake.loads()) == 1
        assert len(rows(lake, "encounters")) == 10 and len(rows(lake, "code_lines")) == 20, n
        assert_sound(lake)


def test_two_files_sharing_encounters_at_once_load_each_encounter_once(loaders, tmp_path):
    rng = random.Random(13)
    for n in range(ROUNDS):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        shared = [f"X{n}-{i}" for i in range(5)]
        first = encounters_csv(folder / "a.csv", shared + [f"A{n}-{i}" for i in range(3)])
        second = encounters_csv(folder / "b.csv", shared + [f"B{n}-{i}" for i in range(4)])
        outcomes = race(loaders, "encounters", first, second, folder / "lake", rng)
        assert [o["status"] for o in outcomes] == ["loaded", "loaded"], (n, outcomes)
        # Whichever committed second had the 5 shared encounters rejected as already in the lake.
        assert sorted(o["rejected"] for o in outcomes) == [0, 5], (n, outcomes)
        lake = Lake(folder / "lake")
        keys = Counter(r["encounter_key"] for r in rows(lake, "encounters"))
        assert len(keys) == 12 and set(keys.values()) == {1}, n
        assert len(rows(lake, "code_lines")) == 24
        assert_sound(lake)


def test_different_access_files_at_once_both_load_whole(loaders, tmp_path):
    rng = random.Random(14)
    for n in range(ROUNDS):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        first = access_csv(folder / "a.csv", f"ua{n}", 30)
        second = access_csv(folder / "b.csv", f"ub{n}", 25)
        outcomes = race(loaders, "access", first, second, folder / "lake", rng)
        assert [o["status"] for o in outcomes] == ["loaded", "loaded"], (n, outcomes)
        lake = Lake(folder / "lake")
        assert Counter(r["login"] for r in rows(lake, "access_events")) == {f"ua{n}": 30, f"ub{n}": 25}
        assert_sound(lake)


def test_the_same_access_file_twice_at_once_loads_once(loaders, tmp_path):
    rng = random.Random(15)
    for n in range(ROUNDS):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        path = access_csv(folder / "a.csv", f"us{n}", 30)
        outcomes = race(loaders, "access", path, path, folder / "lake", rng)
        assert sorted(o["status"] for o in outcomes) == ["loaded", "skipped"], (n, outcomes)
        lake = Lake(folder / "lake")
        assert len(rows(lake, "access_events")) == 30 and len(lake.loads()) == 1
        assert_sound(lake)


def test_the_same_837_twice_at_once_loads_once(loaders, tmp_path, shared_dir):
    source = shared_dir / "fixtures" / "x12" / "837" / "lfh-837p-demo.cob.example4.837"
    rng = random.Random(16)
    for n in range(ROUNDS):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        path = folder / "claims.837"
        path.write_bytes(source.read_bytes())
        outcomes = race(loaders, "claims", path, path, folder / "lake", rng)
        assert sorted(o["status"] for o in outcomes) == ["loaded", "skipped"], (n, outcomes)
        lake = Lake(folder / "lake")
        assert len(lake.loads()) == 1
        assert len(rows(lake, "claims")) == sum(o["loaded"] for o in outcomes) > 0
        assert_sound(lake)
