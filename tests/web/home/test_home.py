"""The home page: what waits for each person, by role, each item a link; the same at /api/home;
a vendor's users see only their vendor's work, an organization only its own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from codingwatch.audit import repayment_due
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.audits.models import Audit, Finding
from codingwatch.web.audits.services.workflow import act_on_finding, transition
from tests.web import provenance_fixtures as pf
from tests.web.conftest import make_user

access_lake, compliance, scanned = pf.access_lake, pf.compliance, pf.scanned

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def sections(client) -> dict[str, dict]:
    body = client.get("/api/home").json()
    return {s["key"]: s for s in body["sections"]}


def findings(audit):
    return list(Finding.objects.filter(case__audit=audit).order_by("id"))


def test_the_vendor_sees_the_routed_audit_and_each_case_with_findings_to_answer(reviewed_audit, auditor, acme_user,
                                                                               bayside_user, client):
    transition(reviewed_audit, auditor, "route")
    client.force_login(acme_user)
    mine = sections(client)
    assert [i["url"] for i in mine["audits"]["items"]] == [f"/audits/{reviewed_audit.pk}/"]
    total = len(findings(reviewed_audit))
    assert mine["findings"]["count"] == total
    cases = {f.case.number for f in findings(reviewed_audit)}
    assert {i["url"] for i in mine["findings"]["items"]} == {f"/audits/{reviewed_audit.pk}/cases/{c}/" for c in cases}
    for item in mine["findings"]["items"]:  # each link opens for the vendor
        assert client.get(item["url"]).status_code == 200
    page = client.get("/home/").content.decode()
    assert "Findings to answer" in page and f'href="/audits/{reviewed_audit.pk}/cases/' in page
    assert AccessEvent.objects.filter(object_type="home", username=acme_user.username).exists()
    # answering a finding takes it off the list
    act_on_finding(findings(reviewed_audit)[0], acme_user, "agree")
    assert sections(client)["findings"]["count"] == total - 1
    # the other vendor sees none of it
    client.force_login(bayside_user)
    theirs = sections(client)
    assert theirs["audits"]["count"] == 0 and theirs["findings"]["count"] == 0
    assert "Acme February" not in client.get("/home/").content.decode()


def test_the_vendor_does_not_see_a_draft(reviewed_audit, acme_user, client):
    client.force_login(acme_user)
    assert sections(client)["audits"]["count"] == 0


def test_the_auditor_sees_drafts_then_rebuttals_to_decide(reviewed_audit, auditor, acme_user, client):
    client.force_login(auditor)
    mine = sections(client)
    assert [i["url"] for i in mine["audits"]["items"]] == [f"/audits/{reviewed_audit.pk}/"]
    assert "findings" not in mine and "repayments" not in mine
    transition(reviewed_audit, auditor, "route")
    assert sections(client)["audits"]["count"] == 0  # the vendor's turn
    first, *rest = findings(reviewed_audit)
    act_on_finding(first, acme_user, "rebut", "the record supports the coder")
    for f in rest:
        act_on_finding(f, acme_user, "agree")
    transition(reviewed_audit, acme_user, "submit_responses")
    mine = sections(client)
    assert mine["audits"]["count"] == 1 and "decide the vendor's rebuttals" in mine["audits"]["items"][0]["detail"]
    assert mine["rebuttals"]["count"] == 1
    assert mine["rebuttals"]["items"][0]["url"] == f"/audits/{reviewed_audit.pk}/cases/{first.case.number}/"


def test_the_director_sees_escalations_and_the_sla_section_says_it_is_not_set_up(reviewed_audit, auditor, acme_user,
                                                                               director, client):
    transition(reviewed_audit, auditor, "route")
    first, *rest = findings(reviewed_audit)
    act_on_finding(first, acme_user, "rebut", "disagree")
    for f in rest:
        act_on_finding(f, acme_user, "agree")
    transition(reviewed_audit, acme_user, "submit_responses")
    act_on_finding(Finding.objects.get(pk=first.pk), auditor, "escalate", "ambiguous")
    transition(reviewed_audit, auditor, "escalate")
    client.force_login(director)
    mine = sections(client)
    assert mine["escalations"]["count"] == 1 and mine["audits"]["count"] == 1
    import importlib.util

    if importlib.util.find_spec("codingwatch.web.scorecard") is None:
        assert mine["sla"]["available"] is False and mine["sla"]["items"] == [] and mine["sla"]["count"] == 0
        page = client.get("/home/").content.decode()
        section = page.split('data-testid="home-sla"', 1)[1].split("</section>", 1)[0]
        assert "not set up in this installation yet" in section
        assert not any(ch.isdigit() for ch in section.split("</h2>", 1)[1])  # no stub figure


def test_compliance_sees_repayment_clocks_by_days_left_and_high_severity_cases(reviewed_audit, auditor, acme_user,
                                                                              roster, compliance, scanned, client):
    transition(reviewed_audit, auditor, "route")
    for f in findings(reviewed_audit):
        act_on_finding(f, acme_user, "agree")
    transition(reviewed_audit, acme_user, "submit_responses")
    identified = timezone.localdate() - dt.timedelta(days=50)
    transition(reviewed_audit, auditor, "finalize", today=identified)
    client.force_login(compliance)
    mine = sections(client)
    [clock] = mine["repayments"]["items"]
    assert clock["days_left"] == (repayment_due(identified) - timezone.localdate()).days == 10
    assert clock["detail"].endswith("10 days left") and clock["url"] == f"/audits/{reviewed_audit.pk}/"
    cases = mine["alert_cases"]["items"]
    assert cases and all(i["url"].startswith("/provenance/cases/") for i in cases)
    assert cases[0]["title"].startswith("PHI saved to a local machine")  # local PHI before the country breach
    for item in cases:
        assert client.get(item["url"]).status_code == 200
    assert "audits" in mine and mine["audits"]["count"] == 0 and "findings" not in mine


def test_another_organization_sees_nothing_of_this_one(reviewed_audit, auditor, scanned, client):
    from codingwatch.web.organizations.models import Organization

    transition(reviewed_audit, auditor, "route")
    outsider = make_user("otto", roles.ADMIN)
    outsider.organization = Organization.objects.create(name="Elsewhere Health")
    outsider.save()
    client.force_login(outsider)
    assert all(s["count"] == 0 for s in sections(client).values())
    assert Audit.objects.filter(pk=reviewed_audit.pk).exists()


def test_every_role_gets_a_home_page_and_the_navigation_links_it(user_of_role, client):
    for role in roles.ROLES:
        client.force_login(user_of_role(role))
        page = client.get("/home/")
        assert page.status_code == 200, role
        assert 'href="/home/"' in page.content.decode() and 'data-testid="bell"' in page.content.decode()
