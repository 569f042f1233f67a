"""In Debian's Chromium: log in, open the dashboard and see the charts drawn (vega-embed, our own bundle)."""

from __future__ import annotations

import shutil

import pytest

from tests.web.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def browser_page(monkeypatch):
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop; Django must allow its sync calls beside it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        problems = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda err: problems.append(str(err)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.problems = problems
        try:
            yield page
        finally:
            # Let the requests the page still has in flight (charts, htmx) finish before the test
            # database is flushed under the live server: a request answered mid-flush fails.
            try:
                page.wait_for_load_state("networkidle", timeout=10_000)
            except Exception:  # noqa: BLE001 - a page that never settles is closed all the same
                pass
            browser.close()


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
