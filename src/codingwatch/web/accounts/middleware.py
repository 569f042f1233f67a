"""Login on everything, the vendor scope and read-only roles, and the security headers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_scopes import scope

from codingwatch.web.accounts import roles


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Nothing is reachable anonymously but views marked @login_not_required (the login page).

    Static files never get here: WhiteNoise answers them earlier. The API answers 401 with a
    JSON body instead of a redirect to the login form.
    """

    def handle_no_permission(self, request, view_func):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Authentication required: log in first"}, status=401)
        return super().handle_no_permission(request, view_func)


class SecondFactorMiddleware:
    """A password login of a role that reads chart-level data opens nothing until a second factor
    passed in the same session (accounts.mfa): pages redirect to the code form (or, without an
    authenticator yet, to enrolling one), the API answers 401. Logging out always works."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from codingwatch.web.accounts import mfa

        user = request.user
        if (user.is_authenticated and mfa.required_for(user) and not mfa.satisfied(request)
                and not _is_second_factor_path(request.path)):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Second factor required: log in at /login/ and pass the code"},
                                    status=401)
            name = "mfa-verify" if mfa.authenticator(user) is not None else "mfa-setup"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _is_second_factor_path(path: str) -> bool:
    return path == reverse("logout") or path.startswith("/mfa/")


def _is_own_notifications_path(path: str) -> bool:
    """Marking one's own notifications read and choosing what one is told change no record."""
    return path.startswith(("/notifications/", "/api/notifications/"))


class RoleMiddleware:
    """Runs each request inside its organization and vendor scope (django-scopes) and keeps
    read-only roles read-only.

    Every query on a scoped model returns only the user's organization's rows (a user without
    an organization sees none); a vendor user's only their vendor's rows besides; anonymous
    requests see no scoped rows at all.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            with scope(vendor=[], organization=[]):
                return self.get_response(request)
        if user.role in roles.READ_ONLY_ROLES and request.method not in self.SAFE_METHODS:
            if not (_is_second_factor_path(request.path) or _is_own_notifications_path(request.path)):
                return HttpResponseForbidden("This role is read only.")
        organization = user.organization_id if user.organization_id is not None else []
        if user.role in roles.VENDOR_SCOPED_ROLES:
            if user.vendor_id is None:  # the database forbids it; refuse rather than widen
                return HttpResponseForbidden("This vendor user is bound to no vendor.")
            with scope(vendor=user.vendor_id, organization=organization):
                return self.get_response(request)
        with scope(vendor=None, organization=organization):  # None: every vendor of the organization
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Adds settings.CONTENT_SECURITY_POLICY to every response.

    Django 5.2 has no CSP support of its own and one fixed header needs no nonces, so a few
    lines here are simpler than another dependency.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
