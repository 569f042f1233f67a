"""The rebuttal workflow: states, who may move them, the locked final audit, reopening, the trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.audit import case_impacts, compare_case
from codingwatch.audit.reader import match_cases, read_encounters
from codingwatch.codesets import Grouper
from codingwatch.lake.keys import decrypt_source_id
from codingwatch.web.accounts import roles
from codingwatch.web.audits.models import AppendOnlyError, AuditEvent, AuditLocked, Finding
from codingwatch.web.audits.services.draw import draw
from codingwatch.web.audits.services.scores import audit_report
from codingwatch.web.audits.services.workflow import WorkflowError, act_on_finding, transition
from tests.web.audit_fixtures import AUDITED, CODED, new_audit
from tests.web.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def findings(audit):
    return list(Finding.objects.filter(case__audit=audit).select_related("case").order_by("id"))


def respond_all(audit, vendor_user, rebut=()):
    """The vendor agrees with every finding but those in `rebut` (ids), which it rebuts."""
    for f in findings(audit):
        if f.pk in rebut:
            act_on_finding(f, vendor_user, "rebut", "the record supports the coder")
        else:
            act_on_finding(f, vendor_user, "agree")


@pytest.fixture
def scoped():
    with scopes_disabled():
        yield


def test_a_draft_with_unreviewed_cases_cannot_be_routed(roster, auditor, audit_lake, scoped):
    audit = new_audit(roster["acme"], auditor)
    draw(audit, auditor)
    with pytest.raises(WorkflowError, match="not reviewed yet"):
        transition(audit, auditor, "route")


def test_only_an_auditor_routes_an_audit_to_the_vendor(reviewed_audit, acme_user, director, scoped):
    for user in (acme_user, director):
        with pytest.raises(WorkflowError, match="cannot route"):
            transition(reviewed_audit, user, "route")
    transition(reviewed_audit, reviewed_audit.created_by, "route")
    assert reviewed_audit.state == "routed"


def test_a_rebuttal_needs_a_comment(reviewed_audit, auditor, acme_user, scoped):
    transition(reviewed_audit, auditor, "route")
    with pytest.raises(WorkflowError, match="needs a comment"):
        act_on_finding(findings(reviewed_audit)[0], acme_user, "rebut", "  ")


def test_the_vendor_submits_only_when_every_finding_is_answered(reviewed_audit, auditor, acme_user, scoped):
    transition(reviewed_audit, auditor, "route")
    act_on_finding(findings(reviewed_audit)[0], acme_user, "agree")
    with pytest.raises(WorkflowError, match="answer every finding"):
        transition(reviewed_audit, acme_user, "submit_responses")


def test_the_auditor_cannot_answer_for_the_vendor(reviewed_audit, auditor, scoped):
    transition(reviewed_audit, auditor, "route")
    with pytest.raises(WorkflowError, match="cannot agree"):
        act_on_finding(findings(reviewed_audit)[0], auditor, "agree")


def test_a_rebutted_finding_must_be_decided_before_the_audit_is_final(reviewed_audit, auditor, acme_user, scoped):
    transition(reviewed_audit, auditor, "route")
    respond_all(reviewed_audit, acme_user, rebut={findings(reviewed_audit)[0].pk})
    transition(reviewed_audit, acme_user, "submit_responses")
    with pytest.raises(WorkflowError, match="upheld, withdrawn or escalated"):
        transition(reviewed_audit, auditor, "finalize")


def test_a_final_audit_is_locked_in_the_models_and_on_every_page(reviewed_audit, auditor, acme_user, login, scoped):
    transition(reviewed_audit, auditor, "route")
    respond_all(reviewed_audit, acme_user)
    transition(reviewed_audit, acme_user, "submit_responses")
    transition(reviewed_audit, auditor, "finalize")
    case = reviewed_audit.cases.first()
    with pytest.raises(AuditLocked):
        case.save()
    with pytest.raises(AuditLocked):
        findings(reviewed_audit)[0].save()
    client = login(auditor)
    lines = case.coded_lines
    form = {"code_system": [x["code_system"] for x in lines], "code": [x["code"] for x in lines],
            "sequence": [str(x["sequence"]) for x in lines], "poa": [x["poa"] for x in lines],
            "modifiers": ["" for _ in lines], "units": ["1" for _ in lines]}
    assert client.post(reverse("audit-case", args=[reviewed_audit.pk, case.number]), form).status_code == 403
    f = findings(reviewed_audit)[0]
    client.post(reverse("audit-finding-action", args=[reviewed_audit.pk, f.pk, "withdraw"]), {"comment": "x"})
    f.refresh_from_db()
    assert f.status == "upheld"
    with pytest.raises(WorkflowError):
        transition(reviewed_audit, auditor, "route")


def test_reopening_needs_a_comment_and_is_kept_in_the_trail(reviewed_audit, auditor, acme_user, scoped):
    transition(reviewed_audit, auditor, "route")
    respond_all(reviewed_audit, acme_user)
    transition(reviewed_audit, acme_user, "submit_responses")
    transition(reviewed_audit, auditor, "finalize")
    with pytest.raises(WorkflowError, match="needs a comment"):
        transition(reviewed_audit, auditor, "reopen")
    with pytest.raises(WorkflowError, match="cannot reopen"):
        transition(reviewed_audit, acme_user, "reopen", "we disagree")
    revision = transition(reviewed_audit, auditor, "reopen", "a late record arrived for IP-1003")
    event = AuditEvent.objects.filter(audit=reviewed_audit).last()
    assert (event.action, event.username, event.from_state, event.to_state, event.comment) == (
        "reopen", "aud", "final", "draft", "a late record arrived for IP-1003")
    # Reopening inserted the next revision: a draft with the same cases and findings, editable again;
    # the final revision stays final and locked.
    assert (revision.state, revision.revision, revision.reopens_id) == ("draft", 2, reviewed_audit.pk)
    assert [(c.encounter_key, c.audited_lines) for c in revision.cases.all()] == [
        (c.encounter_key, c.audited_lines) for c in reviewed_audit.cases.all()]
    assert sorted((f.case.number, f.signature, f.status) for f in findings(revision)) == sorted(
        (f.case.number, f.signature, f.status) for f in findings(reviewed_audit))
    revision.cases.first().save()
    reviewed_audit.refresh_from_db()
    assert reviewed_audit.state == "final"
    with pytest.raises(AuditLocked):
        reviewed_audit.cases.first().save()
    with pytest.raises(WorkflowError, match="already reopened"):
        transition(reviewed_audit, auditor, "reopen", "again")


def test_every_step_and_comment_is_kept_with_who_and_when(reviewed_audit, auditor, acme_user, scoped):
    transition(reviewed_audit, auditor, "route")
    first = findings(reviewed_audit)[0]
    respond_all(reviewed_audit, acme_user, rebut={first.pk})
    transition(reviewed_audit, acme_user, "submit_responses")
    act_on_finding(Finding.objects.get(pk=first.pk), auditor, "uphold", "the query answer confirms it")
    transition(reviewed_audit, auditor, "finalize")
    events = list(AuditEvent.objects.filter(audit=reviewed_audit))
    steps = [(e.action, e.username) for e in events if not e.action.startswith("finding_agree")]
    assert steps == [("draw_sample", "aud"), ("route", "aud"), ("finding_rebut", "amit"),
                     ("submit_responses", "amit"), ("finding_uphold", "aud"), ("finalize", "aud")]
    rebut = next(e for e in events if e.action == "finding_rebut")
    assert (rebut.finding_id, rebut.comment, rebut.role) == (first.pk, "the record supports the coder", "vendor")
    assert all(e.at is not None for e in events)
    with pytest.raises(AppendOnlyError):
        rebut.save()


def test_escalated_findings_are_decided_by_the_role_gated_reviewer(reviewed_audit, auditor, acme_user, director,
                                                                    scoped):
    transition(reviewed_audit, auditor, "route")
    first = findings(reviewed_audit)[0]
    respond_all(reviewed_audit, acme_user, rebut={first.pk})
    transition(reviewed_audit, acme_user, "submit_responses")
    act_on_finding(Finding.objects.get(pk=first.pk), auditor, "escalate", "coding clinic is ambiguous here")
    transition(reviewed_audit, auditor, "escalate")
    with pytest.raises(WorkflowError, match="cannot decide uphold"):
        act_on_finding(Finding.objects.get(pk=first.pk), auditor, "decide_uphold", "mine")
    with pytest.raises(WorkflowError):
        transition(reviewed_audit, auditor, "finalize")
    act_on_finding(Finding.objects.get(pk=first.pk), director, "decide_withdraw", "benefit of the doubt")
    transition(reviewed_audit, director, "finalize")
    assert reviewed_audit.state == "final"
    assert Finding.objects.get(pk=first.pk).status == "withdrawn"


def test_scores_count_only_upheld_findings(reviewed_audit, auditor, acme_user, scoped):
    # The vendor rebuts IP-1002's DRG change and the auditor withdraws it: its overpayment drops out.
    drg_finding = next(f for f in findings(reviewed_audit)
                       if f.kind == "drg_down" and decrypt_source_id(f.case.source_id_enc) == "IP-1002")
    transition(reviewed_audit, auditor, "route")
    respond_all(reviewed_audit, acme_user, rebut={drg_finding.pk})
    transition(reviewed_audit, acme_user, "submit_responses")
    act_on_finding(Finding.objects.get(pk=drg_finding.pk), auditor, "withdraw", "the MCC is documented after all")
    transition(reviewed_audit, auditor, "finalize")
    coded, audited = read_encounters(CODED), read_encounters(AUDITED)
    with Grouper() as grouper:
        impacts = {i.encounter_id: i for i in case_impacts(
            [compare_case(c, grouper) for c in match_cases(coded, audited)], Decimal("6500.00"))}
    all_over = sum(-i.payment_change for i in impacts.values() if i.payment_change < 0)
    report = audit_report(reviewed_audit)
    assert report.payment.over_coded == all_over + impacts["IP-1002"].payment_change
    assert report.scores.drg_changed == sum(1 for i in impacts.values()) - 1


def test_a_final_audit_with_an_overpayment_starts_the_60_day_clock(reviewed_audit, auditor, acme_user, login,
                                                                    scoped):
    transition(reviewed_audit, auditor, "route")
    respond_all(reviewed_audit, acme_user)
    transition(reviewed_audit, acme_user, "submit_responses")
    transition(reviewed_audit, auditor, "finalize", today=dt.date(2026, 4, 1))
    assert reviewed_audit.overpayment_identified == dt.date(2026, 4, 1)
    assert reviewed_audit.net_overpayment == audit_report(reviewed_audit).payment.net_overpayment > 0
    compliance = make_user("cora", roles.COMPLIANCE)
    html = login(compliance).get(reverse("repayments")).content.decode()
    assert "2026-05-31" in html and "Acme February" in html


def test_only_compliance_and_admin_see_the_repayment_clock(login, user_of_role):
    for role in ("auditor", "director", "executive"):
        assert login(user_of_role(role)).get(reverse("repayments")).status_code == 403, role
    assert login(user_of_role("vendor")).get(reverse("repayments")).status_code == 404
    assert login(user_of_role("admin")).get(reverse("repayments")).status_code == 200
