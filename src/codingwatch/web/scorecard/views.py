"""The vendor scorecard: each contract term each month, its state, limits, charts needed and credits.

A vendor user sees their own vendor's scorecard (transparency) and no other: vendors are read
in the request's scope, so another vendor's code is not found (404).
"""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from codingwatch import periods
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access, records_view
from codingwatch.web.scorecard import period as scorecard_period
from codingwatch.web.scorecard import services
from codingwatch.web.vendors.models import Vendor


def _period(request) -> tuple:
    """The period's whole months, read as the API reads them; a period that cannot be read
    shows the default six months, and the page says why (`request.scorecard_period`)."""
    default = services.default_period()
    error = None
    try:
        first, last = scorecard_period.months(request.GET, default)
    except periods.PeriodError as exc:
        (first, last), error = default, str(exc)
    raw = (request.GET.get("period") or "").strip()
    request.scorecard_period = {
        "value": raw if raw != "custom" and not error else "", "error": error,
        "choices": periods.choices(dt.date(default[1].year - 2, default[1].month, 1), default[1]),
    }
    return first, last


@require_GET
def index(request):
    """The vendors in scope with a count of terms met, breached and not settled over the period."""
    first, last = _period(request)
    vendors = list(Vendor.objects.all())
    by_vendor = services.scorecards(vendors, first, last)
    rows = [{"vendor": vendor, **services.summary(by_vendor[vendor.code])} for vendor in vendors]
    return render(request, "scorecard/index.html", {"rows": rows, "first": first, "last": last})


@require_GET
@records_view("scorecard-vendor", id_kwarg="code")
def vendor(request, code: str):
    found = get_object_or_404(Vendor.objects.all(), code=code)
    first, last = _period(request)
    months = services.scorecard(found, first, last)
    by = request.GET.get("by", "coder")
    if by not in services.DRILL_DOWNS:
        by = "coder"
    from codingwatch.web.diligence.services import scorecard_findings

    return render(request, "scorecard/vendor.html", {
        "vendor": found, "months": months, "summary": services.summary(months), "first": first, "last": last,
        "by": by, "by_label": services.DRILL_DOWNS[by], "drill_downs": services.DRILL_DOWNS,
        "drill_rows": services.drill_down(found, first, last, by),
        "declared_findings": scorecard_findings(found, first, last),
    })


@require_GET
def vendor_json(request, code: str):
    """The same scorecard as JSON (every input of every state and credit); an export, recorded."""
    found = get_object_or_404(Vendor.objects.all(), code=code)
    first, last = _period(request)
    months = services.scorecard(found, first, last)
    record_access(request, action=AccessEvent.EXPORT, object_type="scorecard-vendor", object_id=found.code)
    body = json.dumps({"vendor": found.code, "from": first.isoformat(), "to": last.isoformat(),
                       "months": [m.as_dict() for m in months]}, indent=2, default=str)
    return HttpResponse(body, content_type="application/json")
