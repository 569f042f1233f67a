"""In Debian's Chromium, as each role: every page of the navigation (read from the page itself,
so a page added to the navigation is visited too) draws without a console error or a failed
request, fits a 1366 px wide screen without scrolling sideways, and has no raw identifier
(a snake_case word such as `forbidden_country`) in a heading."""

from __future__ import annotations

import re

import pytest

from codingwatch.web.accounts import roles
from tests.web.dashboard.test_browser import browser_page  # noqa: F401  (the shared Chromium fixture)
from tests.web.denials.test_denials_pages import denials_lake  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 900
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# Pages of the navigation that are not ours to style: the API's own documentation (Swagger UI)
# and Django's admin screens.
NOT_OURS = ("/api/docs", "/admin/")

OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll("main *")].filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""));
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""


def navigation(page) -> list[str]:
    hrefs = page.eval_on_selector_all("nav.topbar a[href]", "links => links.map(a => a.getAttribute('href'))")
    return [h for h in dict.fromkeys(hrefs) if h.startswith("/") and not h.startswith(NOT_OURS)]


def identifiers_in_headings(page) -> list[str]:
    texts = page.eval_on_selector_all("h1, h2, h3, h4, th, legend, label", "els => els.map(e => e.innerText)")
    return [t for t in texts if IDENTIFIER.search(t)]


@pytest.mark.parametrize("role", sorted(roles.ROLES))
def test_every_page_of_the_navigation_reads_cleanly(live_server, browser_page, user_of_role,  # noqa: F811
                                                    denials_lake, client, role):  # noqa: F811
    user = user_of_role(role)
    client.force_login(user)
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    pages = navigation(page)
    assert "/" in pages and "/denials/" in pages
    problems = []
    for path in pages:
        page.problems.clear()
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        if page.problems:
            problems.append(f"{path}: console or request errors {page.problems}")
        size = page.evaluate(OVERFLOW)
        if size["scroll"] > size["client"]:
            problems.append(f"{path}: {size['scroll']} px wide at {WIDTH} px ({', '.join(size['wide'])})")
        if raw := identifiers_in_headings(page):
            problems.append(f"{path}: raw identifiers in headings {raw}")
    assert problems == [], "\n".join(problems)
