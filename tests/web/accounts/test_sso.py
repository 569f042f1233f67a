"""OpenID Connect single sign-on against a provider started on loopback for each test."""

from __future__ import annotations

import pytest
import requests

from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import User
from tests.web.oidc_provider import Provider

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def provider(settings):
    from codingwatch.web.accounts import sso

    with Provider() as running:
        settings.OIDC_OP_ISSUER = running.issuer
        settings.OIDC_RP_CLIENT_ID = running.client_id
        settings.OIDC_RP_CLIENT_SECRET = running.client_secret
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS,
                                            "codingwatch.web.accounts.sso.SingleSignOnBackend"]
        sso.discovery.cache_clear()
        yield running
    sso.discovery.cache_clear()


def sso_login(client, provider, claims: dict, next_path: str = "/vendors/"):
    """The browser's round trip: app -> provider /authorize -> app callback. Returns the callback's answer."""
    provider.next_login = claims
    start = client.get(f"/oidc/authenticate/?next={next_path}")
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.issuer}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = at_provider.headers["Location"]
    assert back.startswith("http://testserver/oidc/callback/?")
    return client.get(back.removeprefix("http://testserver"))


DIRECTOR = {"sub": "idp-0001", "preferred_username": "sam", "email": "sam@example.org",
            "codingwatch_role": "director", "codingwatch_organization": "Test Health", "amr": ["pwd", "mfa"]}


def test_a_provider_user_logs_in_with_role_and_organization(client, provider, roster, lake):
    response = sso_login(client, provider, DIRECTOR)
    assert response.status_code == 302 and response["Location"] == "/vendors/"
    assert client.get("/vendors/").status_code == 200  # the provider checked a second factor (amr: mfa)
    user = User.objects.get(sso_subject="idp-0001")
    assert (user.username, user.role, user.organization, user.has_usable_password()) == (
        "sam", roles.DIRECTOR, roster["acme"].organization, False)
    assert [v["code"] for v in client.get("/api/vendors").json()] == ["acme", "bayside"]
    assert provider.token_requests == 1  # the code was exchanged over HTTP, once


def test_the_provider_is_the_source_of_truth_for_the_role_at_every_login(client, provider, roster, lake):
    sso_login(client, provider, DIRECTOR)
    client.post("/logout/")
    sso_login(client, provider, DIRECTOR | {"codingwatch_role": "executive"})
    assert User.objects.get(sso_subject="idp-0001").role == roles.EXECUTIVE
    assert User.objects.filter(sso_subject="idp-0001").count() == 1


def test_without_a_second_factor_at_the_provider_codingwatch_asks_its_own(client, provider, roster, lake):
    sso_login(client, provider, DIRECTOR | {"amr": ["pwd"]})
    response = client.get("/vendors/")
    assert response.status_code == 302 and response["Location"].startswith("/mfa/setup/")


def test_a_vendor_user_maps_to_their_vendor(client, provider, roster, lake):
    claims = {"sub": "idp-0002", "preferred_username": "vic", "codingwatch_role": "vendor",
              "codingwatch_organization": "Test Health", "codingwatch_vendor": "acme", "amr": ["otp"]}
    sso_login(client, provider, claims)
    user = User.objects.get(sso_subject="idp-0002")
    assert (user.vendor, user.organization) == (roster["acme"], roster["acme"].organization)
    assert [v["code"] for v in client.get("/api/vendors").json()] == ["acme"]


@pytest.mark.parametrize("claims", [
    DIRECTOR | {"codingwatch_role": "superuser"},
    {k: v for k, v in DIRECTOR.items() if k != "codingwatch_role"},
    DIRECTOR | {"codingwatch_organization": "Nowhere Health"},
    DIRECTOR | {"codingwatch_role": "vendor", "codingwatch_vendor": "no-such-vendor"},
], ids=["unknown role", "no role", "unknown organization", "unknown vendor"])
def test_claims_without_a_valid_role_organization_or_vendor_are_refused(client, provider, roster, claims):
    response = sso_login(client, provider, claims)
    assert response.status_code == 302 and response["Location"] == "/login/?sso=refused"
    assert not User.objects.filter(sso_subject="idp-0001").exists()
    assert b"Single sign-on did not log you in" in client.get("/login/?sso=refused").content
    assert client.get("/vendors/").status_code == 302


@pytest.mark.parametrize("override", [{"aud": "another-client"}, {"iss": "https://impostor.example"}],
                         ids=["another client's token", "another issuer's token"])
def test_an_id_token_not_meant_for_us_is_refused(client, provider, roster, override):
    provider.id_token_overrides = override
    response = sso_login(client, provider, DIRECTOR)
    assert response.status_code == 302 and response["Location"] == "/login/?sso=refused"
    assert not User.objects.filter(sso_subject="idp-0001").exists()


def test_an_id_token_signed_with_another_key_is_refused(client, provider, roster):
    from joserfc.jwk import RSAKey

    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
    assert sso_login(client, provider, DIRECTOR)["Location"] == "/login/?sso=refused"
    assert not User.objects.filter(sso_subject="idp-0001").exists()


def test_a_provider_user_never_takes_over_a_local_account(client, provider, director, lake):
    sso_login(client, provider, DIRECTOR | {"preferred_username": "dana"})
    created = User.objects.get(sso_subject="idp-0001")
    assert created.username == "dana-idp-0001" and created.pk != director.pk
    assert User.objects.get(username="dana").sso_subject is None


def test_a_password_login_after_single_sign_on_does_not_inherit_its_second_factor(client, provider, director, lake):
    from tests.web.conftest import PASSWORD

    sso_login(client, provider, DIRECTOR)
    client.post("/logout/")
    client.post("/login/", {"username": "dana", "password": PASSWORD})
    assert client.get("/vendors/")["Location"].startswith("/mfa/")


def test_without_a_provider_the_single_sign_on_urls_do_not_exist(client, roster):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert b"single sign-on" not in client.get("/login/").content


def test_logging_out_after_single_sign_on_ends_the_providers_session_too(client, provider, roster, lake):
    sso_login(client, provider, DIRECTOR)
    id_token = client.session["oidc_id_token"]
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.issuer}/logout?")
    assert client.get("/vendors/").status_code == 302  # our own session is gone before the provider is asked
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert provider.ended_sessions == [{"id_token_hint": id_token, "client_id": provider.client_id,
                                        "post_logout_redirect_uri": "http://testserver/login/"}]
    assert at_provider.headers["Location"] == "http://testserver/login/"  # and back at our login page


def test_a_provider_without_an_end_session_endpoint_gets_our_logout_only(client, provider, roster, lake):
    provider.end_session_endpoint = False
    sso_login(client, provider, DIRECTOR)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert provider.ended_sessions == []


def test_a_password_user_logs_out_locally_even_with_single_sign_on_set_up(client, provider, director):
    client.force_login(director)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert provider.ended_sessions == []
