"""What a saved view may hold, checked once for the API and the pages' "Save this view" form:
a name, one of the figure pages (the dashboard, the vendors, one vendor, one coder, the denials
pages) by its path, and its query (period, sorts) read as the page reads it. A view that cannot
be saved raises `ViewError` naming `name`, `page` or `query` and why; a vendor or coder page
outside the user's scope raises Http404, as the page itself does."""

from __future__ import annotations

from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve

from codingwatch import periods
from codingwatch.web.dashboard.models import SavedView
from codingwatch.web.vendors.models import Coder, Vendor

# the URL names of the pages that list saved views (each shows the period picker and "My views")
FIGURE_PAGES = ("dashboard", "vendors", "vendor", "coder", "denials", "denials-vendor", "denials-coder")
NAME_LENGTH = SavedView._meta.get_field("name").max_length
QUERY_LENGTH = SavedView._meta.get_field("query").max_length


class ViewError(ValueError):
    """A view that cannot be saved; the message names the field, then what is wrong with it."""


def figure_page(path: str) -> str:
    """The path when it is a figure page the user may see; ViewError when it is not a figure
    page, Http404 when it names a vendor or coder outside the user's scope (the scoped managers decide)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ViewError(f"page: {path!r} is not a path of this site: give a figure page's path, e.g. /denials/")
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is None or match.url_name not in FIGURE_PAGES:
        raise ViewError(f"page: {path!r} is not a figure page: give the path of the dashboard (/), the "
                        "vendors (/vendors/), a vendor, a coder or a denials page")
    if "code" in match.kwargs:
        get_object_or_404(Vendor.objects.all(), code=match.kwargs["code"])
    if "login_id" in match.kwargs:
        get_object_or_404(Coder.objects.all(), login_id=match.kwargs["login_id"])
    return path


def checked_query(text: str) -> str:
    query = text.strip().removeprefix("?")
    if len(query) > QUERY_LENGTH:
        raise ViewError(f"query: {len(query)} characters, at most {QUERY_LENGTH}")
    try:
        periods.parse(QueryDict(query))
    except periods.PeriodError as exc:
        raise ViewError(f"query: {exc}") from None
    return query


def save(user, *, name: str, page: str, query: str) -> tuple[SavedView, bool]:
    """Saves the user's view (the same name on the same page replaces it): (view, created)."""
    name = name.strip()
    if not name:
        raise ViewError("name: empty: name the view")
    if len(name) > NAME_LENGTH:
        raise ViewError(f"name: {len(name)} characters, at most {NAME_LENGTH}")
    page = figure_page(page.strip())
    query = checked_query(query)
    return SavedView.objects.update_or_create(user=user, page=page, name=name, defaults={"query": query})
