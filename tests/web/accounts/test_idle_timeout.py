"""A session idle for longer than the timeout is logged out; activity keeps it alive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_a_request_pushes_the_session_expiry_15_minutes_ahead(login, director, lake):
    client = login(director)
    client.get("/vendors/")
    expires = session_row(client).expire_date
    assert dt.timedelta(minutes=14) < expires - timezone.now() <= dt.timedelta(minutes=15)


def test_a_session_idle_past_the_timeout_must_log_in_again(login, director, lake):
    client = login(director)
    client.get("/vendors/")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/vendors/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_login_page_states_the_idle_timeout(client):
    assert b"after 15 minutes without activity" in client.get("/login/").content
