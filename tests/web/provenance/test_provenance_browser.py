"""In Debian's Chromium: compliance opens an alert's evidence page, sees its chart drawn, and
marks it a false positive from the page."""

from __future__ import annotations

import pytest

from tests.web import provenance_fixtures as pf
from tests.web.conftest import browser_login
from tests.web.dashboard.test_browser import browser_page  # noqa: F401  (the shared Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# the module's fixtures
access_lake, compliance, scanned = pf.access_lake, pf.compliance, pf.scanned


def test_the_evidence_page_draws_its_chart_and_takes_a_false_positive(live_server, browser_page, compliance,  # noqa: F811
                                                                       scanned):
    from codingwatch.web.provenance.models import ProvenanceAlert, Suppression

    alert = ProvenanceAlert.objects.get(rule="forbidden_country", login="bc1", window_start__date="2026-03-03")
    page = browser_page
    browser_login(page, live_server.url, "cora", next_path=f"/provenance/alerts/{alert.pk}/")
    page.wait_for_selector("[data-testid=chart-evidence] svg .mark-rect, [data-testid=chart-evidence] svg path",
                           timeout=20_000)
    page.fill("input[name=reason]", "approved travel")
    page.check("input[value=false_positive]")
    page.select_option("select[name=country]", "PH")
    page.click("button:text-is('Resolve')")
    page.wait_for_selector("[data-testid=status]:has-text('false positive')")
    assert Suppression.objects.get().country == "PH"
    assert page.problems == []  # no script error, no Content-Security-Policy violation
