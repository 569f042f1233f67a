"""The demo admin's password is printed in the step that sets it, and never lost: a run that
died between creating the user and printing its password leaves the next run to set a new one
and print it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

CHECK = """
import django, sys
django.setup()
from codingwatch.web.accounts.models import User
print("ok" if User.objects.get(username="demo-admin").check_password(sys.argv[1]) else "refused")
"""


def run(var, *args, code=None):
    env = {**os.environ, "CODINGWATCH_VAR": str(var), "DJANGO_SETTINGS_MODULE": "codingwatch.web.settings"}
    env.pop("CODINGWATCH_LAKE", None)
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "codingwatch.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def demo(var):
    return " ".join(run(var, "demo", "--no-serve", "--encounters", "100", "--seed", "3").split())


def password_in(text: str) -> str:
    [password] = re.findall(r"demo admin: demo-admin, password \(shown once\): (\S+)", text)
    return password


@pytest.fixture(scope="module")
def died_before_printing(tmp_path_factory):
    """A var folder whose demo admin was created but whose password nobody saw (as when a run is
    killed between the two), then the demo run twice."""
    var = tmp_path_factory.mktemp("demo-admin")
    run(var, "manage", "migrate", "--verbosity", "0")
    run(var, "manage", "create_user", "demo-admin", "--role", "admin")  # its output: never read
    return var, demo(var), demo(var)


def test_the_next_run_sets_a_new_password_and_prints_it(died_before_printing):
    var, first, _ = died_before_printing
    assert "demo-admin existed but its password was never shown (an earlier run stopped first)" in first
    assert run(var, password_in(first), code=CHECK).strip() == "ok"


def test_the_password_is_printed_before_anything_else_is_done(died_before_printing):
    _, first, _ = died_before_printing
    assert first.index("password (shown once)") < first.index("demo: encounters and case mix index by vendor")


def test_once_printed_it_is_never_printed_or_changed_again(died_before_printing):
    var, first, second = died_before_printing
    assert "password (shown once)" not in second
    assert "its password was printed when it was created" in second
    assert run(var, password_in(first), code=CHECK).strip() == "ok"
