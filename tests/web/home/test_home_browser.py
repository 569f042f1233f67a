"""In Debian's Chromium: compliance sees the bell's unread count, opens the alert cases from the
home page, ticks two cases and resolves them at once; no page overflows at 1366 px."""

from __future__ import annotations

import pytest

from tests.web import provenance_fixtures as pf
from tests.web.conftest import browser_login
from tests.web.dashboard.test_browser import browser_page  # noqa: F401  (the shared Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

access_lake, compliance = pf.access_lake, pf.compliance


def _overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_the_bell_the_home_page_and_a_bulk_resolve(live_server, browser_page, compliance, access_lake):  # noqa: F811
    from codingwatch.web.provenance import services
    from codingwatch.web.provenance.models import AlertCase

    services.scan(takeover=False, lake=access_lake)  # the high-severity cases notify compliance
    high = AlertCase.objects.filter(severity="high").count()
    assert high >= 2
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, live_server.url, "cora", next_path="/home/")
    page.wait_for_selector("[data-testid=home-alert_cases]")
    assert page.inner_text("[data-testid=unread]") == str(high)
    assert not _overflows(page)
    page.click("[data-testid=home-alert_cases] a >> nth=0")
    page.wait_for_selector("[data-testid=case-facts]")
    page.click("text=← Access alert cases")
    page.wait_for_selector("[data-testid=cases]")
    assert not _overflows(page)
    boxes = page.locator("input[name=case]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.fill("[data-testid=bulk] input[name=reason]", "vendor retrained")
    page.click("button[value=resolve]")
    page.wait_for_selector("text=2 case(s) resolved")
    assert AlertCase.objects.filter(status=AlertCase.RESOLVED, resolution="vendor retrained").count() == 2
    page.click("[data-testid=bell]")
    page.wait_for_selector("[data-testid=notifications]")
    assert page.locator("[data-testid=notification]").count() == high
    assert not _overflows(page)
    assert page.problems == []
