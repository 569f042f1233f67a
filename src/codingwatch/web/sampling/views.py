"""The sampling page for auditors: RAT-STATS random numbers and appraisals over codingwatch.sampling.

Draws and attribute appraisals are reads (GET: the URL itself reproduces the result);
a variable appraisal uploads a values file (POST). Downloads are exports, written to the
access trail.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from codingwatch.sampling import export
from codingwatch.web.accounts.access import module_view
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.sampling import services

MODULE = "sampling"
DRAW_FIELDS = ("seed", "count", "spares", "low", "high", "audit_name")
LEVELS = ("80", "90", "95")


def _attribute_rows(result) -> list[dict]:
    return [{"level": level, "lower": low, "upper": high, "lower_rate": low / result.universe,
             "upper_rate": high / result.universe} for level, (low, high) in result.limits.items()]


@require_http_methods(["GET", "POST"])
@module_view(MODULE)
def sampling_page(request):
    context: dict = {"form": request.GET, "max_numbers": f"{services.MAX_WEB_NUMBERS:,}"}
    if request.GET.get("run") == "random":
        try:
            draw = services.draw(request.GET)
            query = urlencode({k: request.GET.get(k, "") for k in DRAW_FIELDS})
            context["draw"] = {
                "header": export.draw_header(draw, "Single Stage Random Numbers"),
                "sample": draw.sample[: services.MAX_PAGE_ROWS],
                "spares": draw.spare_rows[: services.MAX_PAGE_ROWS],
                "truncated": draw.count + draw.spares > services.MAX_PAGE_ROWS,
                "csv_url": f"{reverse('sampling-random-download', args=['csv'])}?{query}",
                "xlsx_url": f"{reverse('sampling-random-download', args=['xlsx'])}?{query}",
            }
        except services.SamplingInputError as exc:
            context["draw_error"] = str(exc)
    if request.GET.get("run") == "attribute":
        try:
            result = services.attribute(request.GET)
            query = urlencode({k: request.GET.get(k, "") for k in ("universe", "sample", "hits")})
            context["attribute"] = {
                "result": result, "rows": _attribute_rows(result),
                "point": float(result.point_estimate), "rate": float(result.rate),
                "csv_url": f"{reverse('sampling-attribute-download', args=['csv'])}?{query}",
                "xlsx_url": f"{reverse('sampling-attribute-download', args=['xlsx'])}?{query}",
            }
        except services.SamplingInputError as exc:
            context["attribute_error"] = str(exc)
    if request.method == "POST":
        context["variable_form"] = request.POST
        try:
            results, rows = services.variable(request.POST, request.FILES.get("values"))
            context["variable"] = {"rows": rows, "columns": [
                dict(result.as_dict(), name=name) for name, result in results.items()]}
        except services.SamplingInputError as exc:
            context["variable_error"] = str(exc)
    return render(request, "sampling/sampling.html", context)


@require_GET
@module_view(MODULE)
def random_download(request, fmt: str):
    """The draw as CSV (kind,order,value, as `codingwatch sample random --format csv`) or XLSX laid
    out like RAT-STATS' output file."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("no such format")
    try:
        draw = services.draw(request.GET)
    except services.SamplingInputError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    object_id = f"seed={draw.seed} count={draw.count} spares={draw.spares} frame={draw.low}..{draw.high}"
    record_access(request, action=AccessEvent.EXPORT, object_type=f"random-numbers-{fmt}", object_id=object_id)
    name = f"random-numbers-{draw.seed}"
    if fmt == "csv":
        response = HttpResponse(export.draw_csv(draw), content_type="text/csv; charset=utf-8")
    else:
        response = _xlsx_response(lambda path: export.draw_xlsx(draw, path))
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _xlsx_response(write) -> HttpResponse:
    with tempfile.TemporaryDirectory(prefix="codingwatch-export-") as folder:
        path = Path(folder) / "export.xlsx"
        write(path)
        body = path.read_bytes()
    return HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@require_GET
@module_view(MODULE)
def attribute_download(request, fmt: str):
    """The attribute appraisal as CSV (as `codingwatch appraise attribute --format csv`) or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("no such format")
    try:
        result = services.attribute(request.GET)
    except services.SamplingInputError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    object_id = f"universe={result.universe} sample={result.sample} hits={result.hits}"
    record_access(request, action=AccessEvent.EXPORT, object_type=f"attribute-appraisal-{fmt}", object_id=object_id)
    if fmt == "csv":
        response = HttpResponse(export.attribute_csv(result), content_type="text/csv; charset=utf-8")
    else:
        response = _xlsx_response(lambda path: export.attribute_xlsx(result, path))
    response["Content-Disposition"] = (
        f'attachment; filename="attribute-appraisal-{result.universe}-{result.sample}-{result.hits}.{fmt}"')
    return response
