"""A final audit is final and the access trail is append-only, in the database itself.

Every way of rewriting a row that Django or a database client offers is tried against a final
audit (its row, cases, findings and events) and the access trail: queryset update and delete,
the base manager, bulk_update, bulk_create into a final audit, save() with the model's own
check stepped over, and raw SQL. Each must be refused by the database's triggers and leave
every row as it was. The same tests run on SQLite and (marker `postgres`) on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, models, transaction
from django.test import RequestFactory
from django_scopes import scopes_disabled

from codingwatch.web import immutability
from codingwatch.web.accounts.models import AccessEvent, AppendOnlyError
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.audits.models import Audit, AuditCase, AuditEvent, AuditLocked, Finding
from codingwatch.web.audits.services.workflow import act_on_finding, transition

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TABLES = [AccessEvent, Audit, AuditCase, Finding, AuditEvent]


def finalize(audit, auditor, vendor_user):
    transition(audit, auditor, "route")
    for f in Finding.objects.filter(case__audit=audit):
        act_on_finding(f, vendor_user, "agree")
    transition(audit, vendor_user, "submit_responses")
    transition(audit, auditor, "finalize")
    audit.refresh_from_db()
    return audit


def trail_row(user, path="/coders/ac1/"):
    request = RequestFactory().get(path)
    request.user = user
    return record_access(request, action=AccessEvent.VIEW, object_type="coder", object_id="ac1")


@pytest.fixture
def world(reviewed_audit, auditor, acme_user):
    with scopes_disabled():
        final = finalize(reviewed_audit, auditor, acme_user)
        for _ in range(3):
            trail_row(auditor)
        yield final


def snapshot() -> dict:
    with scopes_disabled():
        return {model.__name__: sorted(map(repr, model._base_manager.order_by("pk").values_list()))
                for model in TABLES}


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _bypass_save(obj, **changes):
    """save() with the model's own check stepped over: straight to Django's Model.save."""
    for name, value in changes.items():
        setattr(obj, name, value)
    models.Model.save(obj)


def attempts(audit: Audit) -> list[tuple[str, object]]:
    """Every rewrite tried, by name; each must raise the database's IntegrityError."""
    case = AuditCase._base_manager.filter(audit=audit).order_by("number").first()
    finding = Finding._base_manager.filter(case__audit=audit).order_by("id").first()
    event = AuditEvent._base_manager.filter(audit=audit).order_by("id").first()
    trail = AccessEvent._base_manager.order_by("id").first()
    new_case = AuditCase(audit=audit, number=999, stratum="x", frame_number=999, encounter_key="k",
                         encounter_type="inpatient", specialty="cardiology")
    return [
        # the audit row
        ("audit: queryset update of the seed", lambda: Audit.objects.filter(pk=audit.pk).update(seed="1")),
        ("audit: base manager update", lambda: Audit._base_manager.filter(pk=audit.pk).update(state="draft")),
        ("audit: save() past the model's check", lambda: _bypass_save(Audit._base_manager.get(pk=audit.pk), seed="1")),
        ("audit: bulk_update", lambda: Audit.objects.bulk_update([_changed(audit, title="x")], ["title"])),
        ("audit: raw SQL update", lambda: sql("UPDATE audits_audit SET seed = '1' WHERE id = %s", [audit.pk])),
        ("audit: raw SQL delete", lambda: sql("DELETE FROM audits_audit WHERE id = %s", [audit.pk])),
        # its cases
        ("cases: queryset update", lambda: AuditCase.objects.filter(audit=audit).update(coder_id="someone")),
        # (delete() through Django's collector stops earlier: the findings' events PROTECT them)
        ("cases: queryset delete past Django's collector",
         lambda: AuditCase._base_manager.filter(audit=audit)._raw_delete(connection.alias)),
        ("cases: save() past the model's check", lambda: _bypass_save(case, audited_lines=[])),
        ("cases: bulk_create into the final audit", lambda: AuditCase.objects.bulk_create([new_case])),
        ("cases: raw SQL update", lambda: sql("UPDATE audits_auditcase SET audited_drg = 1 WHERE audit_id = %s",
                                              [audit.pk])),
        ("cases: raw SQL delete", lambda: sql("DELETE FROM audits_auditcase WHERE id = %s", [case.pk])),
        # its findings
        ("findings: queryset update", lambda: Finding.objects.filter(case__audit=audit).update(status="withdrawn")),
        ("findings: queryset delete past Django's collector",
         lambda: Finding._base_manager.filter(pk=finding.pk)._raw_delete(connection.alias)),
        ("findings: save() past the model's check", lambda: _bypass_save(finding, status="withdrawn")),
        ("findings: bulk_update", lambda: Finding.objects.bulk_update([_changed(finding, rationale="x")],
                                                                      ["rationale"])),
        ("findings: bulk_create into the final audit",
         lambda: Finding.objects.bulk_create([Finding(case=case, kind="dx_added", status="upheld")])),
        ("findings: raw SQL update", lambda: sql("UPDATE audits_finding SET status = 'withdrawn' WHERE id = %s",
                                                 [finding.pk])),
        ("findings: raw SQL delete", lambda: sql("DELETE FROM audits_finding WHERE id = %s", [finding.pk])),
        # its events
        ("events: queryset update", lambda: AuditEvent.objects.filter(audit=audit).update(comment="x")),
        ("events: queryset delete", lambda: AuditEvent.objects.filter(audit=audit).delete()),
        ("events: save() past the model's check", lambda: _bypass_save(event, comment="x")),
        ("events: raw SQL update", lambda: sql("UPDATE audits_auditevent SET username = 'x' WHERE id = %s",
                                               [event.pk])),
        ("events: raw SQL delete", lambda: sql("DELETE FROM audits_auditevent WHERE id = %s", [event.pk])),
        # the access trail
        ("trail: base manager update", lambda: AccessEvent._base_manager.update(object_id="x")),
        ("trail: base manager delete", lambda: AccessEvent._base_manager.all().delete()),
        ("trail: save() past the model's check", lambda: _bypass_save(trail, path="/elsewhere/")),
        ("trail: bulk_update through the base manager",
         lambda: AccessEvent._base_manager.bulk_update([_changed(trail, username="x")], ["username"])),
        ("trail: raw SQL update", lambda: sql("UPDATE accounts_accessevent SET object_id = 'x'")),
        ("trail: raw SQL delete", lambda: sql("DELETE FROM accounts_accessevent WHERE id = %s", [trail.pk])),
    ]


