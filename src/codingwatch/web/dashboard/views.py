"""Dashboard, vendor and coder pages: thin views over codingwatch.lake.metrics."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from codingwatch import config
from codingwatch.lake.metrics import DIMENSIONS
from codingwatch.reports import charts
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access, records_view
from codingwatch.web.dashboard import saved_views
from codingwatch.web.dashboard.figures import (
    coverage_for,
    figures_for,
    parse_sort,
    sorted_rows,
    to_csv,
    totals_for,
)
from codingwatch.web.dashboard.models import SavedView
from codingwatch.web.figure_page import period_context, request_period, with_period
from codingwatch.web.lake_cache import chart_spec
from codingwatch.web.vendors.models import Coder, Vendor

DASHBOARD_SECTIONS = ("vendor", "specialty", "month")


def _scope_filters(request) -> dict:
    """The vendor/coder a table or export is limited to, checked against the vendor scope.

    The ORM's scoped managers answer: a vendor user naming another vendor's code or coder
    gets a 404, exactly as if it did not exist.
    """
    filters = {}
    vendor = request.GET.get("vendor")
    coder = request.GET.get("coder")
    if vendor:
        filters["vendor"] = get_object_or_404(Vendor.objects.all(), code=vendor).code
    if coder:
        found = get_object_or_404(Coder.objects.select_related("vendor"), login_id=coder)
        filters["coder"] = found.login_id
    return filters


def _section(request, by: str, *, filters: dict, sort_default: str = "key", links: dict | None = None) -> dict:
    if by not in DIMENSIONS:
        raise Http404("no such figure")
    period = request_period(request)
    figures = figures_for(request.user, by, period=period, **filters)
    sort_raw = request.GET.get("sort") if request.htmx else request.GET.get(f"sort_{by}")
    column, descending = parse_sort(sort_raw, sort_default)
    query = urlencode({**filters, **period.query()})
    return {
        "by": by,
        "label": DIMENSIONS[by],
        "rows": sorted_rows(figures.rows, column, descending),
        "chart": chart_spec("figures", [figures.rows, by], lambda: charts.figures_spec(figures.rows, DIMENSIONS[by], month=by == "month")),
        "sort_column": column,
        "sort_descending": descending,
        "query": query,
        "table_url": reverse("figures-table", args=[by]),
        "csv_url": reverse("figures-csv", args=[by]) + (f"?{query}" if query else ""),
        "links": {key: with_period(request, url) for key, url in (links or {}).items()},
        "total": figures.total_encounters,
    }


def _vendor_links(user) -> dict:
    return {vendor.code: reverse("vendor", args=[vendor.code]) for vendor in Vendor.objects.all()}


def _coder_links(vendor_codes=None) -> dict:
    coders = Coder.objects.all()
    if vendor_codes is not None:
        coders = coders.filter(vendor__code__in=vendor_codes)
    return {code: reverse("coder", args=[code]) for code in coders.values_list("login_id", flat=True)}


@require_GET
def dashboard(request):
    links = {"vendor": _vendor_links(request.user)}
    sections = [_section(request, by, filters={}, links=links.get(by)) for by in DASHBOARD_SECTIONS]
    return render(request, "dashboard/dashboard.html", {
        "sections": sections, "totals": totals_for(request.user, period=request_period(request)),
        **_period_context(request, {})})


def _period_context(request, filters: dict) -> dict:
    first, last = coverage_for(request.user, **filters)
    return period_context(request, first, last)


@require_GET
def figures_table(request, by: str):
    """The sortable table alone (htmx swaps it in place when a header is clicked)."""
    filters = _scope_filters(request)
    links = {}
    if by == "vendor":
        links = _vendor_links(request.user)
    elif by == "coder":
        links = _coder_links()
    section = _section(request, by, filters=filters, links=links)
    return render(request, "dashboard/_figures_table.html", {"section": section})


@require_GET
def figures_csv(request, by: str):
    """Export one table as CSV; every export is written to the access trail."""
    if by not in DIMENSIONS:
        raise Http404("no such figure")
    filters = _scope_filters(request)
    figures = figures_for(request.user, by, period=request_period(request), **filters)
    body = to_csv(figures.rows, DIMENSIONS[by])
    object_id = ",".join(f"{k}={v}" for k, v in sorted(filters.items()))
    record_access(request, action=AccessEvent.EXPORT, object_type=f"figures-by-{by}", object_id=object_id)
    name = "-".join(["codingwatch", by] + [v for _, v in sorted(filters.items())])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_GET
def vendor_list(request):
    vendors = Vendor.objects.all().order_by("name")
    section = _section(request, "vendor", filters={}, links=_vendor_links(request.user))
    by_code = {row["key"]: row for row in section["rows"]}
    return render(
        request, "dashboard/vendor_list.html",
        {"vendors": [(v, by_code.get(v.code)) for v in vendors], **_period_context(request, {})},
    )


@require_GET
@records_view("vendor", id_kwarg="code")
def vendor_detail(request, code: str):
    vendor = get_object_or_404(Vendor.objects.all(), code=code)
    filters = {"vendor": vendor.code}
    months = _section(request, "month", filters=filters)
    coders = _section(request, "coder", filters=filters, links=_coder_links([vendor.code]))
    contracts = vendor.contracts.prefetch_related("accuracy_slas", "turnaround_slas")
    return render(
        request, "dashboard/vendor_detail.html",
        {"vendor": vendor, "sections": [months, coders], "contracts": contracts,
         "roster": vendor.coders.all(), **_period_context(request, filters)},
    )


@require_GET
@records_view("coder", id_kwarg="login_id")
def coder_detail(request, login_id: str):
    coder = get_object_or_404(Coder.objects.select_related("vendor"), login_id=login_id)
    filters = {"vendor": coder.vendor.code, "coder": coder.login_id}
    months = _section(request, "month", filters=filters)
    assignments = coder.assignments.select_related("work_queue__facility")
    return render(
        request, "dashboard/coder_detail.html",
        {"coder": coder, "sections": [months], "assignments": assignments, **_period_context(request, filters)},
    )


# ---- saved views -----------------------------------------------------------------------------
def _figure_page(path: str) -> str:
    """The path of one of our pages (never another site's, never a URL with a host), else 404."""
    if not path.startswith("/") or not url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        raise Http404("no such page")
    try:
        resolve(path)
    except Resolver404:
        raise Http404("no such page") from None
    return path


@require_POST
def save_view(request):
    """Saves the page as the user sees it (its period and sorts) under a name, then returns to it;
    the same name on the same page replaces the earlier view. The view is checked as the API
    checks it (`saved_views.save`): what cannot be saved is said on the page, and nothing is saved."""
    page = _figure_page(request.POST.get("page", ""))
    query = request.POST.get("query", "")
    try:
        view, _ = saved_views.save(request.user, name=request.POST.get("name", ""), page=page, query=query)
    except saved_views.ViewError as exc:
        messages.error(request, f"The view was not saved: {exc}.")
        return redirect(page)
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(view.url)


@require_POST
def delete_view(request, pk: int):
    found = get_object_or_404(SavedView.objects.filter(user=request.user), pk=pk)
    found.delete()
    messages.success(request, f"Deleted the view “{found.name}”.")
    return redirect(found.page)


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed as one script, built by vl-convert (no CDN, no network).

    Building takes about a second, so the result is kept in memory and in the cache folder.
    """
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    path = config.cache_dir() / f"vega-bundle-{version}.js"
    if path.is_file():
        return path.read_text()
    bundle = vl_convert.javascript_bundle()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(bundle)
    tmp.replace(path)
    return bundle


@login_not_required  # a library script, public like any static file
@require_GET
def vega_bundle_js(request):
    response = HttpResponse(vega_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
