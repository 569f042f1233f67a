"""Two people acting on one provenance alert at the same moment, as two app processes would:
each process reads the alert (open), both wait at a barrier, then both act. The triage
actions re-read the alert under a row lock (select_for_update; on SQLite an IMMEDIATE
transaction), so the second finds it resolved: one suppression rule, never two.

Runs against a SQLite file, and under the postgres marker against a fresh database of the
throwaway PostgreSQL cluster (DATABASE_URL set by scripts/with-postgresql).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

pytestmark = pytest.mark.postgres

SETUP = """
import datetime as dt, django, json
django.setup()
from django_scopes import scopes_disabled
_unscoped = scopes_disabled()  # a script, as a management command runs: no request scope
_unscoped.__enter__()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import User
from codingwatch.web.provenance.models import ProvenanceAlert
for name in ("cora", "carl"):
    User.objects.create_user(username=name, password="x" * 20, role=roles.COMPLIANCE)
at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
alerts = [ProvenanceAlert.objects.create(
    fingerprint=f"f{i}", rule="off_hours", severity="medium", login="ac1", window_start=at, window_end=at,
    event_count=3, detail="work at 03:00 local", countries=["IN"], devices=["ac1-vdi"]).pk for i in range(3)]
print(json.dumps(alerts))
"""

RACER = """
import django, json, sys, time
from pathlib import Path
django.setup()
from django_scopes import scopes_disabled
_unscoped = scopes_disabled()  # a script, as a management command runs: no request scope
_unscoped.__enter__()
from codingwatch.web.accounts.models import User
from codingwatch.web.provenance import services
from codingwatch.web.provenance.models import ProvenanceAlert
alert_id, username, ready, index, action = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4], sys.argv[5]
alert = ProvenanceAlert.objects.get(pk=alert_id)  # the page as each person sees it: open
user = User.objects.get(username=username)
(ready / index).touch()
deadline = time.monotonic() + 120
while len(list(ready.iterdir())) < 2 and time.monotonic() < deadline:
    time.sleep(0.002)
try:
    if action == "assign":
        services.assign(alert, user)
        print(json.dumps({"done": "assigned"}))
    else:
        rule = services.resolve(alert, user, reason=f"{username}: the VPN exit", false_positive=True)
        print(json.dumps({"done": "suppression", "rule": rule.pk}))
except services.ActionError as exc:
    print(json.dumps({"refused": str(exc)}))
"""

COUNT = """
import django, json
django.setup()
from django_scopes import scopes_disabled
_unscoped = scopes_disabled()  # a script, as a management command runs: no request scope
_unscoped.__enter__()
from codingwatch.web.provenance.models import ProvenanceAlert, Suppression
print(json.dumps({"suppressions": list(Suppression.objects.values_list("source_alert_id", flat=True)),
                  "alerts": {a.pk: [a.status, a.assigned_to.username if a.assigned_to else None,
                                    a.resolved_by.username if a.resolved_by else None]
                             for a in ProvenanceAlert.objects.all()}}))
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """DATABASE_URL of a fresh database: PostgreSQL when the suite runs against it, else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('race') / 'race.sqlite3'}"
        return
    import psycopg

    name = f"race_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(code: str, env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def result(process: subprocess.Popen):
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def world(database, tmp_path_factory):
    """Migrated once for the module: two users of the compliance queue and three open alerts."""
    env = {**os.environ, "DATABASE_URL": database, "CODINGWATCH_VAR": str(tmp_path_factory.mktemp("var")),
           "DJANGO_SETTINGS_MODULE": "codingwatch.web.settings"}
    alerts = result(run(SETUP, env))
    return env, alerts


def race(env, tmp_path, alert_id: int, action: str, round_: int) -> list[dict]:
    ready = tmp_path / f"ready-{action}-{round_}"
    ready.mkdir()
    racers = [run(RACER, env, str(alert_id), name, str(ready), str(i), action)
              for i, name in enumerate(("cora", "carl"))]
    return [result(p) for p in racers]


def test_two_simultaneous_false_positive_resolutions_create_one_suppression_rule(world, tmp_path):
    env, alerts = world
    for round_, alert_id in enumerate(alerts[:2]):
        outcomes = race(env, tmp_path, alert_id, "resolve", round_)
        done = [o for o in outcomes if "done" in o]
        refused = [o for o in outcomes if "refused" in o]
        assert len(done) == 1 and len(refused) == 1, outcomes
        assert refused[0]["refused"].startswith("the alert is already false positive (by ")
    state = result(run(COUNT, env))
    assert sorted(state["suppressions"]) == sorted(alerts[:2])  # one rule per alert
    assert all(state["alerts"][str(a)][0] == "false_positive" and state["alerts"][str(a)][2] in ("cora", "carl")
               for a in alerts[:2])


def test_simultaneous_assignments_leave_the_alert_with_one_of_them(world, tmp_path):
    env, alerts = world
    outcomes = race(env, tmp_path, alerts[2], "assign", 0)
    assert outcomes == [{"done": "assigned"}, {"done": "assigned"}]
    state = result(run(COUNT, env))
    assert state["alerts"][str(alerts[2])][1] in ("cora", "carl")
