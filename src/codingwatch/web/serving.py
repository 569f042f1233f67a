"""Response rules of a production server: nothing a login protects is ever cached, and the
API answers every error in JSON.

Both run just inside WhiteNoise, so static files (answered earlier, with their own long
caching of hashed names) never reach them, and they see the final response of everything
else, errors included.
"""

from __future__ import annotations

import json
from http import HTTPStatus

NO_STORE = "no-store"
API_PREFIX = "/api/"


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response of a login-required view and of the API.

    Why every authenticated response rather than a list of chart-level URL names: a list is one
    more thing to keep in step with the URLs, and a page missed by it would leave PHI in a
    browser's or a proxy's cache; the aggregate pages are confidential too (contract prices,
    vendor scores), and every page is computed per user anyway, so not storing them costs
    nothing a user notices. Public views (the login page, the chart library script, /healthz)
    keep the Cache-Control they set; one that sets none gets no-store as well, as do redirects
    to the login page and error pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        public = getattr(request, "_codingwatch_public_view", False) and not request.path.startswith(API_PREFIX)
        if not (public and response.has_header("Cache-Control")):
            response["Cache-Control"] = NO_STORE
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Django's @login_not_required sets login_required = False on the view.
        request._codingwatch_public_view = getattr(view_func, "login_required", True) is False
        return None


class ApiErrorsAsJsonMiddleware:
    """Every error under /api/ answers `{"detail": "..."}` with its status, never an HTML page.

    django-ninja already answers its own errors (validation 422, HttpError, 404 of a lookup) in
    JSON; this catches the rest: an unknown API path (Django's 404 page), a CSRF refusal, the
    read-only role's 403, a server error (Django's 500 page, after the exception is logged).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = _reason(response)
            response.content = json.dumps({"detail": detail}).encode()
            response["Content-Type"] = "application/json; charset=utf-8"
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response


def _reason(response) -> str:
    """A short plain body says why (e.g. "This role is read only."); an HTML page does not,
    so the status's own phrase stands in for it (never the page, never a traceback)."""
    if response.status_code < 500:
        text = response.content.decode(response.charset or "utf-8", "replace").strip()
        if text and len(text) <= 300 and "<" not in text:
            return text
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return "Error"


class CodingwatchErrorMiddleware:
    """A CodingwatchError a view lets through (bad input, a step that cannot be done now) is
    answered with its message and status 400, never a server error: under /api/ as
    `{"detail": "..."}`, elsewhere as a page saying what cannot be done and why. Views that
    show such errors in their own form keep doing so; this is the floor under them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from codingwatch.errors import CodingwatchError

        if not isinstance(exception, CodingwatchError):
            return None
        from django.http import JsonResponse
        from django.shortcuts import render

        status = HTTPStatus.BAD_REQUEST
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": exception.message}, status=status)
        return render(request, "codingwatch_error.html", {"message": exception.message}, status=status)
