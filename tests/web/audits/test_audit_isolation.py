"""Vendor isolation on every audit page and API endpoint.

Standing personas: `acme_user` (Acme's QA lead) and `bayside_user` (the outsider). Another
vendor's audit, case or finding answers 404 as if it did not exist; a draft is invisible to
the vendor whose audit it is.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.web.audits import urls as audit_urls
from codingwatch.web.audits.models import Finding
from codingwatch.web.audits.services.workflow import transition

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def requests_on(audit, finding_id, case_number=1):
    """Every audit URL (and API endpoint) that names an audit, as (method, path, data)."""
    pk = audit.pk
    pages = [
        ("get", reverse("audit", args=[pk]), None),
        ("post", reverse("audit-draw", args=[pk]), {}),
        ("get", reverse("audit-edit", args=[pk]), None),
        ("post", reverse("audit-edit", args=[pk]), {}),
        ("get", reverse("audit-delete", args=[pk]), None),
        ("post", reverse("audit-delete", args=[pk]), {}),
        ("post", reverse("audit-import", args=[pk]), {}),
        ("post", reverse("audit-transition", args=[pk, "submit_responses"]), {}),
        ("post", reverse("audit-finding-action", args=[pk, finding_id, "agree"]), {}),
        ("get", reverse("audit-report", args=[pk, "html"]), None),
        ("get", reverse("audit-report", args=[pk, "pdf"]), None),
        ("get", reverse("audit-case", args=[pk, case_number]), None),
        ("post", reverse("audit-case", args=[pk, case_number]), {}),
        ("post", reverse("audit-case-preview", args=[pk, case_number]), {}),
        ("post", reverse("audit-case-reveal", args=[pk, case_number]), {}),
    ]
    api = [
        ("get", f"/api/audits/{pk}", None),
        ("get", f"/api/audits/{pk}/cases", None),
        ("get", f"/api/audits/{pk}/findings", None),
        ("post_json", f"/api/audits/{pk}/steps/submit_responses", {"comment": ""}),
        ("post_json", f"/api/audits/{pk}/findings/{finding_id}/agree", {"comment": ""}),
    ]
    return pages + api


def send(client, method, path, data):
    if method == "post_json":
        return client.post(path, json.dumps(data), content_type="application/json")
    return getattr(client, method)(path, data or {})


def test_the_list_covers_every_audit_url():
    """A new audit URL must be added to requests_on, or this fails."""
    named = {p.name for p in audit_urls.urlpatterns} - {"audits", "audit-new", "repayments"}
    covered = {"audit", "audit-draw", "audit-edit", "audit-delete", "audit-import", "audit-transition", "audit-finding-action", "audit-report",
               "audit-case", "audit-case-preview", "audit-case-reveal"}
    assert named == covered


def test_another_vendors_audit_case_and_finding_answer_404_everywhere(login, bayside_user, reviewed_audit, auditor):
    with scopes_disabled():
        transition(reviewed_audit, auditor, "route")  # routed: Acme's user could see it, Bayside's never
        finding = Finding.objects.filter(case__audit=reviewed_audit).first()
    client = login(bayside_user)
    for method, path, data in requests_on(reviewed_audit, finding.pk):
        assert send(client, method, path, data).status_code == 404, (method, path)
    with scopes_disabled():
        assert Finding.objects.get(pk=finding.pk).status == "open"
    assert client.get("/api/audits").json() == []
    assert "Acme February" not in client.get(reverse("audits")).content.decode()


def test_a_draft_is_invisible_to_its_own_vendor(login, acme_user, reviewed_audit):
    with scopes_disabled():
        finding = Finding.objects.filter(case__audit=reviewed_audit).first()
    client = login(acme_user)
    for method, path, data in requests_on(reviewed_audit, finding.pk):
        assert send(client, method, path, data).status_code == 404, (method, path)
    assert client.get("/api/audits").json() == []


def test_a_finding_of_another_vendor_cannot_be_reached_through_ones_own_audit(
        login, acme_user, reviewed_audit, bayside_reviewed, auditor):
    with scopes_disabled():
        transition(reviewed_audit, auditor, "route")
        theirs = Finding.objects.filter(case__audit=bayside_reviewed).first()
    client = login(acme_user)
    page = reverse("audit-finding-action", args=[reviewed_audit.pk, theirs.pk, "agree"])
    assert client.post(page, {}).status_code == 404
    api = f"/api/audits/{reviewed_audit.pk}/findings/{theirs.pk}/agree"
    assert client.post(api, "{}", content_type="application/json").status_code == 404
    with scopes_disabled():
        assert Finding.objects.get(pk=theirs.pk).status == "open"


def test_a_routed_audit_is_visible_to_its_vendor_with_only_its_own_findings(
        login, acme_user, reviewed_audit, bayside_reviewed, auditor):
    with scopes_disabled():
        transition(reviewed_audit, auditor, "route")
        ours = Finding.objects.filter(case__audit=reviewed_audit).count()
    client = login(acme_user)
    assert client.get(reverse("audit", args=[reviewed_audit.pk])).status_code == 200
    assert [a["id"] for a in client.get("/api/audits").json()] == [reviewed_audit.pk]
    assert len(client.get(f"/api/audits/{reviewed_audit.pk}/findings").json()) == ours
    assert client.get(reverse("audit-case", args=[reviewed_audit.pk, 1])).status_code == 200


def test_the_vendor_rebuts_through_the_api_and_a_refused_step_answers_409(login, acme_user, reviewed_audit, auditor):
    with scopes_disabled():
        transition(reviewed_audit, auditor, "route")
        finding = Finding.objects.filter(case__audit=reviewed_audit).first()
    client = login(acme_user)
    path = f"/api/audits/{reviewed_audit.pk}/findings/{finding.pk}/rebut"
    refused = client.post(path, json.dumps({"comment": ""}), content_type="application/json")
    assert refused.status_code == 409 and "needs a comment" in refused.json()["detail"]
    done = client.post(path, json.dumps({"comment": "documented"}), content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "rebutted"
    early = client.post(f"/api/audits/{reviewed_audit.pk}/steps/submit_responses", "{}",
                        content_type="application/json")
    assert early.status_code == 409
