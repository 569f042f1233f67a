"""The provenance pages: the alerts queue and evidence pages (compliance, admin) and the
per-vendor summary for the quarterly review (every staff role). Vendor users get 404 on all."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from codingwatch.spreadsheet import csv_writer
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.access import module_view
from codingwatch.web.accounts.models import AccessEvent, User
from codingwatch.web.accounts.trail import record_access, records_view
from codingwatch.web.dashboard.figures import visible_vendors
from codingwatch.web.provenance import services
from codingwatch.web.provenance.models import ProvenanceAlert, Scan, Suppression
from codingwatch.web.provenance.words import column_label, rule_label

MODULE = "provenance"
SUMMARY = "provenance_summary"
FILTERS = ("rule", "severity", "vendor", "status", "assigned")
SORTS = {"window_start": "window_start", "severity": "severity_rank", "rule": "rule", "vendor": "vendor_code",
         "login": "login", "status": "status", "events": "event_count"}
PAGE_SIZE = 50


def filtered_alerts(params, user):
    """Alerts by the queue's filters: rule, severity, vendor (code), status (default open; `all`),
    assigned (`me`, `nobody` or a user name); sort by a column, `-` first for descending."""
    alerts = ProvenanceAlert.objects.select_related("assigned_to")
    status = params.get("status") or ProvenanceAlert.OPEN
    if status != "all":
        alerts = alerts.filter(status=status)
    for name, field in (("rule", "rule"), ("severity", "severity"), ("vendor", "vendor_code")):
        if params.get(name):
            alerts = alerts.filter(**{field: params[name]})
    assigned = params.get("assigned")
    if assigned == "me":
        alerts = alerts.filter(assigned_to=user)
    elif assigned == "nobody":
        alerts = alerts.filter(assigned_to__isnull=True)
    elif assigned:
        alerts = alerts.filter(assigned_to__username=assigned)
    sort = params.get("sort") or "severity"
    column = SORTS.get(sort.lstrip("-"), "severity_rank")
    order = f"-{column}" if sort.startswith("-") else column
    return alerts.order_by(order, "-window_start", "pk"), sort


def _choices():
    values = ProvenanceAlert.objects.order_by()
    return {"rules": [(r, rule_label(r)) for r in sorted(set(values.values_list("rule", flat=True)))],
            "vendors": sorted(set(values.values_list("vendor_code", flat=True)) - {""}),
            "severities": ["high", "medium", "low"],
            "statuses": [c for c, _ in ProvenanceAlert.STATUS_CHOICES] + ["all"]}


@require_GET
@module_view(MODULE)
@records_view("provenance-alerts")
def queue(request):
    alerts, sort = filtered_alerts(request.GET, request.user)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = {k: request.GET[k] for k in FILTERS if request.GET.get(k)}
    return render(request, "provenance/queue.html", {
        "page": page, "filters": keep, "sort": sort, "choices": _choices(),
        "query": urlencode({**keep, "sort": sort}), "filter_query": urlencode(keep),
        "last_scan": Scan.objects.first(), "columns": [(c, column_label(c)) for c in SORTS],
    })


@require_GET
@module_view(MODULE)
def queue_csv(request):
    alerts, _ = filtered_alerts(request.GET, request.user)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="provenance-alerts.csv"'
    writer = csv_writer(response)
    writer.writerow(["id", "rule", "severity", "login", "vendor", "window_start", "window_end", "event_count",
                     "status", "assigned_to", "detail"])
    for a in alerts:
        writer.writerow([a.pk, a.rule, a.severity, a.login, a.vendor_code, a.window_start.isoformat(),
                         a.window_end.isoformat(), a.event_count, a.status,
                         a.assigned_to.get_username() if a.assigned_to else "", a.detail])
    record_access(request, action=AccessEvent.EXPORT, object_type="provenance-alerts")
    return response


@require_GET
@module_view(MODULE)
@records_view("provenance-alert", "pk")
def alert_detail(request, pk: int):
    alert = get_object_or_404(ProvenanceAlert.objects.select_related("assigned_to", "resolved_by", "suppressed_by"),
                              pk=pk)
    events = services.evidence_events(alert)
    charts = [{"id": f"chart-{name}", "spec_id": f"chart-{name}-spec", "title": name.replace("_", " "), "spec": spec}
              for name, spec in sorted(alert.charts.items())]
    timeline = services.evidence_chart(alert, events)
    if timeline:
        charts.insert(0, {"id": "chart-evidence", "spec_id": "chart-evidence-spec", "title": "evidence",
                          "spec": timeline})
    workers = User.objects.filter(role__in=sorted(roles.MODULES[MODULE][1]), is_active=True,
                                  organization=request.user.organization_id).order_by("username")
    return render(request, "provenance/alert.html", {
        "alert": alert, "events": events, "charts": charts, "comments": alert.comments.select_related("author"),
        "workers": workers, "may_change": roles.may_change(request.user.role, MODULE),
    })


def _act(request, pk: int, action):
    alert = get_object_or_404(ProvenanceAlert, pk=pk)
    try:
        action(alert)
    except services.ActionError as exc:
        messages.error(request, str(exc))
    return redirect("provenance-alert", pk=alert.pk)


@require_POST
@module_view(MODULE, change=True)
def alert_assign(request, pk: int):
    def act(alert):
        name = request.POST.get("assignee", "")
        assignee = (request.user if name == "me" else None if not name
                    else User.objects.filter(username=name, organization=request.user.organization_id).first())
        if name and assignee is None:
            raise services.ActionError(f"no user {name!r}")
        services.assign(alert, assignee)
        messages.success(request, f"assigned to {assignee.get_username()}" if assignee else "unassigned")

    return _act(request, pk, act)


@require_POST
@module_view(MODULE, change=True)
def alert_comment(request, pk: int):
    return _act(request, pk, lambda alert: services.comment(alert, request.user, request.POST.get("text", "")))


@require_POST
@module_view(MODULE, change=True)
def alert_resolve(request, pk: int):
    def act(alert):
        fp = request.POST.get("outcome") == ProvenanceAlert.FALSE_POSITIVE
        rule = services.resolve(alert, request.user, reason=request.POST.get("reason", ""), false_positive=fp,
                                country=request.POST.get("country", ""), device=request.POST.get("device", ""))
        messages.success(request, f"marked a false positive; later alerts matching {rule} are suppressed"
                         if rule else "resolved")

    return _act(request, pk, act)


@require_GET
@module_view(MODULE)
@records_view("provenance-suppressions")
def suppressions(request):
    return render(request, "provenance/suppressions.html",
                  {"rules": Suppression.objects.select_related("created_by", "source_alert")})


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise services.ActionError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


@require_GET
@module_view(SUMMARY)
def summary(request):
    error, sections = None, []
    try:
        start, end = _date(request.GET.get("start"), "start"), _date(request.GET.get("end"), "end")
        sections = services.vendor_summary(request.GET.get("vendor") or None, start=start, end=end,
                                           vendors=visible_vendors(request.user))
    except services.ActionError as exc:
        error = str(exc)
    from codingwatch.web.provenance.breaches import contract_statement
    from codingwatch.web.vendors.models import Vendor

    vendors = list(Vendor.objects.order_by("name"))  # the organization's (staff only: vendor users get 404)
    by_code = {v.code: v for v in vendors}
    for i, section in enumerate(sections):
        section["chart"] = services.summary_chart(section)
        section["chart_id"] = f"chart-summary-{i}"
        section["contract"] = contract_statement(section, by_code.get(section["vendor"]))
    return render(request, "provenance/summary.html",
                  {"sections": sections, "error": error, "form": request.GET, "vendors": vendors})
