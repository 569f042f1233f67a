"""The audit page's scores (the engine's, from the stored findings) and the report downloads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.audit import case_impacts, compare_case, payment_totals, score
from codingwatch.audit.reader import match_cases, read_encounters
from codingwatch.codesets import Grouper
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.audits.services.scores import audit_report
from tests.web.audit_fixtures import AUDITED, CODED

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def engine_on_files():
    coded, audited = read_encounters(CODED), read_encounters(AUDITED)
    with Grouper() as grouper:
        return [compare_case(c, grouper) for c in match_cases(coded, audited)]


def test_the_audit_scores_equal_the_engines_on_the_same_charts(reviewed_audit, engine_on_files):
    with scopes_disabled():
        report = audit_report(reviewed_audit)
    expected = score(engine_on_files)
    assert (report.scores.dx, report.scores.px, report.scores.record, report.scores.drg) == (
        expected.dx, expected.px, expected.record, expected.drg)
    assert report.payment == payment_totals(case_impacts(engine_on_files, Decimal("6500.00")))


def test_the_audit_page_shows_limits_sla_payment_and_extrapolation(login, auditor, reviewed_audit):
    with scopes_disabled():
        report = audit_report(reviewed_audit)
    html = login(auditor).get(reverse("audit", args=[reviewed_audit.pk])).content.decode()
    low, high = report.scores.dx.limits
    assert f"{low:.1%} – {high:.1%}" in html
    assert f"${report.payment.over_coded:,.2f}" in html  # an amount owed is stated to the cent
    assert reviewed_audit.frame_file not in html and 'data-testid="frame"' in html
    assert "cardiology" in html and "small sample: not ranked" in html
    assert report.extrapolation.rule_text in html
    assert 'data-testid="pareto"' in html


def test_the_html_report_opens_in_the_browser_the_pdf_downloads_and_each_export_is_logged(login, auditor,
                                                                                           reviewed_audit):
    client = login(auditor)
    html = client.get(reverse("audit-report", args=[reviewed_audit.pk, "html"]))
    assert html.status_code == 200 and html["Content-Disposition"].startswith("inline;")
    body = html.content.decode()
    assert reviewed_audit.seed in body and reviewed_audit.frame_sha256 in body
    assert reviewed_audit.frame_file not in body  # the frame is described, its server path never shown
    pdf = client.get(reverse("audit-report", args=[reviewed_audit.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment;")
    exports = AccessEvent.objects.filter(action="export").values_list("object_type", flat=True)
    assert sorted(exports) == ["audit-report-html", "audit-report-pdf"]
