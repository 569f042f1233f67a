"""Notifications: each step of the rebuttal workflow, each repayment reminder and each new
high-severity alert case reaches the people whose turn it is, in the app and by email (Django's
locmem backend in tests), as each chose; a vendor's users never hear of another vendor's work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from codingwatch.audit import repayment_due
from codingwatch.web.accounts import roles
from codingwatch.web.audits.models import Finding
from codingwatch.web.audits.services.workflow import act_on_finding, transition
from codingwatch.web.notifications import models as n
from codingwatch.web.notifications.models import Notification, Preference
from tests.web import provenance_fixtures as pf
from tests.web.conftest import make_user

access_lake, scanned = pf.access_lake, pf.scanned

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def people(roster, auditor, acme_user, bayside_user, director):
    """Everyone with an email address; compliance and a second Acme user too."""
    everyone = {"auditor": auditor, "acme": acme_user, "bayside": bayside_user, "director": director,
                "compliance": make_user("cora", roles.COMPLIANCE),
                "acme2": make_user("ana", roles.VENDOR, roster["acme"])}
    for name, user in everyone.items():
        user.email = f"{name}@example.org"
        user.save()
    return everyone


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the emails) of what the block does, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def delivered(user, kind) -> list[Notification]:
    """The user's notices of the kind, each both in the app and in the locmem outbox."""
    notices = list(Notification.objects.filter(user=user, kind=kind))
    for notice in notices:
        assert notice.emailed_at is not None, notice.title
        assert any(user.email in m.to and notice.title in m.subject for m in mail.outbox), notice.title
    return notices


def assert_no_other_vendor(people):
    """Bayside's user hears nothing of Acme's audit, in the app or by email."""
    assert not Notification.objects.filter(user=people["bayside"]).exists()
    assert not [m for m in mail.outbox if people["bayside"].email in m.to]
    assert not Notification.objects.filter(user__role=roles.VENDOR).exclude(
        vendor=people["acme"].vendor).exists()


def findings(audit):
    return list(Finding.objects.filter(case__audit=audit).order_by("id"))


def to_auditor_review(audit, people, rebut: int = 1):
    transition(audit, people["auditor"], "route")
    for i, f in enumerate(findings(audit)):
        act_on_finding(f, people["acme"], "rebut" if i < rebut else "agree", "the record supports the coder")
    transition(audit, people["acme"], "submit_responses")


def test_routing_tells_the_vendors_users(reviewed_audit, people, committed):
    with committed():
        transition(reviewed_audit, people["auditor"], "route")
    for who in ("acme", "acme2"):
        [notice] = delivered(people[who], n.ROUTED)
        assert notice.url == f"/audits/{reviewed_audit.pk}/" and "Acme February" in notice.title
        assert f"{len(findings(reviewed_audit))} finding(s)" in notice.body
    assert not Notification.objects.filter(user__in=[people["auditor"], people["director"]]).exists()
    assert_no_other_vendor(people)


def test_the_vendors_submission_tells_the_auditor(reviewed_audit, people, committed):
    with committed():
        to_auditor_review(reviewed_audit, people)
    [notice] = delivered(people["auditor"], n.SUBMITTED)
    assert "Acme Coding answered the findings" in notice.title
    assert_no_other_vendor(people)


def test_escalating_tells_the_reviewers(reviewed_audit, people, committed):
    to_auditor_review(reviewed_audit, people)
    first = findings(reviewed_audit)[0]
    with committed():
        act_on_finding(first, people["auditor"], "escalate", "coding clinic is ambiguous")
        transition(reviewed_audit, people["auditor"], "escalate")
    [notice] = delivered(people["director"], n.ESCALATED)
    assert "escalated for your decision" in notice.title
    assert not Notification.objects.filter(user=people["acme"], kind=n.ESCALATED).exists()
    assert_no_other_vendor(people)


