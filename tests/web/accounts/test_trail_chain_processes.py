"""Concurrent writers in separate processes keep one access-trail chain in a SQLite file database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

WRITER = """
import sys
import django
django.setup()
from codingwatch.web.accounts.models import AccessEvent, User
name, n = sys.argv[1], int(sys.argv[2])
user = User.objects.get(username=name)
for i in range(n):
    AccessEvent.objects.create(user=user, username=name, role=user.role, action="view", object_type="coder",
                               object_id=f"{name}-{i}", path=f"/coders/{name}-{i}/")
"""


@pytest.mark.django_db(databases=[])
def test_concurrent_processes_keep_one_chain_on_a_sqlite_file(tmp_path):
    """Four processes write 30 rows each at once into one SQLite file database (the embedded default)."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}", CODINGWATCH_VAR=str(tmp_path),
               DJANGO_SETTINGS_MODULE="codingwatch.web.settings")
    setup = ("import django; django.setup(); from django.core.management import call_command; "
             "call_command('migrate', verbosity=0); from codingwatch.web.accounts.models import User; "
             "[User.objects.create(username=f'w{i}', role='director') for i in range(4)]")
    subprocess.run([sys.executable, "-c", setup], env=env, check=True)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, f"w{i}", "30"], env=env, stderr=subprocess.PIPE,
                                text=True) for i in range(4)]
    failures = [w.stderr.read() for w in writers if w.wait() != 0]
    assert failures == []
    result = subprocess.run([sys.executable, "-m", "codingwatch.cli", "trail", "verify", "--format", "json"],
                            env=env, capture_output=True, text=True, check=True)
    verdict = json.loads(result.stdout)
    assert (verdict["ok"], verdict["rows"]) == (True, 120), verdict
