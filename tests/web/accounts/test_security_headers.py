"""Security headers on every response."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_pages_send_nosniff_referrer_policy_frame_deny_and_csp(login, director, lake):
    response = login(director).get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_the_login_page_sends_the_headers_too(client):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_session_cookie_is_http_only(client, director):
    from tests.web.conftest import PASSWORD

    response = client.post("/login/", {"username": "dana", "password": PASSWORD})
    assert response.cookies["sessionid"]["httponly"]