@pytest.mark.parametrize("action,word", [("uphold", "upheld"), ("withdraw", "withdrawn")])
def test_upholding_or_withdrawing_a_rebuttal_tells_the_vendor(reviewed_audit, people, committed, action, word):
    to_auditor_review(reviewed_audit, people)
    first = findings(reviewed_audit)[0]
    with committed():
        act_on_finding(first, people["auditor"], action, "see the operative note")
    [notice] = delivered(people["acme"], n.DECIDED)
    assert notice.title.endswith(f"was {word}") and "see the operative note" in notice.body
    assert notice.url == f"/audits/{reviewed_audit.pk}/cases/{first.case.number}/"
    assert_no_other_vendor(people)


def test_the_reviewers_decision_on_an_escalation_tells_the_vendor(reviewed_audit, people, committed):
    to_auditor_review(reviewed_audit, people)
    first = findings(reviewed_audit)[0]
    act_on_finding(first, people["auditor"], "escalate", "ambiguous")
    transition(reviewed_audit, people["auditor"], "escalate")
    with committed():
        act_on_finding(Finding.objects.get(pk=first.pk), people["director"], "decide_withdraw", "benefit of the doubt")
    [notice] = delivered(people["acme"], n.DECIDED)
    assert "withdrawn" in notice.title
    assert_no_other_vendor(people)


def test_making_final_tells_the_vendor_the_auditor_and_compliance_of_the_clock(reviewed_audit, people, committed):
    to_auditor_review(reviewed_audit, people, rebut=0)
    with committed():
        transition(reviewed_audit, people["auditor"], "finalize", today=dt.date(2026, 4, 1))
    for who in ("acme", "auditor", "compliance"):
        [notice] = delivered(people[who], n.FINAL)
        assert "60-day repayment clock started 2026-04-01 and runs to 2026-05-31" in notice.body
    assert_no_other_vendor(people)


def test_reopening_tells_the_vendor_and_the_auditor_and_links_the_new_revision(reviewed_audit, people, committed):
    to_auditor_review(reviewed_audit, people, rebut=0)
    transition(reviewed_audit, people["auditor"], "finalize")
    with committed():
        revision = transition(reviewed_audit, people["director"], "reopen", "a late query answer")
    for who in ("acme", "auditor"):
        [notice] = delivered(people[who], n.REOPENED)
        assert notice.url == f"/audits/{revision.pk}/" and "a late query answer" in notice.body
    assert_no_other_vendor(people)


def test_repayment_reminders_at_14_7_and_1_days_left_once_each(reviewed_audit, people, committed):
    to_auditor_review(reviewed_audit, people, rebut=0)
    transition(reviewed_audit, people["auditor"], "finalize", today=dt.date(2026, 4, 1))
    due = repayment_due(dt.date(2026, 4, 1))
    filed = []
    for left in (20, 14, 13, 7, 1, 1):
        with committed():
            call_command("notifications_daily", "--date", (due - dt.timedelta(days=left)).isoformat(), "--no-digest")
        filed.append(Notification.objects.filter(kind=n.REPAYMENT_DUE, user=people["compliance"]).count())
    assert filed == [0, 1, 1, 2, 3, 3]  # nothing before 14 days; each reminder once
    notices = delivered(people["compliance"], n.REPAYMENT_DUE)
    assert sorted(x.title for x in notices)[0].endswith("(1 day left)")
    assert {x.url for x in notices} == {"/compliance/repayments/"}
    assert not Notification.objects.filter(kind=n.REPAYMENT_DUE, user__role=roles.VENDOR).exists()
    assert_no_other_vendor(people)


def test_a_new_high_severity_alert_case_tells_compliance_once(people, access_lake, committed):
    from codingwatch.web.provenance import services
    from codingwatch.web.provenance.models import AlertCase

    with committed():
        services.scan(takeover=False, lake=access_lake)
    high = AlertCase.objects.filter(severity="high", status="open")
    notices = delivered(people["compliance"], n.ALERT_CASE)
    assert {x.url for x in notices} == {f"/provenance/cases/{c.pk}/" for c in high}
    assert any("Work from a country the contract does not allow (bc1)" in x.title for x in notices)
    with committed():
        services.scan(takeover=False, lake=access_lake)  # nothing new: nobody told again
    assert Notification.objects.filter(kind=n.ALERT_CASE).count() == len(notices)
    assert not Notification.objects.filter(kind=n.ALERT_CASE, user__role__in=[roles.VENDOR, roles.DIRECTOR]).exists()


