"""The REST API under /api/ (django-ninja), documented at /api/docs.

Same figures as the pages, same rules: login required (session), vendor users see only their
vendor (the scoped managers answer 404 for anything else).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from codingwatch.lake.metrics import DIMENSIONS
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.dashboard.figures import figures_for, totals_for
from codingwatch.web.period_query import PeriodQuery
from codingwatch.web.vendors.models import Coder, Vendor

api = NinjaAPI(
    title="codingwatch API",
    version="1",
    description=(
        "Encounters, case mix index (CMI) and turnaround from the lake, by vendor, specialty, month "
        "and coder. Log in through /login/ first: the API uses the same session. Vendor users see "
        "only their own vendor."
    ),
    auth=django_auth,
    urls_namespace="api",
)


class FigureRow(Schema):
    key: str
    encounters: int
    inpatient_encounters: int
    cmi: Decimal | None
    mean_turnaround_hours: float | None
    median_turnaround_hours: float | None
    partial: bool | None = None  # by month: a month the data covers only in part
    days: str | None = None  # by month, when partial: the days covered


class FiguresOut(Schema):
    by: str
    rows: list[FigureRow]


class VendorOut(Schema):
    code: str
    name: str
    delivery_model: str
    work_locations: list[str]


class CoderOut(Schema):
    login_id: str
    vendor: str
    credentials: list[str]
    specialties: list[str]
    location: str
    start_date: dt.date
    end_date: dt.date | None

    @staticmethod
    def resolve_vendor(coder):
        return coder["vendor"] if isinstance(coder, dict) else coder.vendor.code


class VendorDetailOut(VendorOut):
    months: list[FigureRow]
    coders: list[FigureRow]


class CoderDetailOut(CoderOut):
    months: list[FigureRow]


@api.get("/figures/{by}", response=FiguresOut, summary="Encounters, CMI and turnaround grouped by one dimension")
def figures(request, by: str, when: Query[PeriodQuery], vendor: str | None = None, coder: str | None = None):
    """`by` is one of vendor, specialty, month, coder, encounter_type. `vendor` (a vendor code) and
    `coder` (a login id) narrow the figures; naming one you may not see answers 404. `period`
    (2026-03 or 2026-Q1) or `from`/`to` (YYYY-MM-DD) limit the encounters to those served in it,
    as on the pages; a period that cannot be read answers 400."""
    if by not in DIMENSIONS:
        raise HttpError(400, f"cannot group by {by!r}: choose one of {', '.join(DIMENSIONS)}")
    period = when.parsed()
    filters = {}
    if vendor:
        filters["vendor"] = get_object_or_404(Vendor.objects.all(), code=vendor).code
    if coder:
        filters["coder"] = get_object_or_404(Coder.objects.all(), login_id=coder).login_id
    return {"by": by, "rows": figures_for(request.user, by, period=period, **filters).rows}


@api.get("/totals", response=FigureRow, summary="The same figures over everything you may see")
def totals(request, when: Query[PeriodQuery]):
    """`period` or `from`/`to` as on /api/figures/{by}."""
    return totals_for(request.user, period=when.parsed())


@api.get("/vendors", response=list[VendorOut], summary="Vendors on the roster")
def vendor_list(request):
    return list(Vendor.objects.all().order_by("name"))


@api.get("/vendors/{code}", response=VendorDetailOut, summary="One vendor with its figures by month and by coder")
def vendor_detail(request, code: str, when: Query[PeriodQuery]):
    """`period` or `from`/`to` as on /api/figures/{by}: the vendor page's figures for that period."""
    period = when.parsed()
    vendor = get_object_or_404(Vendor.objects.all(), code=code)
    record_access(request, action=AccessEvent.VIEW, object_type="vendor", object_id=vendor.code)
    return {
        "code": vendor.code, "name": vendor.name, "delivery_model": vendor.delivery_model,
        "work_locations": vendor.work_locations,
        "months": figures_for(request.user, "month", vendor=vendor.code, period=period).rows,
        "coders": figures_for(request.user, "coder", vendor=vendor.code, period=period).rows,
    }


@api.get("/coders", response=list[CoderOut], summary="Coders on the roster")
def coder_list(request, vendor: str | None = None):
    coders = Coder.objects.select_related("vendor").order_by("login_id")
    if vendor:
        coders = coders.filter(vendor__code=vendor)
    return list(coders)


@api.get("/coders/{login_id}", response=CoderDetailOut, summary="One coder with figures by month")
def coder_detail(request, login_id: str, when: Query[PeriodQuery]):
    """`period` or `from`/`to` as on /api/figures/{by}: the coder page's months for that period."""
    period = when.parsed()
    coder = get_object_or_404(Coder.objects.select_related("vendor"), login_id=login_id)
    months = figures_for(request.user, "month", vendor=coder.vendor.code, coder=coder.login_id, period=period).rows
    record_access(request, action=AccessEvent.VIEW, object_type="coder", object_id=coder.login_id)
    return {
        "login_id": coder.login_id, "vendor": coder.vendor.code, "credentials": coder.credentials,
        "specialties": coder.specialties, "location": coder.location, "start_date": coder.start_date,
        "end_date": coder.end_date, "months": months,
    }


# The modules' own endpoints: /api/costs/..., /api/sampling/...
from codingwatch.web.costs.api import router as costs_router  # noqa: E402
from codingwatch.web.denials.api import router as denials_router  # noqa: E402
from codingwatch.web.provenance.api import router as provenance_router  # noqa: E402
from codingwatch.web.sampling.api import router as sampling_router  # noqa: E402

api.add_router("/costs/", costs_router)
api.add_router("/sampling/", sampling_router)
api.add_router("/denials/", denials_router)


from codingwatch.web.audits.api import router as audits_router  # noqa: E402

api.add_router("/audits", audits_router)
api.add_router("/provenance/", provenance_router)

from codingwatch.web.home.api import router as home_router  # noqa: E402
from codingwatch.web.notifications.api import router as notifications_router  # noqa: E402

api.add_router("/home", home_router)
api.add_router("/notifications", notifications_router)
from codingwatch.web.diligence.api import router as diligence_router  # noqa: E402
from codingwatch.web.review.api import chain_router, review_router  # noqa: E402

api.add_router("/diligence/", diligence_router)
api.add_router("/encounters/", chain_router)
api.add_router("/review/", review_router)
from codingwatch.web.scorecard.api import router as scorecard_router  # noqa: E402

api.add_router("/scorecard/", scorecard_router)
from codingwatch.web.dashboard.api import router as saved_views_router  # noqa: E402

api.add_router("/views", saved_views_router)
