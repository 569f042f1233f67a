"""The second factor: TOTP enrolment at first login, the code on every password login, recovery codes."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP

from codingwatch.web.accounts import mfa, roles
from tests.web.conftest import PASSWORD, current_code, enrol

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def password_login(client, username, next_path="/"):
    response = client.post("/login/", {"username": username, "password": PASSWORD, "next": next_path})
    assert response.status_code == 302, response.content[:300]
    return client.get(next_path)


def code_for_secret(secret: str) -> str:
    """What an authenticator app shows for the secret the setup page printed (RFC 6238)."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_a_user_without_an_authenticator_enrols_at_first_login(client, director, lake):
    response = password_login(client, "dana", "/vendors/")
    assert response.status_code == 302 and response["Location"] == "/mfa/setup/?next=%2Fvendors%2F"
    page = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn here (no outside service)
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', page).group(1)
    done = client.post("/mfa/setup/", {"token": code_for_secret(secret), "next": "/vendors/"})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == mfa.RECOVERY_CODES == 10 and len(set(codes)) == 10
    assert client.get("/vendors/").status_code == 200
    assert mfa.authenticator(director).confirmed


def test_a_wrong_code_is_refused_at_enrolment_and_at_login(client, director, lake):
    password_login(client, "dana")
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', client.get("/mfa/setup/").content.decode()).group(1)
    wrong = "000000" if code_for_secret(secret) != "000000" else "111111"
    assert b"That code was not accepted" in client.post("/mfa/setup/", {"token": wrong}).content
    assert not mfa.authenticator(director)  # still unconfirmed
    enrol(director)
    refused = client.post("/mfa/verify/", {"token": "12345", "next": "/"})
    assert refused.status_code == 200 and b"That code was not accepted" in refused.content
    assert client.get("/vendors/").status_code == 302


def test_every_password_login_asks_for_the_code(client, director, lake):
    device = enrol(director)
    assert password_login(client, "dana")["Location"] == "/mfa/verify/?next=%2F"
    assert client.get("/vendors/").status_code == 302
    ok = client.post("/mfa/verify/", {"token": current_code(device), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/vendors/").status_code == 200


def test_a_recovery_code_works_once(client, director, lake):
    from django.test import Client

    enrol(director)
    code = mfa.new_recovery_codes(director)[3]
    password_login(client, "dana")
    assert client.post("/mfa/verify/", {"token": code.upper(), "next": "/"})["Location"] == "/"
    assert mfa.remaining_recovery_codes(director) == 9
    again = Client()
    password_login(again, "dana")
    assert b"That code was not accepted" in again.post("/mfa/verify/", {"token": code}).content


def test_the_api_answers_401_until_the_second_factor(client, director, lake):
    password_login(client, "dana")
    response = client.get("/api/vendors")
    assert response.status_code == 401 and "Second factor required" in response.json()["detail"]


def test_a_stolen_password_cannot_replace_the_authenticator(client, director, lake):
    enrol(director)
    password_login(client, "dana")
    response = client.get("/mfa/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/mfa/verify/")


def test_a_read_only_role_can_type_its_code_and_log_out(client, user_of_role, lake):
    executive = user_of_role(roles.EXECUTIVE)
    device = enrol(executive)
    password_login(client, executive.username)
    assert client.post("/mfa/verify/", {"token": current_code(device), "next": "/"})["Location"] == "/"
    assert client.post("/logout/").status_code == 302
    password_login(client, executive.username)
    assert client.post("/logout/").status_code == 302  # logging out needs no second factor


def test_new_recovery_codes_void_the_old_ones(login, director, lake):
    old = mfa.new_recovery_codes(director)
    client = login(director)
    page = client.post("/mfa/recovery-codes/").content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == 10 and not set(old) & set(new)
    assert mfa.remaining_recovery_codes(director) == 10


@pytest.mark.parametrize("role", sorted(roles.ROLES))
def test_every_role_that_reads_chart_level_data_needs_the_second_factor(client, user_of_role, lake, role):
    user = user_of_role(role)
    assert mfa.required_for(user)
    assert password_login(client, user.username)["Location"].startswith("/mfa/setup/")


def test_the_setting_turns_the_requirement_off(client, director, lake, settings):
    settings.MFA_REQUIRED = False
    assert password_login(client, "dana", "/vendors/").status_code == 200


def test_the_second_factor_page_tells_how_many_recovery_codes_are_left(login, director, lake):
    mfa.new_recovery_codes(director)
    page = login(director).get("/mfa/recovery-codes/").content.decode()
    assert "10 recovery codes left." in page
