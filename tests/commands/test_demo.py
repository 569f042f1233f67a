"""`codingwatch demo --no-serve` end to end, in a subprocess with its own var folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run_demo(var, *extra):
    env = {**os.environ, "CODINGWATCH_VAR": str(var)}
    env.pop("CODINGWATCH_LAKE", None)
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "codingwatch.cli", "demo", "--no-serve", "--encounters", "600", "--seed", "5",
         "--format", "json", *extra],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done


@pytest.fixture(scope="module")
def demo_twice(tmp_path_factory):
    var = tmp_path_factory.mktemp("demo-var")
    first, _ = run_demo(var)
    second, _ = run_demo(var)
    return var, first, second


def test_demo_loads_every_vendor_of_the_synthetic_world(demo_twice):
    var, first, _ = demo_twice
    world = json.loads((var / "demo" / "world" / "world.json").read_text())
    expected = {name: v["encounters"] for name, v in world["counts"]["by_vendor"].items()}
    assert {row["vendor"]: row["encounters"] for row in first["encounters_by_vendor"]} == expected
    assert first["ingest"]["status"] == "loaded"
    assert all(row["cmi"] for row in first["encounters_by_vendor"] if row["inpatient"])


def test_demo_prints_the_admin_password_once(demo_twice):
    _, first, second = demo_twice
    assert first["admin"] == "demo-admin" and len(first["admin_password"]) >= 12
    assert second["admin_password"] is None


def test_running_the_demo_twice_changes_nothing(demo_twice):
    _, first, second = demo_twice
    assert second["ingest"]["status"] == "skipped"
    assert second["encounters_by_vendor"] == first["encounters_by_vendor"]


def test_demo_refuses_a_world_made_with_other_settings(demo_twice):
    var, _, _ = demo_twice
    env = {**os.environ, "CODINGWATCH_VAR": str(var)}
    done = subprocess.run([sys.executable, "-m", "codingwatch.cli", "demo", "--no-serve", "--seed", "6",
                           "--encounters", "600"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "holds a world made with other settings" in done.stderr
    assert "Traceback" not in done.stderr


def test_demo_loads_the_worlds_claims_and_remittances_once(demo_twice):
    var, first, second = demo_twice
    world = var / "demo" / "world"
    billed = sum(1 for _ in (world / "claims_truth.csv").open()) - 1
    assert first["claims"]["files"] == len(list((world / "claims").glob("*.837")))
    assert first["remits"]["files"] == len(list((world / "remits").glob("*.835")))
    assert first["claims"]["claims"] == billed
    assert second["claims"]["files"] == second["remits"]["files"] == 0
    assert len(second["remits"]["skipped"]) == first["remits"]["files"]


def test_the_demo_shows_the_coding_denials_that_follow_the_injected_errors(demo_twice):
    import csv

    var, first, second = demo_twice
    world = var / "demo" / "world"
    with (world / "encounters.csv").open() as handle:
        vendor_of = {row["encounter_id"]: row["vendor"] for row in csv.DictReader(handle)}
    expected: dict[str, int] = {}
    with (world / "claims_truth.csv").open() as handle:
        for row in csv.DictReader(handle):
            vendor = vendor_of[row["encounter_id"]]
            expected[vendor] = expected.get(vendor, 0) + (row["coding_related"] == "yes")
    assert {r["vendor"]: r["coding_denied"] for r in first["denials_by_vendor"]} == expected
    assert second["denials_by_vendor"] == first["denials_by_vendor"]


def test_the_demo_loads_access_logs_and_stores_provenance_alerts_once(demo_twice):
    _, first, second = demo_twice
    assert first["access_ingest"]["status"] == "loaded" and first["access_ingest"]["events_loaded"] > 0
    assert first["provenance"]["alerts_new"] == first["provenance"]["alerts_found"] > 0
    assert second["access_ingest"]["status"] == "skipped"
    assert second["provenance"]["alerts_new"] == 0


def test_the_demo_alerts_name_the_split_vendor_and_the_taken_over_login(demo_twice):
    import datetime as dt
    import sqlite3

    var, _, _ = demo_twice
    world = json.loads((var / "demo" / "world" / "world.json").read_text())
    with sqlite3.connect(var / "codingwatch.sqlite3") as db:
        offshore = db.execute("select distinct vendor_code from provenance_provenancealert "
                              "where rule = 'forbidden_country'").fetchall()
        takeover = db.execute("select login, date(window_start) from provenance_provenancealert "
                              "where rule = 'takeover'").fetchall()
    assert offshore == [(world["split_vendor"]["name"],)]
    taken = world["takeover"]["login_id"]
    dates = [dt.date.fromisoformat(day) for login, day in takeover if login == taken]
    assert dates and min(abs((d - dt.date.fromisoformat(world["takeover"]["date"])).days) for d in dates) <= 7


def test_the_demo_admin_and_alerts_belong_to_the_demo_organization(demo_twice):
    import sqlite3

    var, _, _ = demo_twice
    with sqlite3.connect(var / "codingwatch.sqlite3") as db:
        admin = db.execute("select o.name from accounts_user u join organizations_organization o "
                           "on o.id = u.organization_id where u.username = 'demo-admin'").fetchall()
        orphans = db.execute("select count(*) from provenance_provenancealert where organization_id is null").fetchone()
        alerts = db.execute("select count(*) from provenance_provenancealert").fetchone()
    assert admin == [("Synth Health",)]
    assert orphans == (0,) and alerts[0] > 0
