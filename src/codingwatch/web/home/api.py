"""GET /api/home: the home page's sections as data."""

from __future__ import annotations

from ninja import Router, Schema

from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.home.waiting import sections_for

router = Router(tags=["home"])


class ItemOut(Schema):
    title: str
    url: str
    detail: str
    days_left: int | None


class SectionOut(Schema):
    key: str
    title: str
    count: int
    available: bool
    empty: str
    more_url: str
    items: list[ItemOut]


class HomeOut(Schema):
    user: str
    role: str
    sections: list[SectionOut]


@router.get("", response=HomeOut, summary="What waits for you: audits at your step, findings, clocks, cases")
def home(request):
    """The sections your role has. `available` false: the module behind it is not installed (no figures)."""
    body = {"user": request.user.get_username(), "role": request.user.role,
            "sections": [s.as_dict() for s in sections_for(request.user)]}
    record_access(request, action=AccessEvent.VIEW, object_type="home")
    return body
