"""The access trail's hash chain: `codingwatch trail verify` proves it and names the first broken row.

Tampering needs the database's guards out of the way, so each tampering test lifts them
(as someone with the database's owner rights could) and puts them back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection
from django.test import RequestFactory
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.web import immutability
from codingwatch.web.accounts import chain
from codingwatch.web.accounts.models import AccessEvent, TrailHead
from codingwatch.web.accounts.trail import record_access, verify_trail
from tests.web.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def view(user, object_id: str):
    request = RequestFactory().get(f"/coders/{object_id}/")
    request.user = user
    return record_access(request, action=AccessEvent.VIEW, object_type="coder", object_id=object_id)


@pytest.fixture
def trail(director):
    return [view(director, f"c{i}") for i in range(6)]


def tamper(statement: str, params=()):
    with immutability.lifted(connection), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_each_row_holds_the_hash_of_the_one_before_and_of_itself(trail):
    rows = list(AccessEvent._base_manager.order_by("id"))
    assert rows[0].prev_hash == "0" * 64
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == before.row_hash
    # The hash, recomputed here from its definition (docs/web.md), with hashlib directly.
    last = rows[-1]
    content = {"at": last.at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "user_id": last.user_id, "username": last.username, "role": last.role, "action": last.action,
               "object_type": last.object_type, "object_id": last.object_id, "path": last.path}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert last.row_hash == hashlib.sha256(f"{last.prev_hash}\n{text}".encode()).hexdigest()
    verdict = verify_trail()
    assert (verdict.ok, verdict.rows, verdict.head) == (True, 6, last.row_hash)
    assert TrailHead.objects.get().last_id == last.pk


def test_a_changed_row_is_named(trail):
    tamper("UPDATE accounts_accessevent SET object_id = 'someone-else' WHERE id = %s", [trail[2].pk])
    verdict = verify_trail()
    assert (verdict.ok, verdict.broken_id, verdict.rows) == (False, trail[2].pk, 2)
    assert "changed after it was written" in verdict.reason


def test_a_removed_row_is_named_by_the_row_after_it(trail):
    tamper("DELETE FROM accounts_accessevent WHERE id = %s", [trail[3].pk])
    verdict = verify_trail()
    assert (verdict.ok, verdict.broken_id) == (False, trail[4].pk)
    assert "removed or inserted" in verdict.reason


def test_rows_removed_from_the_end_disagree_with_the_head(trail):
    tamper("DELETE FROM accounts_accessevent WHERE id >= %s", [trail[4].pk])
    verdict = verify_trail()
    assert not verdict.ok and "removed from the end" in verdict.reason


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(trail):
    """Recomputing the changed row's own hash is not enough: the next row still names the old one."""
    row = AccessEvent._base_manager.filter(pk=trail[1].pk).values("id", *chain.CONTENT_FIELDS, "prev_hash").get()
    row["object_id"] = "someone-else"
    tamper("UPDATE accounts_accessevent SET object_id = %s, row_hash = %s WHERE id = %s",
           ["someone-else", chain.link(row["prev_hash"], row), trail[1].pk])
    assert verify_trail().broken_id == trail[2].pk


def test_the_cli_and_the_management_command_report_the_break(trail, capsys):
    runner = CliRunner()
    good = runner.invoke(app, ["trail", "verify", "--format", "json"])
    assert good.exit_code == 0, good.output
    assert json.loads(good.output)["rows"] == 6
    tamper("UPDATE accounts_accessevent SET path = '/elsewhere/' WHERE id = %s", [trail[0].pk])
    bad = runner.invoke(app, ["trail", "verify"])
    assert bad.exit_code == 1
    assert f"row {trail[0].pk} " in bad.output and "changed after it was written" in bad.output
    with pytest.raises(CommandError):
        call_command("trail_verify", "--json")
    assert json.loads(capsys.readouterr().out)["broken_id"] == trail[0].pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(roster):
    """Eight threads, each with its own database connection, write 25 rows each at once."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite's in-memory test database is one shared cache: writers lock each other out "
                    "instead of waiting; PostgreSQL runs this, and test_trail_chain_processes a SQLite file")
    users = [make_user(f"u{i}", "director") for i in range(8)]
    start, errors = threading.Barrier(len(users)), []

    def write(user):
        try:
            start.wait()
            for i in range(25):
                view(user, f"{user.username}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    verdict = verify_trail()
    assert (verdict.ok, verdict.rows) == (True, 200), verdict.reason
    assert TrailHead.objects.get().length == 200

