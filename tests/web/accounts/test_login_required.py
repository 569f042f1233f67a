"""Nothing is reachable anonymously except the login page and static files."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/", "/vendors/", "/vendors/acme/", "/coders/ac1/", "/figures/vendor/table/", "/figures/vendor.csv",
         "/admin/", "/admin/vendors/coder/", "/mfa/verify/", "/mfa/setup/", "/mfa/recovery-codes/"]
API = ["/api/figures/vendor", "/api/totals", "/api/vendors", "/api/vendors/acme", "/api/coders",
       "/api/coders/ac1", "/api/docs", "/api/openapi.json"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_page_request_is_sent_to_the_login_page(client, roster, path):
    response = client.get(path)
    assert response.status_code == 302
    # The admin screens use their own login form (the same accounts, the same lockout).
    assert response["Location"].startswith(("/login/?next=", "/admin/login/?next="))


@pytest.mark.parametrize("path", API)
def test_anonymous_api_request_gets_401(client, roster, path):
    response = client.get(path)
    assert response.status_code == 401


def test_the_single_sign_on_urls_are_public_and_absent_without_a_provider(client):
    # Public like the login form (the provider sends the browser back there logged out), and
    # 404 until CODINGWATCH_OIDC_ISSUER is set (tests/web/accounts/test_sso.py runs them against one).
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/").status_code == 404


def test_the_login_page_is_public(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_static_files_are_public(client):
    assert client.get("/static/codingwatch/site.css").status_code == 200


def test_logging_in_with_the_form_opens_the_page_asked_for(client, director, lake):
    from tests.web.conftest import PASSWORD, current_code, enrol

    device = enrol(director)
    response = client.post("/login/?next=/vendors/", {"username": "dana", "password": PASSWORD, "next": "/vendors/"})
    assert response.status_code == 302 and response["Location"] == "/vendors/"
    # The password alone opens nothing: the second factor comes first, then the page asked for.
    response = client.get("/vendors/")
    assert response.status_code == 302 and response["Location"] == "/mfa/verify/?next=%2Fvendors%2F"
    response = client.post("/mfa/verify/", {"token": current_code(device), "next": "/vendors/"})
    assert response.status_code == 302 and response["Location"] == "/vendors/"
    assert client.get("/vendors/").status_code == 200
