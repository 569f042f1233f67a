"""403, 404 and 500 answer with the site's styled page and its navigation, never a bare line."""

from __future__ import annotations

import pytest
from django.urls import reverse

from codingwatch.web.accounts import roles

pytestmark = [pytest.mark.django_db]

NAVIGATION = ('href="/"', 'href="/vendors/"', 'href="/audits/"', 'href="/denials/"')


def _styled(page: str) -> None:
    assert 'data-testid="error-page"' in page and "codingwatch/site.css" in page
    assert 'class="topbar"' in page
    for link in NAVIGATION:
        assert link in page


def test_a_missing_page_is_the_styled_404_with_navigation(login, user_of_role):
    response = login(user_of_role(roles.AUDITOR)).get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    _styled(page)
    assert "<h1>Not found</h1>" in page
    assert 'data-testid="who"' in page  # the person is still shown the site's own bar


def test_a_role_refused_gets_the_styled_403_with_the_reason(login, user_of_role):
    response = login(user_of_role(roles.AUDITOR)).get(reverse("costs"))  # costs are not the auditor's
    page = response.content.decode()
    assert response.status_code == 403
    _styled(page)
    assert "<h1>Not allowed for your role</h1>" in page
    assert 'data-testid="error-reason"' in page


def test_a_failing_page_is_the_styled_500_without_a_traceback(client, login, user_of_role, settings):
    settings.ROOT_URLCONF = "tests.web.error_urls"
    settings.DEBUG = False
    browser = login(user_of_role(roles.DIRECTOR))
    browser.raise_request_exception = False
    response = browser.get("/test-failure/")
    page = response.content.decode()
    assert response.status_code == 500
    _styled(page)
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page and "RuntimeError" not in page
