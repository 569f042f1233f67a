"""A load from the command line warms the web pages when the installation has an app: the
loading commands set the app up first, so its after-commit steps are registered (run as a user
runs it, in a process of its own, where nothing else has set Django up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

RUN = """
import json, sys
from codingwatch.cli import app
from codingwatch.ingest import contract
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps([step.__qualname__ for step in contract.AFTER_COMMIT]))
"""


def steps_after(args: list[str], var) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    done = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=300,
                          env={**env, "CODINGWATCH_VAR": str(var)})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def queries(tmp_path):
    path = tmp_path / "queries.csv"
    path.write_text("query_id,encounter_id,coder_id,sent_at,answered_at\n"
                    "Q1,E1,c1,2026-03-02T09:00:00+00:00,2026-03-03T09:00:00+00:00\n")
    return path


def test_with_an_app_database_a_command_line_load_runs_the_apps_warm(tmp_path, queries):
    var = tmp_path / "var"
    var.mkdir()
    (var / "codingwatch.sqlite3").touch()  # the installation's app database
    assert "after_load" in steps_after(["ingest", "queries", str(queries), "--format", "json"], var)


def test_without_an_app_the_load_runs_alone(tmp_path, queries):
    var = tmp_path / "var"
    var.mkdir()
    assert steps_after(["ingest", "queries", str(queries), "--format", "json"], var) == []
