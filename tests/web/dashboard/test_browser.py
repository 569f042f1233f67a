"""In Debian's Chromium: log in, open the dashboard and see the charts drawn (vega-embed, our own bundle)."""

from __future__ import annotations

import pytest

from tests.web import conftest as web_conftest
from tests.web.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The shared Chromium page fixture (one browser per test process, a fresh context per test) lives
# in tests/web/conftest.py; it is named here too, where the other browser tests import it from.
browser_page = web_conftest.browser_page


def test_a_user_logs_in_and_sees_the_dashboard_charts_drawn(live_server, browser_page, director, lake):
    page = browser_page
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    browser_login(page, live_server.url, "dana", wait_for=f"{live_server.url}/")
    assert "dana · HIM / revenue-cycle director" in page.inner_text("[data-testid=who]")
    for by in ("vendor", "specialty", "month"):
        page.wait_for_selector(f"[data-testid=chart-{by}] svg .mark-rect, [data-testid=chart-{by}] svg .mark-line",
                               timeout=20_000)
    # The bars carry the data: one per vendor in the encounters chart.
    assert page.locator("[data-testid=chart-vendor] svg .mark-rect path").count() >= 2
    assert page.problems == []  # no script error and no Content-Security-Policy violation


def test_clicking_a_column_header_sorts_the_table_in_place(live_server, browser_page, director, lake):
    page = browser_page
    browser_login(page, live_server.url, "dana", wait_for=f"{live_server.url}/")
    table = page.locator("#table-vendor")
    assert table.locator("tbody tr td:first-child").all_inner_texts() == ["acme", "bayside"]
    table.get_by_role("link", name="Encounters").click()  # ascending: bayside (2) before acme (3)
    from playwright.sync_api import expect

    expect(page.locator("#table-vendor tbody tr td").first).to_have_text("bayside")
    assert page.url == f"{live_server.url}/"  # swapped by htmx, no page load
