"""REST endpoints of the saved views (mounted under /api/views): the figure pages as the user
left them, by name, the same rows the pages list under "My views".

A saved view is its owner's alone: every endpoint reads only the requesting user's views, so
another user's view (of the same organization or of another) is never listed and answers 404
to a delete, exactly as if it did not exist. A view names one of the figure pages (the
dashboard, the vendors, one vendor, one coder, the denials pages) by its path, and its query
(period, sorts) is checked as the page reads it: a period that cannot be read answers 400
naming it. A vendor or coder page the user may not see answers 404, as the page itself does.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from codingwatch.web.dashboard import saved_views as views_check
from codingwatch.web.dashboard.models import SavedView

router = Router(tags=["saved views"])



class SavedViewOut(Schema):
    id: int
    name: str
    page: str
    query: str
    url: str  # the page with its query: what the view opens
    saved_at: dt.datetime


class SavedViewIn(Schema):
    name: str
    page: str  # a figure page's path, e.g. /denials/
    query: str = ""  # its query string, e.g. period=2026-03&sort_vendor=-claims


def _out(view: SavedView) -> dict:
    return {"id": view.pk, "name": view.name, "page": view.page, "query": view.query, "url": view.url,
            "saved_at": view.saved_at}


@router.get("", response=list[SavedViewOut], summary="Your saved views, by page and name")
def saved_views(request, page: str | None = None):
    """Only yours. `page` (a path, e.g. /denials/) lists the views of that page alone."""
    views = SavedView.objects.filter(user=request.user)
    if page is not None:
        views = views.filter(page=page)
    return [_out(v) for v in views.order_by("page", "name")]


@router.post("", response={201: SavedViewOut, 200: SavedViewOut},
             summary="Save a view of a figure page (the same name on the same page replaces it)")
def save_view(request, body: SavedViewIn):
    """201 with the new view; 200 when your view of that name on that page was replaced; 400
    naming `name`, `page` or `query` when one cannot be saved."""
    try:
        view, created = views_check.save(request.user, name=body.name, page=body.page, query=body.query)
    except views_check.ViewError as exc:
        raise HttpError(400, str(exc)) from None
    return Status(201 if created else 200, _out(view))


@router.delete("/{view_id}", response={204: None}, summary="Delete one of your saved views")
def delete_view(request, view_id: int):
    get_object_or_404(SavedView.objects.filter(user=request.user), pk=view_id).delete()
    return Status(204, None)
