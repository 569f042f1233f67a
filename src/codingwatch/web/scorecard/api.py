"""REST endpoints of the vendor scorecard (/api/scorecard/...): the same figures as the pages
(each month's term states, limits, charts needed and credits with their inputs). A vendor user
sees only their own vendor: vendors are read in the request's scope, so another's is not found."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from codingwatch import periods
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.scorecard import period as scorecard_period
from codingwatch.web.scorecard import services
from codingwatch.web.vendors.models import Vendor

router = Router(tags=["scorecard"])


class Period(Schema):
    period: str | None = Field(None, description="a month (2026-03) or a quarter (2026-Q1); "
                                                 "`custom` or nothing reads `from` and `to`")
    first: str | None = Field(None, alias="from", description="first day, YYYY-MM-DD (or a month, YYYY-MM); the "
                                                                "scorecard counts whole months: a month is in when "
                                                                "its first day is within the range (default: six "
                                                                "months up to the lake's latest service month)")
    last: str | None = Field(None, alias="to", description="last day, YYYY-MM-DD (or a month, YYYY-MM)")


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
    try:
        return scorecard_period.months({"period": period.period, "from": period.first, "to": period.last})
    except periods.PeriodError as exc:
        raise HttpError(400, str(exc)) from None


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
