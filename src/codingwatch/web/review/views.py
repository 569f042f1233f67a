"""The evidence chain of one chart, and the quarterly business review (page and downloads).

Every role may open a chart's chain for the charts it may see (a vendor user: their own
vendor's); the quarterly review is read by staff for any vendor of the organization and by a
vendor user for their own vendor only (404 for another's)."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from codingwatch.scorecard import qbr as qbr_engine
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.review import chain as chain_service
from codingwatch.web.review import services
from codingwatch.web.vendors.models import Vendor


@require_GET
def evidence_chain(request, encounter_key: str):
    found = chain_service.chain_for(request.user, encounter_key)
    if found is None:
        raise Http404("no such chart")
    record_access(request, action=AccessEvent.VIEW, object_type="evidence-chain", object_id=encounter_key)
    return render(request, "review/chain.html", {"chain": found})


def _review(request, code: str, quarter: str) -> dict:
    vendor = get_object_or_404(Vendor.objects.all(), code=code)
    try:
        qbr_engine.parse_quarter(quarter)
    except qbr_engine.QuarterError as exc:
        raise Http404(str(exc)) from None
    return services.quarterly_review(vendor, quarter, staff=not request.user.is_vendor_user)


@require_GET
def quarterly(request, code: str, quarter: str):
    review = _review(request, code, quarter)
    record_access(request, action=AccessEvent.VIEW, object_type="quarterly-review", object_id=f"{code}/{quarter}")
    vendors = Vendor.objects.order_by("name")
    return render(request, "review/quarterly.html",
                  {"review": review, "body": qbr_engine.render_body(review), "vendors": vendors,
                   "quarters": qbr_engine.recent_quarters(quarter)})


@require_GET
def quarterly_download(request, code: str, quarter: str, fmt: str):
    if fmt not in ("html", "pdf", "json"):
        raise Http404("choose html, pdf or json")
    review = _review(request, code, quarter)
    record_access(request, action=AccessEvent.EXPORT, object_type="quarterly-review", object_id=f"{code}/{quarter}")
    name = f"qbr-{code}-{quarter}.{fmt}"
    if fmt == "json":
        response = JsonResponse(qbr_engine.as_json(review), json_dumps_params={"indent": 2})
    elif fmt == "html":
        response = HttpResponse(qbr_engine.render_html(review), content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(qbr_engine.pdf_bytes(review), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def quarterly_index(request):
    """The vendors whose quarterly review the user may open (a vendor user: their own)."""
    return render(request, "review/index.html", {"vendors": Vendor.objects.order_by("name"),
                                                  "quarters": qbr_engine.recent_quarters(None)})
