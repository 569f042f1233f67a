"""In Debian's Chromium: open the cost calculator, change an input, see the figures and charts update
in place (htmx), as the engine computes them."""

from __future__ import annotations

import pytest

from codingwatch.cost import evaluate, preset_scenario
from codingwatch.reports.format import money
from tests.web.conftest import browser_login
from tests.web.test_browser import browser_page  # noqa: F401  (the shared Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_changing_an_input_updates_the_figures_in_place(live_server, browser_page, director):  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    browser_login(page, live_server.url, "dana", next_path="/costs/%3Fpreset%3Dhfma-2018%26draws%3D500")
    page.wait_for_selector("[data-testid=chart-tornado] svg .mark-rect", timeout=20_000)
    scenario = preset_scenario("hfma-2018")
    before = evaluate(scenario, draws=500)["comparison"]["options"]["offshore"]["total_per_year"]
    after = evaluate(scenario.with_value("offshore.hourly_pay", 40), draws=500)["comparison"]["options"]["offshore"]
    expect(page.locator("[data-testid=total-offshore]")).to_have_text(money(before))
    url = page.url

    page.fill("[data-testid='input-offshore.hourly_pay']", "40")
    page.keyboard.press("Tab")  # a change event: htmx asks for the new figures

    expect(page.locator("[data-testid=total-offshore]")).to_have_text(money(after["total_per_year"]))
    page.wait_for_selector("[data-testid=chart-distribution] svg .mark-area", timeout=20_000)
    assert page.url == url  # swapped in place, no page load
    assert page.problems == []  # no script error, no Content-Security-Policy violation
