"""The lake cannot lose a load: kill -9 at every step of a commit, a load paused half-way while
another tries to commit, readers that refuse a lake with a hole, and `codingwatch lake check`."""

from __future__ import annotations

import csv
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from codingwatch import cli
from codingwatch.cli import app
from codingwatch.ingest.access import ingest_access_file
from codingwatch.ingest.encounters import ingest_encounter_file
from codingwatch.lake import Lake, LakeError
from codingwatch.lake.check import check_lake
from codingwatch.lake.store import COMMIT_STEPS, PAUSE_AT_VARIABLE, PAUSE_FILE_VARIABLE
from tests.lake.loaders import Loaders, access_csv, encounters_csv, wait_for

runner = CliRunner()


def steps_of(tables: tuple[str, ...]) -> list[str]:
    """Every named step of a commit writing these tables, in order."""
    out = []
    for step in COMMIT_STEPS:
        if step in ("data-written", "data-renamed"):
            continue
        out.append(step)
        if step == "orphans-removed":
            for table in tables:
                out += [f"data-written:{table}", f"data-renamed:{table}"]
    return out


ENCOUNTER_STEPS = steps_of(("encounters", "code_lines"))
ACCESS_STEPS = steps_of(("access_events",))
VISIBLE_FROM = "manifest-renamed"  # the commit point: the manifest is in place


@pytest.fixture(scope="module")
def loaders():
    server = Loaders({})
    yield server
    server.close()


def count(lake: Lake, table: str) -> int:
    files = lake.files(table)
    return pq.read_table(files).num_rows if files else 0


def test_the_steps_cover_the_whole_commit():
    assert ENCOUNTER_STEPS == [
        "locked", "orphans-removed", "data-written:encounters", "data-renamed:encounters",
        "data-written:code_lines", "data-renamed:code_lines", "data-synced", "manifest-written",
        "manifest-renamed", "committed",
    ]


@pytest.mark.parametrize(("kind", "steps", "tables"), [
    ("encounters", ENCOUNTER_STEPS, {"encounters": 8, "code_lines": 16}),
    ("access", ACCESS_STEPS, {"access_events": 12}),
])
def test_kill_9_at_every_step_of_the_commit_leaves_all_or_nothing(loaders, tmp_path, kind, steps, tables):
    half_loads = []
    for n, step in enumerate(steps):
        folder = tmp_path / f"kill-{n}"
        folder.mkdir()
        root = folder / "lake"
        if kind == "encounters":
            path = encounters_csv(folder / "coded.csv", [f"K{n}-{i}" for i in range(8)])
        else:
            path = access_csv(folder / "access.csv", f"k{n}", 12)
        marker = folder / "paused"
        pid = loaders.start(kind, path, root, env={PAUSE_AT_VARIABLE: step, PAUSE_FILE_VARIABLE: str(marker)})
        assert wait_for(marker).endswith(step)
        assert loaders.kill(pid)["status"] == "killed"
        lake = Lake(root)
        visible = step in ENCOUNTER_STEPS[ENCOUNTER_STEPS.index(VISIBLE_FROM):]
        found = {table: count(lake, table) for table in tables}
        if found != (tables if visible else dict.fromkeys(tables, 0)):
            half_loads.append((step, found))
        report = check_lake(lake)  # only orphans of the killed load, which a repair removes
        assert {p.kind for p in report.problems} <= {"orphan_file"}, (step, report.as_dict())
        again = loaders.wait(loaders.start(kind, path, root))
        assert again["status"] == ("skipped" if visible else "loaded"), (step, again)
        assert {table: count(lake, table) for table in tables} == tables, step
        assert len(lake.loads()) == 1
        assert check_lake(lake).ok, step
    assert half_loads == []


