"""The home page: what waits for the person logged in, each item a link (home.waiting)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from codingwatch.web.accounts.trail import records_view
from codingwatch.web.home.waiting import sections_for


@require_GET
@records_view("home")
def home(request):
    sections = sections_for(request.user)
    return render(request, "home/home.html", {"sections": sections,
                                              "waiting": sum(s.count for s in sections if s.available)})
