"""Repeated failed logins lock the account (django-axes)."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def attempt(client, password):
    return client.post("/login/", {"username": "dana", "password": password})


def test_the_right_password_is_refused_after_five_failures(client, director, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        attempt(client, "wrong password")
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert b"Account locked" in response.content
    assert client.get("/").status_code == 302  # still not logged in


def test_four_failures_do_not_lock_the_account(client, director):
    for _ in range(4):
        assert attempt(client, "wrong password").status_code == 200
    response = attempt(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_failed_login_says_so_without_saying_which_part_was_wrong(client, director):
    response = attempt(client, "wrong password")
    assert b"did not match" in response.content


def test_another_user_behind_the_same_address_still_logs_in(client, director, user_of_role):
    """Behind a hospital NAT every user shares one address: one person's typos lock only them."""
    other = user_of_role("auditor")
    for _ in range(6):
        attempt(client, "wrong password")
    assert attempt(client, PASSWORD).status_code == 429  # dana is locked...
    response = client.post("/login/", {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302  # ...the auditor on the same address is not


def _failed_attempt_address(client, **headers):
    from axes.models import AccessAttempt

    client.post("/login/", {"username": "dana", "password": "wrong password"}, **headers)
    return AccessAttempt.objects.get(username="dana").ip_address


def test_the_logged_address_is_the_peer_without_a_trusted_proxy(client, director, settings):
    settings.TRUSTED_PROXIES = []
    address = _failed_attempt_address(client, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert address == "198.51.100.9"  # a forwarded-for header from an untrusted peer is ignored


def test_behind_a_trusted_proxy_the_forwarded_client_is_logged(client, director, settings):
    from codingwatch.web.accounts.clientip import trusted_networks

    settings.TRUSTED_PROXIES = trusted_networks("10.0.0.0/8")
    # A forged left-most entry is never reached: the right-most untrusted hop is the client.
    address = _failed_attempt_address(client, REMOTE_ADDR="10.1.2.3",
                                      HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.5, 10.9.9.9")
    assert address == "203.0.113.5"


def test_a_bad_trusted_proxy_entry_is_named():
    from codingwatch.web.accounts.clientip import trusted_networks

    with pytest.raises(ValueError, match="CODINGWATCH_TRUSTED_PROXIES: 'proxy.local' is not an IP address"):
        trusted_networks("10.0.0.0/8, proxy.local")