def test_a_load_paused_between_rename_and_manifest_keeps_its_files_while_others_try_to_commit(loaders, tmp_path):
    root = tmp_path / "lake"
    first = encounters_csv(tmp_path / "first.csv", [f"P-{i}" for i in range(6)])
    second = encounters_csv(tmp_path / "second.csv", [f"Q-{i}" for i in range(4)])
    third = encounters_csv(tmp_path / "third.csv", [f"R-{i}" for i in range(3)])
    marker = tmp_path / "paused"
    paused = loaders.start("encounters", first, root,
                           env={PAUSE_AT_VARIABLE: "data-synced", PAUSE_FILE_VARIABLE: str(marker)})
    assert wait_for(marker).endswith("data-synced")
    lake = Lake(root)
    renamed = sorted(p.relative_to(root).as_posix() for p in root.glob("*/*.parquet"))
    assert len(renamed) == 2  # encounters and code_lines, in place but not committed
    # Readers see nothing of it, and do not fail.
    assert lake.files("encounters") == [] and lake.loads() == []
    # Another load cannot commit (nor remove the paused load's files as orphans) meanwhile.
    refused = loaders.wait(loaders.start("encounters", second, root, env={"CODINGWATCH_LAKE_LOCK_TIMEOUT": "0.3"}))
    assert refused["status"] == "error"
    assert refused["message"].startswith("LakeError: another load is writing to the lake at ")
    with pytest.raises(LakeError, match="another load is writing"):
        check_lake(lake, repair=True, timeout=0.1)
    assert sorted(p.relative_to(root).as_posix() for p in root.glob("*/*.parquet")) == renamed
    # A load that waits commits after the paused one finishes.
    waiting = loaders.start("encounters", third, root)
    marker.unlink()
    assert loaders.wait(paused)["status"] == "loaded"
    assert loaders.wait(waiting)["status"] == "loaded"
    assert count(lake, "encounters") == 9 and count(lake, "code_lines") == 18
    assert loaders.wait(loaders.start("encounters", second, root))["status"] == "loaded"
    assert count(lake, "encounters") == 13
    assert check_lake(lake).ok


def test_a_load_waiting_for_the_lock_commits_when_the_holder_is_killed(loaders, tmp_path):
    root = tmp_path / "lake"
    first = access_csv(tmp_path / "first.csv", "w1", 10)
    second = access_csv(tmp_path / "second.csv", "w2", 7)
    marker = tmp_path / "paused"
    holder = loaders.start("access", first, root,
                           env={PAUSE_AT_VARIABLE: "data-renamed", PAUSE_FILE_VARIABLE: str(marker)})
    wait_for(marker)
    waiting = loaders.start("access", second, root)
    assert loaders.kill(holder)["status"] == "killed"  # the kernel releases its lock
    assert loaders.wait(waiting)["status"] == "loaded"
    lake = Lake(root)
    assert count(lake, "access_events") == 7
    assert check_lake(lake).ok  # the killed load's renamed file was an orphan, removed under the lock


# ---- readers never hide a gap ---------------------------------------------------------------------


def small_lake(tmp_path) -> tuple[Lake, list[str]]:
    lake = Lake(tmp_path / "lake")
    ids = []
    for name, logins in (("a.csv", "la"), ("b.csv", "lb")):
        result = ingest_access_file(access_csv(tmp_path / name, logins, 5), lake=lake, rejects_dir=tmp_path)
        ids.append(result.load_id)
    return lake, ids


def test_a_reader_refuses_a_lake_whose_manifest_names_a_missing_file(tmp_path):
    lake, (first, _) = small_lake(tmp_path)
    (lake.root / "access_events" / f"{first}.parquet").unlink()
    with pytest.raises(LakeError) as caught:
        lake.files("access_events")
    message = str(caught.value)
    assert message.startswith(f"load {first} (access from a.csv, 5 access_events rows) names ")
    assert f"access_events/{first}.parquet, which is missing" in message
    assert "codingwatch lake check --repair" in message
    with pytest.raises(LakeError, match=first):
        lake.connect()


def test_a_reader_refuses_an_unreadable_manifest_naming_it(tmp_path):
    lake, (first, _) = small_lake(tmp_path)
    manifest = lake.root / "_loads" / f"{first}.json"
    manifest.write_text('{"load_id": "')
    with pytest.raises(LakeError, match=r"the lake's manifest .*_loads/" + first + r"\.json cannot be read"):
        lake.loads()