def _changed(obj, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    return obj


def test_every_rewrite_of_a_final_audit_and_of_the_trail_is_refused_by_the_database(world):
    before = snapshot()
    with scopes_disabled():
        tried = attempts(world)
        refused = []
        for name, attempt in tried:
            try:
                with transaction.atomic():
                    attempt()
            except IntegrityError as exc:
                assert "final" in str(exc) or "append-only" in str(exc), (name, str(exc))
                refused.append(name)
    assert refused == [name for name, _ in tried]
    assert len(refused) == 30
    assert snapshot() == before


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_to_truncate_the_trail_and_final_audits(world):
    before = snapshot()
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction has deferred checks pending
    for table in ("accounts_accessevent", "audits_auditevent", "audits_finding", "audits_auditcase"):
        with pytest.raises(IntegrityError), transaction.atomic():
            sql(f"TRUNCATE {table} CASCADE")
    assert snapshot() == before


def test_the_models_say_so_first(world):
    """The convenience layer: clear errors before the database is asked."""
    with scopes_disabled():
        audit = Audit.objects.get(pk=world.pk)
        audit.seed = "1"
        with pytest.raises(AuditLocked):
            audit.save()
        with pytest.raises(AuditLocked):
            AuditCase.objects.filter(audit=world).first().save()
        with pytest.raises(AuditLocked):
            Finding.objects.filter(case__audit=world).first().save()
        with pytest.raises(AppendOnlyError):
            AccessEvent.objects.update(object_id="x")


def test_a_draft_still_changes_and_its_events_still_do_not(reviewed_audit):
    """The guards hold final audits only; the audit trail of any audit is append-only."""
    with scopes_disabled():
        assert AuditCase.objects.filter(audit=reviewed_audit).update(coder_id="ac9") == 9
        assert Audit.objects.filter(pk=reviewed_audit.pk).update(title="renamed") == 1
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEvent.objects.filter(audit=reviewed_audit).update(comment="x")


def test_reopening_inserts_a_revision_and_changes_no_final_row(world, auditor):
    before = snapshot()
    with scopes_disabled():
        revision = transition(world, auditor, "reopen", "a late record arrived")
        after = snapshot()
        for model in (Audit, AuditCase, Finding, AuditEvent, AccessEvent):
            old, new = set(before[model.__name__]), set(after[model.__name__])
            assert old <= new, f"{model.__name__}: a row of the final revision changed"
        assert AuditCase.objects.filter(audit=revision).update(coder_id="ac9") == 9  # the draft revision works
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditCase.objects.filter(audit=world).update(coder_id="ac9")


def test_the_triggers_come_back_when_migrate_runs_again():
    """SQLite drops a table's triggers when a migration rebuilds it; post_migrate installs them again."""
    assert immutability.installed(connection) >= immutability.expected()
    immutability.uninstall(connection, "audits")
    assert not immutability.installed(connection) & {g.name for g in immutability.AUDIT_GUARDS}
    call_command("migrate", verbosity=0)
    assert immutability.installed(connection) >= immutability.expected()


@pytest.mark.django_db(transaction=True)
def test_flush_of_a_test_database_passes_the_guards_and_puts_them_back(world):
    call_command("flush", interactive=False, verbosity=0)
    assert not AccessEvent._base_manager.exists() and not Audit._base_manager.exists()
    assert immutability.installed(connection) >= immutability.expected()


def test_reopening_through_the_api_answers_the_new_revision_and_the_pages_link_both(world, auditor, login):
    client = login(auditor)
    response = client.post(f"/api/audits/{world.pk}/steps/reopen", '{"comment": "a late record arrived"}',
                           content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["revision"], body["reopens"]) == ("draft", 2, world.pk)
    assert body["id"] != world.pk and body["seed"] == world.seed and body["cases"] == 9
    final_page = client.get(f"/audits/{world.pk}/").content.decode()
    assert f'href="/audits/{body["id"]}/"' in final_page and "final" in final_page
    revision_page = client.get(f"/audits/{body['id']}/").content.decode()
    assert f'href="/audits/{world.pk}/"' in revision_page and "a late record arrived" in revision_page
    again = client.post(f"/api/audits/{world.pk}/steps/reopen", '{"comment": "twice"}', content_type="application/json")
    assert again.status_code == 409 and "already reopened" in again.json()["detail"]
