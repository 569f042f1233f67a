"""Denials pages: rates, reason codes, rework and recoveries; vendor -> coder -> claim."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from codingwatch.reports import charts
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access, records_view
from codingwatch.web.dashboard.figures import sorted_rows
from codingwatch.web.denials import services
from codingwatch.web.figure_page import period_context, request_period, with_period
from codingwatch.web.lake_cache import chart_spec
from codingwatch.web.paging import page_of
from codingwatch.web.vendors.models import Coder, Vendor

OVERVIEW_SECTIONS = ("vendor", "specialty", "payer", "month", "coder")


def _scope_filters(request) -> dict:
    """vendor/coder named in the query, checked against the vendor scope (404 outside it)."""
    filters = {}
    if request.GET.get("vendor"):
        filters["vendor"] = get_object_or_404(Vendor.objects.all(), code=request.GET["vendor"]).code
    if request.GET.get("coder"):
        filters["coder"] = get_object_or_404(Coder.objects.all(), login_id=request.GET["coder"]).login_id
    return filters


def _links(by: str, vendor_codes=None) -> dict:
    if by == "vendor":
        return {v.code: reverse("denials-vendor", args=[v.code]) for v in Vendor.objects.all()}
    if by == "coder":
        coders = Coder.objects.all()
        if vendor_codes is not None:
            coders = coders.filter(vendor__code__in=vendor_codes)
        return {c: reverse("denials-coder", args=[c]) for c in coders.values_list("login_id", flat=True)}
    return {}


def _section(request, by: str, *, filters: dict, links: dict | None = None) -> dict:
    if by not in services.DIMENSIONS:
        raise Http404("no such breakdown")
    period = request_period(request)
    rows = services.rates(request.user, by, period=period, **filters)
    sort_raw = request.GET.get("sort") if request.htmx else request.GET.get(f"sort_{by}")
    column, descending = services.parse_sort(sort_raw)
    query = urlencode({**filters, **period.query()})
    label = services.DIMENSIONS[by][1]
    return {
        "by": by, "label": label, "rows": sorted_rows(rows, column, descending),
        "chart": chart_spec("denials.rates", [rows, label, by == "month"],
                            lambda: charts.denial_rates_spec(rows, label, month=by == "month")),
        "sort_column": column, "sort_descending": descending, "query": query,
        "table_url": reverse("denials-table", args=[by]),
        "csv_url": reverse("denials-csv", args=[by]) + (f"?{query}" if query else ""),
        "links": {key: with_period(request, url) for key, url in (links or {}).items()},
    }


def _pareto(request, filters: dict) -> dict:
    period = request_period(request)
    rows = services.pareto(request.user, period=period, **filters)
    query = urlencode({**filters, **period.query()})
    return {"rows": rows, "chart": chart_spec("denials.pareto", rows, lambda: charts.denial_reasons_spec(rows)),
            "csv_url": reverse("denials-carcs-csv") + (f"?{query}" if query else "")}


@require_GET
def overview(request):
    sections = [_section(request, by, filters={}, links=_links(by)) for by in OVERVIEW_SECTIONS]
    return render(request, "denials/overview.html", {
        "summary": services.summary(request.user, period=request_period(request)), "sections": sections,
        "pareto": _pareto(request, {}), **_period_context(request, {}),
    })


def _period_context(request, filters: dict) -> dict:
    first, last = services.coverage(request.user, **filters)
    return period_context(request, first, last)


@require_GET
def table(request, by: str):
    """The sortable table alone (htmx swaps it in place when a header is clicked)."""
    filters = _scope_filters(request)
    section = _section(request, by, filters=filters, links=_links(by, [filters["vendor"]] if "vendor" in filters else None))
    return render(request, "denials/_rates_table.html", {"section": section})


def _csv_response(request, body: str, object_type: str, filters: dict, name: str) -> HttpResponse:
    object_id = ",".join(f"{k}={v}" for k, v in sorted(filters.items()))
    record_access(request, action=AccessEvent.EXPORT, object_type=object_type, object_id=object_id)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = "-".join(["codingwatch", name] + [v for _, v in sorted(filters.items())])
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


@require_GET
def rates_csv(request, by: str):
    """Export one breakdown as CSV; every export is written to the access trail."""
    if by not in services.DIMENSIONS:
        raise Http404("no such breakdown")
    filters = _scope_filters(request)
    body = services.rates_csv(services.rates(request.user, by, period=request_period(request), **filters), by)
    return _csv_response(request, body, f"denials-by-{by}", filters, f"denials-{by}")


@require_GET
def carcs_csv(request):
    filters = _scope_filters(request)
    body = services.pareto_csv(services.pareto(request.user, period=request_period(request), **filters))
    return _csv_response(request, body, "denials-carcs", filters, "denials-carcs")


@require_GET
@records_view("denials-vendor", id_kwarg="code")
def vendor(request, code: str):
    found = get_object_or_404(Vendor.objects.all(), code=code)
    filters = {"vendor": found.code}
    sections = [_section(request, "coder", filters=filters, links=_links("coder", [found.code])),
                _section(request, "month", filters=filters), _section(request, "payer", filters=filters)]
    return render(request, "denials/vendor.html", {
        "vendor": found, "summary": services.summary(request.user, period=request_period(request), **filters),
        "sections": sections, "pareto": _pareto(request, filters), **_period_context(request, filters),
    })


@require_GET
@records_view("denials-coder", id_kwarg="login_id")
def coder(request, login_id: str):
    found = get_object_or_404(Coder.objects.select_related("vendor"), login_id=login_id)
    filters = {"vendor": found.vendor.code, "coder": found.login_id}
    period = request_period(request)
    total = services.denied_claims_page(request.user, period=period, limit=1, **filters)["total"]
    paging = page_of(request, total)
    claims = services.denied_claims_page(request.user, period=period, offset=paging["offset"],
                                         limit=paging["limit"], **filters)["rows"]
    return render(request, "denials/coder.html", {
        "coder": found, "summary": services.summary(request.user, period=period, **filters),
        "sections": [_section(request, "month", filters=filters)], "pareto": _pareto(request, filters),
        "claims": claims, "paging": paging, **_period_context(request, filters),
    })


@require_GET
def claim(request, load_id: str, claim_row: int):
    """A chart-level page: its encounter and codes; every view is written to the access trail."""
    found = services.claim(request.user, load_id, claim_row)
    if found is None:
        raise Http404("no such claim")
    record_access(request, action=AccessEvent.VIEW, object_type="denials-claim", object_id=f"{load_id}/{claim_row}")
    return render(request, "denials/claim.html", {"claim": found})
