"""What every figure page shows above its figures: the period picker (month, quarter, custom;
the period lives in the URL), the user's saved views of the page, and "data as of" (when the
latest load the figures include was committed)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.apps import apps

from codingwatch import periods
from codingwatch.web.lake_cache import data_as_of

KEPT_PARAMS = ("period", "from", "to")


def request_period(request) -> periods.Period:
    """The period the request's URL names; a period that cannot be read means every date, and
    the page says why (`period_error`)."""
    found = getattr(request, "_figure_period", None)
    if found is None:
        try:
            found = (periods.parse(request.GET), None)
        except periods.PeriodError as exc:
            found = (periods.ALL, str(exc))
        request._figure_period = found
    return found[0]


def period_error(request) -> str | None:
    request_period(request)
    return request._figure_period[1]


def with_period(request, url: str) -> str:
    """A link to another figure page that keeps the period."""
    query = urlencode(request_period(request).query())
    return f"{url}?{query}" if query else url


def period_context(request, first, last) -> dict:
    """The template context of the period picker, the saved views and "data as of"."""
    # by the app registry: the dashboard's views import this module
    SavedView = apps.get_model("dashboard", "SavedView")  # noqa: N806
    period = request_period(request)
    saved = []
    if request.user.is_authenticated:
        saved = list(SavedView.objects.filter(user=request.user, page=request.path).order_by("name"))
    query = request.GET.copy()
    for name in ("page", "sort"):  # a saved view is the period and the sorts, not a page number
        query.pop(name, None)
    return {
        "period": period,
        "period_error": period_error(request),
        "period_choices": periods.choices(first, last),
        "data_as_of": data_as_of(),
        "saved_views": saved,
        "view_query": query.urlencode(),
        "view_page": request.path,
    }
