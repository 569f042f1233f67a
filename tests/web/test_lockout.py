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
