"""OpenID Connect single sign-on (mozilla-django-oidc), mapped to a user with role and organization.

The identity provider is named by CODINGWATCH_OIDC_ISSUER; its endpoints come from its
discovery document (`/.well-known/openid-configuration`) unless given one by one. Each login:

- the ID token is checked (signature against the provider's JWKS, `iss`, `aud`, expiry, nonce);
- the user is the one with that subject (`sub`), made at the first login under the
  `preferred_username` claim (suffixed with the subject when a local user has that name: a
  provider user never takes over a local account);
- role, organization and vendor come from the claims named by CODINGWATCH_OIDC_ROLE_CLAIM
  (a role: admin, auditor, ...), CODINGWATCH_OIDC_ORGANIZATION_CLAIM (an organization's name;
  may be left out when there is only one organization) and CODINGWATCH_OIDC_VENDOR_CLAIM (a
  vendor code of that organization, for the vendor role), set again at every login: the provider
  is the source of truth. A login whose claims name no valid role, organization or vendor is
  refused and no user is made;
- the second factor counts as passed when the ID token's `amr` (RFC 8176) names one (e.g.
  `mfa`, `otp`, `hwk`); otherwise the user passes codingwatch's own TOTP as after a password.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django_scopes import scopes_disabled
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from codingwatch.web.accounts import mfa, roles

LOGGER = logging.getLogger(__name__)
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_OP_ISSUER", "") and getattr(settings, "OIDC_RP_CLIENT_ID", ""))


@lru_cache(maxsize=8)
def discovery(issuer: str) -> dict:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (an https URL from the settings)
        document = json.load(response)
    if document.get("issuer") != issuer:
        raise SuspiciousOperation(f"the discovery document of {issuer} names the issuer {document.get('issuer')!r}")
    return document


def setting(attr: str, *default):
    """A mozilla-django-oidc setting; an endpoint left empty is read from the discovery document."""
    if attr in ENDPOINTS and not getattr(settings, attr, ""):
        return discovery(settings.OIDC_OP_ISSUER)[ENDPOINTS[attr]]
    return import_from_settings(attr, *default)


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """The OIDC code flow's user: by subject, with role and organization from the claims."""

    @staticmethod
    def get_settings(attr, *args):
        return setting(attr, *args)

    def authenticate(self, request, **kwargs):
        # A token that fails a check (signature, issuer, audience, nonce) is a refused login, shown
        # as such on the login page, never an error page.
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as exc:
            LOGGER.warning("single sign-on refused: %s", exc)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation(f"ID token issuer {payload.get('iss')!r} is not {settings.OIDC_OP_ISSUER!r}")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token is not for this client (aud)")
        self.id_claims = payload
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload.get("sub"):  # OIDC Core 5.3.2
            raise SuspiciousOperation("the userinfo subject is not the ID token's")
        return {**payload, **info}

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(sso_subject=claims["sub"])

    def create_user(self, claims):
        values = mapped(claims)
        name = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:100]
        if self.UserModel.objects.filter(username=name).exists():
            name = f"{name}-{claims['sub']}"[:150]
        user = self.UserModel(username=name, sso_subject=claims["sub"], email=claims.get("email", ""), **values)
        user.set_unusable_password()
        user.save()
        return self._second_factor(user)

    def update_user(self, user, claims):
        for field, value in mapped(claims).items():
            setattr(user, field, value)
        user.save()
        return self._second_factor(user)

    def _second_factor(self, user):
        amr = getattr(self, "id_claims", {}).get("amr") or []
        user.sso_second_factor = bool(set(amr if isinstance(amr, list) else [amr]) & mfa.SECOND_FACTOR_AMR)
        return user


def mapped(claims: dict) -> dict:
    """role, organization and vendor from the claims; SuspiciousOperation (login refused) when
    they name no valid role, organization or vendor."""
    from codingwatch.web.organizations.models import Organization
    from codingwatch.web.vendors.models import Vendor

    role = claims.get(settings.OIDC_ROLE_CLAIM)
    if role not in roles.ROLES:
        raise SuspiciousOperation(f"claim {settings.OIDC_ROLE_CLAIM!r} is {role!r}: not a codingwatch role")
    with scopes_disabled():
        name = claims.get(settings.OIDC_ORGANIZATION_CLAIM)
        if name:
            organization = Organization.objects.filter(name=name).first()
        else:
            every = list(Organization.objects.all()[:2])
            organization = every[0] if len(every) == 1 else None
        if organization is None:
            raise SuspiciousOperation(f"claim {settings.OIDC_ORGANIZATION_CLAIM!r} is {name!r}: no such organization")
        vendor = None
        if role == roles.VENDOR:
            code = claims.get(settings.OIDC_VENDOR_CLAIM)
            vendor = Vendor.objects.filter(code=code, organization=organization).first() if code else None
            if vendor is None:
                raise SuspiciousOperation(f"claim {settings.OIDC_VENDOR_CLAIM!r} is {code!r}: "
                                          f"no vendor of {organization.name}")
    return {"role": role, "organization": organization, "vendor": vendor}


def _only_when_enabled(view):
    def wrapper(request, *args, **kwargs):
        if not enabled():
            raise Http404("single sign-on is not set up")
        return view(request, *args, **kwargs)

    return login_not_required(wrapper)


class StartView(OIDCAuthenticationRequestView):
    @staticmethod
    def get_settings(attr, *args):
        return setting(attr, *args)


class CallbackView(OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr, *args):
        return setting(attr, *args)


def end_session_url(request, id_token: str) -> str | None:
    """Where to send the browser after our logout so that the provider ends its session as well
    (OpenID Connect RP-Initiated Logout 1.0): the provider's end-session endpoint with the ID token
    as the hint and our login page to come back to; None when the provider has none."""
    from urllib.parse import urlencode

    endpoint = getattr(settings, "OIDC_OP_END_SESSION_ENDPOINT", "")
    if not endpoint:
        try:
            endpoint = discovery(settings.OIDC_OP_ISSUER).get("end_session_endpoint", "")
        except OSError:  # the provider cannot be reached: our own logout stands
            LOGGER.warning("single sign-on: the provider's discovery document could not be read at logout")
            return None
    if not endpoint:
        return None
    query = urlencode({"id_token_hint": id_token, "client_id": settings.OIDC_RP_CLIENT_ID,
                       "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class LogoutView(auth_views.LogoutView):
    """Django's logout; after a single sign-on it then ends the provider's session too, so that the
    next login asks the provider for credentials again instead of signing the same person back in."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token") if enabled() else None
        response = super().post(request, *args, **kwargs)  # the local session is gone whatever follows
        if id_token:
            url = end_session_url(request, id_token)
            if url:
                return HttpResponseRedirect(url)
        return response


start = _only_when_enabled(StartView.as_view())
callback = _only_when_enabled(CallbackView.as_view())


def on_login(sender, request, user, **kwargs):
    """Every login: the session's second factor is the provider's only after a single sign-on
    whose ID token said so (a password login never inherits it)."""
    if request is not None and hasattr(request, "session"):
        request.session[mfa.IDP_MFA_SESSION_KEY] = bool(getattr(user, "sso_second_factor", False))


__all__ = ["LogoutView", "SingleSignOnBackend", "callback", "enabled", "end_session_url", "on_login", "start"]
