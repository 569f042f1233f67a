"""`codingwatch demo --no-serve` end to end, in a subprocess with its own var folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# A world small enough to build quickly in which the demo's monthly audits still settle accuracy
# months both ways: each contracted vendor's SLA specialty has about 20-50 charts a month (the
# contract's minimum before a month is judged is 30).
ENCOUNTERS = "4000"


def _env(var):
    env = {**os.environ, "CODINGWATCH_VAR": str(var)}
    env.pop("CODINGWATCH_LAKE", None)
    env.pop("DATABASE_URL", None)
    return env


def run_demo(var, *extra):
    done = subprocess.run(
        [sys.executable, "-m", "codingwatch.cli", "demo", "--no-serve", "--encounters", ENCOUNTERS, "--seed", "5",
         "--format", "json", *extra],
        env=_env(var), capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done


# Reads the demo's web scorecard as its admin would (the API and the vendor page), in a process
# of its own on the demo's app database: the admin's second factor passed as a login would.
WEB_SCORECARD = """
import json, sys
from urllib.parse import quote
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from codingwatch.web.accounts.models import User

setup_test_environment()
admin = User.objects.get(username="demo-admin")
device = (TOTPDevice.objects.filter(user=admin, confirmed=True).first()
          or TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True))
client = Client()
client.force_login(admin)
session = client.session
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.save()
period = {"from": sys.argv[1], "to": sys.argv[2]}
out = {}
for code in json.loads(sys.argv[3]):
    api = client.get("/api/scorecard/vendors/" + quote(code), period)
    page = client.get("/scorecard/vendors/" + quote(code) + "/", period)
    out[code] = {"api": api.json() if api.status_code == 200 else api.status_code,
                 "page": [page.status_code, page.content.decode()]}
print(json.dumps(out))
"""


def web_scorecard(var, first: str, last: str, vendors: list[str]) -> dict:
    env = {**_env(var), "DJANGO_SETTINGS_MODULE": "codingwatch.web.settings"}
    done = subprocess.run([sys.executable, "-c", WEB_SCORECARD, first, last, json.dumps(vendors)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


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
                           "--encounters", ENCOUNTERS], env=env, capture_output=True, text=True, timeout=300)
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


def test_the_demo_makes_final_monthly_audits_through_the_workflow_once(demo_twice):
    import sqlite3

    var, first, second = demo_twice
    audits = first["audits"]
    assert audits["audits_made"] == audits["audits_final"] == 24  # two contracted vendors, twelve months
    assert audits["findings"] > 0
    assert second["audits"]["audits_made"] == 0 and second["audits"]["skipped"] == 24
    with sqlite3.connect(var / "codingwatch.sqlite3") as db:
        states = db.execute("select state, count(*) from audits_audit group by state").fetchall()
        steps = dict(db.execute("select action, count(*) from audits_auditevent group by action").fetchall())
        roles = dict(db.execute("select e.action, group_concat(distinct e.role) from audits_auditevent e "
                                "group by e.action").fetchall())
        findings = dict(db.execute("select status, count(*) from audits_finding group by status").fetchall())
        cases = db.execute("select count(*), count(reviewed_at) from audits_auditcase").fetchone()
    assert states == [("final", 24)]
    # the trail as the workflow writes it: drawn, routed, answered by the vendor, decided, final
    assert steps["draw_sample"] == steps["route"] == steps["submit_responses"] == steps["finalize"] == 24
    assert steps["finding_agree"] + steps["finding_rebut"] == audits["findings"]
    assert steps["finding_uphold"] == steps["finding_rebut"] > 0
    assert roles["route"] == roles["finalize"] == "auditor" and roles["submit_responses"] == "vendor"
    assert findings == {"upheld": audits["findings"]}
    assert cases == (audits["charts"], audits["charts"])  # every sampled chart reviewed


def test_the_demo_web_scorecard_calls_accuracy_months_as_the_truth_has_them(demo_twice):
    var, _, _ = demo_twice
    truth = json.loads((var / "demo" / "world" / "scorecard_truth.json").read_text())["vendors"]
    shown = web_scorecard(var, "2025-10", "2026-09", sorted(truth))
    states = []
    for vendor, found in shown.items():
        assert found["page"][0] == 200
        for month in found["api"]["months"]:
            [accuracy] = [r for r in month["results"] if r["kind"] == "accuracy"]
            true = truth[vendor][month["month"][:7]]["accuracy"]
            assert accuracy["evidence"] > 0, (vendor, month["month"])  # audited charts, not the empty default
            states.append((vendor, month["month"], accuracy["state"], true["breached"], accuracy["needed"]))
    assert len(states) == 24
    # no month called against the truth; met, breached and undecided months all shown
    assert [s for s in states if (s[2] == "breached" and not s[3]) or (s[2] == "met" and s[3])] == []
    called = {s[2] for s in states}
    assert {"met", "breached", "not enough evidence"} <= called, called
    assert all(s[4]["additional"] > 0 for s in states if s[2] == "not enough evidence")
    for vendor, found in shown.items():  # the vendor's page shows the same states
        for state in {s[2] for s in states if s[0] == vendor}:
            assert f"<strong>{state}</strong>" in found["page"][1], (vendor, state)