def test_the_command_line_shows_a_lake_error_as_one_line(tmp_path, lake_root, monkeypatch, capsys):
    lake = Lake(lake_root)
    loaded = ingest_access_file(access_csv(tmp_path / "a.csv", "la", 5), lake=lake, rejects_dir=tmp_path)
    (lake.root / "access_events" / f"{loaded.load_id}.parquet").unlink()
    another = encounters_csv(tmp_path / "coded.csv", ["C-1"])
    ingest_encounter_file(another, lake=lake, rejects_dir=tmp_path)  # encounters do not read access events
    monkeypatch.setattr(sys, "argv", ["codingwatch", "provenance", "scan"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith(f"error: load {loaded.load_id} (access from a.csv, 5 access_events rows) names ")
    assert "Traceback" not in err


# ---- lake check -------------------------------------------------------------------------------------


def test_lake_check_reports_every_kind_of_problem_and_repair_makes_the_sources_loadable_again(tmp_path):
    lake = Lake(tmp_path / "lake")
    paths = [access_csv(tmp_path / f"{name}.csv", name, 4 + i) for i, name in enumerate("abcd")]
    ids = [ingest_access_file(p, lake=lake, rejects_dir=tmp_path).load_id for p in paths]
    missing, short, damaged, garbled = ids
    (lake.root / "access_events" / f"{missing}.parquet").unlink()
    pq.write_table(pa.table({"x": [1]}), lake.root / "access_events" / f"{short}.parquet")
    (lake.root / "access_events" / f"{damaged}.parquet").write_bytes(b"PAR1 not really")
    (lake.root / "_loads" / f"{garbled}.json").write_text("{")
    orphan = lake.root / "access_events" / "20990101T000000000000-deadbeef.parquet"
    orphan.write_bytes(b"left by a crash")
    leftover = lake.root / "access_events" / ".20990101T000000000000-deadbeef.parquet.tmp"
    leftover.write_bytes(b"")

    report = check_lake(lake)
    found = {(p.kind, p.path) for p in report.problems}
    assert found == {
        ("missing_file", f"access_events/{missing}.parquet"),
        ("row_count_mismatch", f"access_events/{short}.parquet"),
        ("unreadable_file", f"access_events/{damaged}.parquet"),
        ("unreadable_manifest", f"_loads/{garbled}.json"),
        ("orphan_file", orphan.relative_to(lake.root).as_posix()),
        ("orphan_file", leftover.relative_to(lake.root).as_posix()),
    }
    mismatch = next(p for p in report.problems if p.kind == "row_count_mismatch")
    assert mismatch.detail == "holds 1 rows; its manifest says 5"
    assert mismatch.source_name == "b.csv"
    assert not report.ok and report.repairs == []
    assert orphan.exists()  # a check alone changes nothing

    repaired = check_lake(lake, repair=True)
    assert repaired.ok and repaired.remaining == []
    assert sorted(r.action for r in repaired.repairs) == ["quarantined"] * 4 + ["removed"] * 2
    assert not orphan.exists() and not leftover.exists()
    for load_id in ids:
        folder = lake.root / "_quarantine" / load_id
        assert (folder / f"{load_id}.json").is_file() and (folder / "reason.json").is_file()
    assert (lake.root / "_quarantine" / short / "access_events.parquet").is_file()  # moved, not deleted
    assert lake.loads() == [] and lake.files("access_events") == []
    # Each source can be loaded again, and the lake is whole.
    for path in paths:
        assert ingest_access_file(path, lake=lake, rejects_dir=tmp_path).status == "loaded"
    assert count(lake, "access_events") == 4 + 5 + 6 + 7
    assert check_lake(lake).ok


def test_lake_check_command_text_and_json(tmp_path, lake_root):
    lake = Lake(lake_root)
    loaded = ingest_access_file(access_csv(tmp_path / "a.csv", "la", 3), lake=lake, rejects_dir=tmp_path)
    sound = runner.invoke(app, ["lake", "check"])
    assert sound.exit_code == 0, sound.output
    assert sound.stdout.splitlines() == [
        f"lake {lake_root}: 1 load(s), 1 data file(s) checked; 0 problem(s) found",
        "the lake is sound",
    ]
    (lake_root / "access_events" / f"{loaded.load_id}.parquet").unlink()
    broken = runner.invoke(app, ["lake", "check", "--format", "json"])
    assert broken.exit_code == 1
    payload = json.loads(broken.stdout)
    assert payload["ok"] is False and payload["loads"] == 1
    assert payload["problems"] == [{
        "kind": "missing_file", "path": f"access_events/{loaded.load_id}.parquet",
        "detail": f"the manifest of load {loaded.load_id} (access from a.csv) names it with 3 rows, but it is gone",
        "load_id": loaded.load_id, "source_name": "a.csv", "table": "access_events",
    }]
    fixed = runner.invoke(app, ["lake", "check", "--repair"])
    assert fixed.exit_code == 0, fixed.output
    lines = fixed.stdout.splitlines()
    assert lines[0] == f"lake {lake_root}: 1 load(s), 0 data file(s) checked; 1 problem(s) found"
    assert lines[2] == (f"quarantined _quarantine/{loaded.load_id}: load {loaded.load_id} set aside (missing file: "
                        f"access_events/{loaded.load_id}.parquet); load a.csv again to restore its rows")
    assert lines[-2:] == ["repaired 1: 0 orphan file(s) removed, 1 load(s) quarantined", "the lake is sound"]
    assert runner.invoke(app, ["lake", "check"]).exit_code == 0


# ---- the duplicate checks are made again under the lock ---------------------------------------------


def test_encounters_committed_while_a_load_waited_for_the_lock_are_rejected_not_loaded_twice(loaders, tmp_path):
    root = tmp_path / "lake"
    shared = [f"S-{i}" for i in range(5)]
    first = encounters_csv(tmp_path / "first.csv", shared + ["F-1"])
    second = encounters_csv(tmp_path / "second.csv", shared + ["G-1", "G-2"])
    holding, waiting = tmp_path / "holding", tmp_path / "waiting"
    a = loaders.start("encounters", first, root,
                      env={PAUSE_AT_VARIABLE: "data-synced", PAUSE_FILE_VARIABLE: str(holding)})
    wait_for(holding)
    # The second load validates while the first is not yet committed (nothing shared in the lake),
    # then finds the lock held.
    b = loaders.start("encounters", second, root,
                      env={PAUSE_AT_VARIABLE: "lock-busy", PAUSE_FILE_VARIABLE: str(waiting)})
    wait_for(waiting)
    holding.unlink()
    assert loaders.wait(a)["status"] == "loaded"
    waiting.unlink()
    outcome = loaders.wait(b)
    assert (outcome["status"], outcome["loaded"], outcome["rejected"]) == ("loaded", 2, 5), outcome
    lake = Lake(root)
    keys = [r["encounter_key"] for r in pq.read_table(lake.files("encounters")).to_pylist()]
    assert len(keys) == len(set(keys)) == 8
    rejects = next((tmp_path / "rejects").glob("second-*.rejects.csv"))
    with open(rejects, newline="") as handle:
        reasons = {(row["encounter_id"], row["reason"]) for row in csv.DictReader(handle) if row["field"]}
    assert reasons == {(e, "already in the lake, loaded from first.csv") for e in shared}
    assert check_lake(lake).ok


@pytest.mark.parametrize("kind", ["access", "claims"])
def test_the_same_file_committed_while_a_load_waited_for_the_lock_is_skipped(loaders, tmp_path, kind, request):
    root = tmp_path / "lake"
    if kind == "access":
        path = access_csv(tmp_path / "access.csv", "same", 9)
    else:
        shared_dir = request.getfixturevalue("shared_dir")
        path = tmp_path / "claims.837"
        path.write_bytes((shared_dir / "fixtures" / "x12" / "837" / "lfh-837p-demo.cob.example4.837").read_bytes())
    holding, waiting = tmp_path / "holding", tmp_path / "waiting"
    a = loaders.start(kind, path, root, env={PAUSE_AT_VARIABLE: "data-synced", PAUSE_FILE_VARIABLE: str(holding)})
    wait_for(holding)
    b = loaders.start(kind, path, root, env={PAUSE_AT_VARIABLE: "lock-busy", PAUSE_FILE_VARIABLE: str(waiting)})
    wait_for(waiting)  # its first check found nothing: the first load had not committed
    holding.unlink()
    assert loaders.wait(a)["status"] == "loaded"
    waiting.unlink()
    assert loaders.wait(b)["status"] == "skipped"
    assert len(Lake(root).loads()) == 1
    assert check_lake(Lake(root)).ok
