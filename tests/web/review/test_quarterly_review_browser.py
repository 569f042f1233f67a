"""In Debian's Chromium: a director opens a vendor's quarterly review and sees its charts drawn."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scopes_disabled

from tests.web.conftest import browser_login
from tests.web.dashboard.test_browser import browser_page  # noqa: F401  (the shared Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_quarterly_review_draws_its_charts(live_server, browser_page, director, lake):  # noqa: F811
    from codingwatch.web.vendors.models import Contract, TurnaroundSLA

    with scopes_disabled():
        contract = Contract.objects.create(vendor=director_vendor(), start_date=dt.date(2025, 1, 1),
                                           pricing="per_chart", price="6.50")
        TurnaroundSLA.objects.create(contract=contract, encounter_type="inpatient", maximum_hours=15)
    page = browser_page
    browser_login(page, live_server.url, "dana", next_path="/review/acme/2026Q1/")
    for name in ("trend", "volume"):
        page.wait_for_selector(f"[data-testid=chart-{name}] svg path, [data-testid=chart-{name}] svg .mark-rect",
                               timeout=20_000)
    assert page.locator("[data-testid=kpis] tbody tr").count() == 3
    assert page.problems == []  # no script error, no Content-Security-Policy violation


def director_vendor():
    from codingwatch.web.vendors.models import Vendor

    return Vendor.objects.get(code="acme")