def test_preferences_turn_email_or_the_app_off_per_kind(reviewed_audit, people, client, committed):
    client.force_login(people["acme"])
    client.post("/notifications/preferences/", {"routed-in_app": "on", "decided-in_app": "on", "decided-email": "on"})
    assert Preference.objects.get(user=people["acme"], kind=n.ROUTED).email is False
    Preference.objects.create(user=people["acme2"], kind=n.ROUTED, in_app=False, email=True)
    with committed():
        transition(reviewed_audit, people["auditor"], "route")
    mine = Notification.objects.get(user=people["acme"], kind=n.ROUTED)
    assert mine.read_at is None and mine.emailed_at is None
    assert not [m for m in mail.outbox if people["acme"].email in m.to]
    theirs = Notification.objects.get(user=people["acme2"], kind=n.ROUTED)
    assert theirs.read_at is not None and [m for m in mail.outbox if people["acme2"].email in m.to]


def test_the_bell_counts_unread_and_marking_read_opens_the_page(reviewed_audit, people, client):
    transition(reviewed_audit, people["auditor"], "route")
    client.force_login(people["acme"])
    page = client.get("/home/").content.decode()
    assert 'data-testid="unread">1<' in page
    notice = Notification.objects.get(user=people["acme"])
    listing = client.get("/notifications/").content.decode()
    assert "Acme February" in listing and 'class="unread"' in listing
    response = client.post(f"/notifications/{notice.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == notice.url
    assert 'data-testid="unread"' not in client.get("/home/").content.decode()
    api = client.get("/api/notifications").json()
    assert api["unread"] == 0 and api["notifications"][0]["id"] == notice.pk


def test_nobody_reads_or_marks_anothers_notification(reviewed_audit, people, client):
    transition(reviewed_audit, people["auditor"], "route")
    notice = Notification.objects.get(user=people["acme"])
    client.force_login(people["bayside"])
    assert client.post(f"/notifications/{notice.pk}/read/").status_code == 404
    assert client.post(f"/api/notifications/{notice.pk}/read").status_code == 404
    assert client.get("/api/notifications").json()["count"] == 0
    assert "Acme February" not in client.get("/notifications/").content.decode()
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_read_only_role_may_mark_its_own_notifications_read(people, user_of_role, client):
    executive = user_of_role(roles.EXECUTIVE)
    notice = Notification.objects.create(user=executive, kind=n.FINAL, title="t", key="k")
    client.force_login(executive)
    assert client.post(f"/notifications/{notice.pk}/read/").status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.post("/audits/new/", {}).status_code == 403  # still read only elsewhere


def test_the_daily_digest_emails_what_waits_once_a_day(reviewed_audit, people, committed, capsys):
    transition(reviewed_audit, people["auditor"], "route")
    mail.outbox.clear()
    with committed():
        call_command("notifications_daily", "--date", "2026-04-02")
    out = capsys.readouterr().out
    digests = {m.to[0]: m for m in mail.outbox if "What waits for you" in m.subject}
    assert people["acme"].email in digests and people["bayside"].email not in digests
    body = digests[people["acme"].email].body
    assert "Findings to answer" in body and f"/audits/{reviewed_audit.pk}/cases/" in body
    assert "Acme February" in body
    assert f"{len(digests)} digest emails sent" in out or f"{len(digests)} digest email sent" in out
    with committed():
        call_command("notifications_daily", "--date", "2026-04-02")
    assert len([m for m in mail.outbox if "What waits for you" in m.subject]) == len(digests)


def test_the_daily_run_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("notifications_daily", "--date", "April")
