"""REST endpoints of due diligence (mounted under /api/diligence/): the same roles as the
pages (roles.MODULES["diligence"]); vendor users get 404 on every endpoint."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from codingwatch.web.accounts.access import check_module
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.diligence import services
from codingwatch.web.diligence.views import MODULE
from codingwatch.web.vendors.models import Vendor

router = Router(tags=["diligence"])


def _guard(request) -> None:
    try:
        check_module(request, MODULE)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


@router.get("/vendors", summary="Every vendor's weighted due-diligence score and disqualifiers")
def vendor_scores(request, on: dt.date | None = None):
    _guard(request)
    return {"vendors": services.scores(list(Vendor.objects.order_by("name")), on)}


@router.get("/vendors/{code}", summary="One vendor's score with the evidence behind each point")
def vendor_detail(request, code: str, on: dt.date | None = None):
    _guard(request)
    vendor = get_object_or_404(Vendor.objects.all(), code=code)
    record_access(request, action=AccessEvent.VIEW, object_type="vendor_diligence", object_id=vendor.code)
    return {**services.vendor_score(vendor, on), "expiring": services.expiring_documents(vendor, on)}


@router.get("/vendors/{code}/declared", summary="A vendor's declarations beside what was observed")
def vendor_declared(request, code: str):
    _guard(request)
    vendor = get_object_or_404(Vendor.objects.all(), code=code)
    record_access(request, action=AccessEvent.VIEW, object_type="vendor_declared", object_id=vendor.code)
    return services.declared_vs_observed(vendor) or {"vendor": vendor.code, "declared": None,
                                                     "discrepancies": []}


@router.get("/alerts", summary="Expired documents, PHI access before the BAA, coders after their end date")
def alerts(request, on: dt.date | None = None):
    _guard(request)
    record_access(request, action=AccessEvent.VIEW, object_type="diligence_alerts")
    return {"alerts": services.alerts(list(Vendor.objects.order_by("name")), on)}
