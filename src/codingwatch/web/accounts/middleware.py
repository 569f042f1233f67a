"""Login on everything, the vendor scope and read-only roles, and the security headers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpResponseForbidden, JsonResponse
from django.urls import reverse
from django_scopes import scope, scopes_disabled

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


class RoleMiddleware:
    """Runs each request inside its vendor scope (django-scopes) and keeps read-only roles read-only.

    A vendor user's queries on vendor-scoped models return only their vendor's rows; other
    staff run with the scope explicitly disabled; anonymous requests see no scoped rows at all.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            with scope(vendor=[]):
                return self.get_response(request)
        if user.role in roles.READ_ONLY_ROLES and request.method not in self.SAFE_METHODS:
            if request.path != reverse("logout"):
                return HttpResponseForbidden("This role is read only.")
        if user.role in roles.VENDOR_SCOPED_ROLES:
            if user.vendor_id is None:  # the database forbids it; refuse rather than widen
                return HttpResponseForbidden("This vendor user is bound to no vendor.")
            with scope(vendor=user.vendor_id):
                return self.get_response(request)
        with scopes_disabled():
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
