"""REST endpoints: a chart's evidence chain (/api/encounters/...) and a vendor's quarterly
business review (/api/review/...). Same visibility as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from codingwatch.scorecard import qbr as qbr_engine
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.review import chain as chain_service
from codingwatch.web.review import services
from codingwatch.web.vendors.models import Vendor

chain_router = Router(tags=["evidence chain"])
review_router = Router(tags=["quarterly review"])


@chain_router.get("/{encounter_key}/chain", summary="Everything known about one chart, from access to payment")
def evidence_chain(request, encounter_key: str):
    found = chain_service.chain_for(request.user, encounter_key)
    if found is None:
        raise HttpError(404, "Not Found")
    record_access(request, action=AccessEvent.VIEW, object_type="evidence-chain", object_id=encounter_key)
    return found


@review_router.get("/{code}/{quarter}", summary="A vendor's quarterly business review (e.g. 2026Q2)")
def quarterly(request, code: str, quarter: str):
    vendor = get_object_or_404(Vendor.objects.all(), code=code)
    try:
        qbr_engine.parse_quarter(quarter)
    except qbr_engine.QuarterError as exc:
        raise HttpError(400, str(exc)) from None
    review = services.quarterly_review(vendor, quarter, staff=not request.user.is_vendor_user)
    record_access(request, action=AccessEvent.VIEW, object_type="quarterly-review", object_id=f"{code}/{quarter}")
    return qbr_engine.as_json(review)
