"""REST endpoints of the vendor scorecard (/api/scorecard/...): the same figures as the pages
(each month's term states, limits, charts needed and credits with their inputs). A vendor user
sees only their own vendor: vendors are read in the request's scope, so another's is not found."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from codingwatch.scorecard.terms import month_end
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.scorecard import services
from codingwatch.web.vendors.models import Vendor

router = Router(tags=["scorecard"])


class Period(Schema):
    first: str | None = Field(None, alias="from", description="first month, YYYY-MM (default: six months "
                                                                "up to the lake's latest service month)")
    last: str | None = Field(None, alias="to", description="last month, YYYY-MM")


class States(Schema):
    met: int
    breached: int
    not_enough: int


class VendorSummaryOut(Schema):
    code: str
    name: str
    first: str = Field(..., alias="from")
    last: str = Field(..., alias="to")
    months: int
    states: States
    credits: str


class TermOut(Schema):
    kind: str
    label: str
    target: Any = None
    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    state: str
    evidence: Any = None
    basis: Any = None
    needed: dict | None = None  # charts that would settle a term without enough evidence
    inputs: dict
    key: dict


class CreditLineOut(Schema):
    kind: str
    amount: str
    formula: str
    inputs: dict


class CreditsOut(Schema):
    invoice: str | None
    invoice_basis: str
    lines: list[CreditLineOut]
    total: str


class MonthOut(Schema):
    month: str
    results: list[TermOut]
    credits: CreditsOut
    kpi: dict | None


class VendorScorecardOut(Schema):
    code: str
    name: str
    first: str = Field(..., alias="from")
    last: str = Field(..., alias="to")
    states: States
    credits: str
    months: list[MonthOut]


def _period(period: Period):
    first, last = services.parse_month(period.first), services.parse_month(period.last)
    for text, parsed, name in ((period.first, first, "from"), (period.last, last, "to")):
        if text and parsed is None:
            raise HttpError(400, f"{name}: {text!r} is not a month (YYYY-MM)")
    default_first, default_last = services.default_period()
    first = first or default_first
    last = month_end(last) if last else default_last
    if last < first:
        raise HttpError(400, f"to ({last:%Y-%m}) is before from ({first:%Y-%m})")
    return first, last


def _summary(vendor: Vendor, months, first, last) -> dict:
    s = services.summary(months)
    return {"code": vendor.code, "name": vendor.name, "from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"),
            "months": s["months"], "states": s["states"], "credits": str(s["credits"])}


@router.get("/vendors", response=list[VendorSummaryOut], by_alias=True,
            summary="Each vendor's terms met, breached and not settled over the period, and its credits")
def vendors(request, period: Query[Period]):
    first, last = _period(period)
    found = list(Vendor.objects.all())
    by_vendor = services.scorecards(found, first, last)
    return [_summary(v, by_vendor[v.code], first, last) for v in found]


@router.get("/vendors/{code}", response=VendorScorecardOut, by_alias=True,
            summary="One vendor's scorecard month by month: term states, limits, charts needed, credits")
def vendor(request, code: str, period: Query[Period]):
    found = get_object_or_404(Vendor.objects.all(), code=code)
    first, last = _period(period)
    months = services.scorecard(found, first, last)
    record_access(request, action=AccessEvent.VIEW, object_type="scorecard-vendor", object_id=found.code)
    return {**_summary(found, months, first, last),
            "months": [{k: v for k, v in m.as_dict().items() if k != "vendor"} for m in months]}
