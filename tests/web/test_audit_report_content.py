"""The audit report states every finding's rationale, the vendor's rebuttal and the decision on it,
who and when, and is signed off by the auditor and the reviewer."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.audit.report import render_html
from codingwatch.web.audits.models import Finding
from codingwatch.web.audits.services.scores import audit_report
from codingwatch.web.audits.services.workflow import act_on_finding, transition

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

REBUTTAL = "The H&P documents acute on chronic systolic failure; the coder's code is supported"
UPHOLD = "Coding Clinic Q1 2019 p.7: the echo alone does not establish acuity"
ESCALATION_REBUTTAL = "Query response of 02/14 supports the secondary diagnosis"
ESCALATE = "Two readings of the query are defensible"
DECISION = "Benefit of the doubt: the query is not leading"


def _blocks(page: str) -> dict[str, str]:
    """Each finding's block of the report, by its first line (case and change), as plain text."""
    blocks = re.findall(r'<table class="small finding">(.*?)</table>', page, flags=re.S)
    return {re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", b))).strip(): b for b in blocks}


@pytest.fixture
def decided(reviewed_audit, auditor, acme_user, director):
    """Routed; the vendor rebuts two findings and agrees with the rest; the auditor upholds one
    rebuttal and escalates the other; the director withdraws it and makes the audit final."""
    with scopes_disabled():
        found = list(Finding.objects.filter(case__audit=reviewed_audit).select_related("case").order_by("id"))
        first, second = found[0], found[1]
        first.rationale, first.root_cause = "Acuity not documented by the attending", "documentation"
        first.save()
        transition(reviewed_audit, auditor, "route")
        for f in found:
            if f.pk == first.pk:
                act_on_finding(f, acme_user, "rebut", REBUTTAL)
            elif f.pk == second.pk:
                act_on_finding(f, acme_user, "rebut", ESCALATION_REBUTTAL)
            else:
                act_on_finding(f, acme_user, "agree")
        transition(reviewed_audit, acme_user, "submit_responses")
        act_on_finding(Finding.objects.get(pk=first.pk), auditor, "uphold", UPHOLD)
        act_on_finding(Finding.objects.get(pk=second.pk), auditor, "escalate", ESCALATE)
        transition(reviewed_audit, auditor, "escalate")
        act_on_finding(Finding.objects.get(pk=second.pk), director, "decide_withdraw", DECISION)
        transition(reviewed_audit, director, "finalize")
    return reviewed_audit, first, second, len(found)


def test_each_finding_states_rationale_rebuttal_and_decision_with_who_and_when(decided, login, auditor):
    audit, first, second, n = decided
    response = login(auditor).get(reverse("audit-report", args=[audit.pk, "html"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline;")
    page = response.content.decode()
    blocks = _blocks(page)
    assert len(blocks) == n  # every finding, each in its own block

    upheld = next(text for text in blocks if f"case {first.case.number}" in text and first.kind.replace("_", " ") in text
                  and "Acuity not documented" in text)
    assert "Root cause: documentation unclear/incomplete (query needed)." in upheld
    assert f"rebutted: “{REBUTTAL}” amit (Vendor user)" in upheld
    assert f"upheld by the auditor: “{UPHOLD}” aud (Coding auditor)" in upheld
    assert re.search(r"aud \(Coding auditor\), \d{4}-\d\d-\d\d \d\d:\d\d UTC", upheld)

    withdrawn = next(text for text in blocks if ESCALATION_REBUTTAL in text)
    assert f"escalated “{ESCALATE}” aud (Coding auditor)" in withdrawn
    assert f"withdrawn by the reviewer: “{DECISION}” dana (HIM / revenue-cycle director)" in withdrawn
    assert withdrawn.split()[-1] != "upheld" and " withdrawn " in f" {withdrawn} "

    agreed = [text for text in blocks if "agreed" in text]
    assert len(agreed) == n - 2 and all("upheld: the vendor agreed" in text for text in agreed)


def test_the_report_is_signed_off_by_the_auditor_and_the_reviewer(decided, login, auditor):
    audit = decided[0]
    page = htmllib.unescape(login(auditor).get(reverse("audit-report", args=[audit.pk, "html"])).content.decode())
    signoff = page[page.index("<h2>Sign-off</h2>"):]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", signoff))
    assert "auditor aud (Coding auditor)" in text
    assert "reviewer dana (HIM / revenue-cycle director)" in text
    assert "made final by dana (HIM / revenue-cycle director)" in text
    assert "Independence: Audited by aud, independent of the vendor whose coding was audited." in text
    assert "Draft:" not in text


def test_a_report_before_the_audit_is_final_says_it_is_not_signed_off(reviewed_audit):
    with scopes_disabled():
        page = render_html(audit_report(reviewed_audit))
    assert "Draft: the audit is not final, so this report is not signed off." in page
    assert "not decided yet" in page or "none needed" in page


def test_the_pdf_carries_the_same_report(decided, login, auditor):
    audit = decided[0]
    response = login(auditor).get(reverse("audit-report", args=[audit.pk, "pdf"]))
    assert response["Content-Disposition"] == f'attachment; filename="audit-{audit.pk}-report.pdf"'
    assert response.content.startswith(b"%PDF-") and len(response.content) > 20_000
