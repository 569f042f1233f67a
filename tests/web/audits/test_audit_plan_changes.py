"""An audit plan can be edited or deleted until its sample is drawn, never after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.web.audits.models import Audit
from codingwatch.web.audits.services.draw import DrawRefused, draw
from codingwatch.web.audits.services.plan import PlanLocked, delete_plan
from tests.web.audit_fixtures import new_audit

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PLAN = {
    "title": "Acme cardiology Q1", "purpose": "focused", "coders": "ac1", "specialties": ["cardiology"],
    "encounter_types": ["inpatient"], "period_from": "2026-02-01", "period_to": "2026-02-28",
    "principal_dx_weight": 1, "payment_error_weight": 1, "limit_rule": "cms", "design": "simple",
    "strata_by": "", "size_rule": "fixed", "sample_size": 2, "expected_error_rate": "0.05",
    "desired_precision": "0.05", "confidence": "90", "seed": "12345.5",
}


def _get(pk):
    with scopes_disabled():
        return Audit.objects.get(pk=pk)


def test_an_undrawn_plan_is_edited_through_its_form(login, auditor, roster):
    audit = new_audit(roster["acme"], auditor, coders=["ac1", "ac2"])
    client = login(auditor)
    page = client.get(reverse("audit-edit", args=[audit.pk])).content.decode()
    assert 'value="ac1, ac2"' in page and "Edit the plan" in page
    response = client.post(reverse("audit-edit", args=[audit.pk]), PLAN | {"vendor": roster["acme"].pk})
    assert response.status_code == 302
    edited = _get(audit.pk)
    assert (edited.title, edited.coders, edited.specialties, edited.period_from, edited.seed) == (
        "Acme cardiology Q1", ["ac1"], ["cardiology"], dt.date(2026, 2, 1), "12345.5")


def test_an_edit_is_validated_like_a_new_plan(login, auditor, roster):
    audit = new_audit(roster["acme"], auditor)
    response = login(auditor).post(reverse("audit-edit", args=[audit.pk]),
                                   PLAN | {"vendor": roster["acme"].pk, "period_to": "2026-01-01"})
    assert response.status_code == 200 and "the period ends before it starts" in response.content.decode()
    assert _get(audit.pk).period_to == dt.date(2026, 3, 31)


def test_an_undrawn_plan_is_deleted_after_a_confirmation(login, auditor, roster):
    audit = new_audit(roster["acme"], auditor)
    client = login(auditor)
    assert "Delete the plan" in client.get(reverse("audit-delete", args=[audit.pk])).content.decode()
    assert client.post(reverse("audit-delete", args=[audit.pk])).status_code == 302
    with scopes_disabled():
        assert not Audit.objects.filter(pk=audit.pk).exists()


def test_a_drawn_plan_is_neither_edited_nor_deleted_and_the_page_says_why(login, auditor, roster, acme_audit):
    client = login(auditor)
    detail = client.get(reverse("audit", args=[acme_audit.pk])).content.decode()
    assert 'data-testid="edit-plan"' not in detail and 'data-testid="delete-plan"' not in detail
    assert "can no longer be edited or deleted: the sample was drawn on" in detail
    before = _get(acme_audit.pk)
    edit = client.post(reverse("audit-edit", args=[acme_audit.pk]), PLAN | {"vendor": roster["acme"].pk},
                       follow=True)
    assert "The plan cannot be edited: the sample was drawn on" in edit.content.decode()
    assert "plan a new audit instead" in edit.content.decode()
    delete = client.post(reverse("audit-delete", args=[acme_audit.pk]), follow=True)
    assert "The audit cannot be deleted: the sample was drawn on" in delete.content.decode()
    after = _get(acme_audit.pk)
    assert (after.title, after.seed, after.period_from, after.frame_sha256) == (
        before.title, before.seed, before.period_from, before.frame_sha256)
    with scopes_disabled(), pytest.raises(PlanLocked, match="drawn"):
        delete_plan(after)


def test_only_auditors_change_a_plan(login, director, auditor, roster):
    audit = new_audit(roster["acme"], auditor)
    client = login(director)
    assert client.get(reverse("audit-edit", args=[audit.pk])).status_code == 403
    assert client.post(reverse("audit-delete", args=[audit.pk])).status_code == 403
    assert _get(audit.pk).title == audit.title


def test_a_draw_refuses_when_the_plan_changed_under_it(roster, auditor, audit_lake):
    """The draw builds its frame, then stores the sample under the audit's row lock: an edit in
    between (here: saved before the draw's own transaction) makes it refuse, drawing nothing."""
    audit = new_audit(roster["acme"], auditor, sample_size=2)
    stale = _get(audit.pk)
    with scopes_disabled():
        Audit.objects.filter(pk=audit.pk).update(seed="999.5")
        with pytest.raises(DrawRefused, match="the plan changed while the sample was being drawn"):
            draw(stale, auditor)
        assert not Audit.objects.get(pk=audit.pk).drawn and not audit.cases.exists()
