"""In Debian's Chromium: the denials page draws its charts and sorts a table in place."""

from __future__ import annotations

import pytest

from tests.web.dashboard.test_browser import browser_page  # noqa: F401  (the shared Chromium fixture)
from tests.web.denials.test_denials_pages import denials_lake  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_denials_page_draws_its_charts_and_sorts_in_place(live_server, browser_page, director,  # noqa: F811
                                                                denials_lake, client):  # noqa: F811
    page = browser_page
    client.force_login(director)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page.goto(f"{live_server.url}/denials/")
    for section in ("vendor", "month", "carcs"):
        page.wait_for_selector(f"[data-testid=chart-{section}] svg .mark-rect, [data-testid=chart-{section}] svg .mark-line",
                               timeout=20_000)
    page.click("#table-coder th a:has-text('Coding denial rate')")
    page.wait_for_selector("#table-coder th[aria-sort=ascending]")
    assert page.url.endswith("/denials/")  # swapped in place, no navigation
    assert page.problems == []
