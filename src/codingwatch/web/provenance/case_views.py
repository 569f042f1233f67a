"""The alert cases queue and a case's page (compliance, admin): triage acts on cases.

Same rules as the alerts' pages: vendor users get 404, staff roles outside the module 403;
the queue and a case's page are chart-level (each view writes a trail row); the triage steps
redirect to the page they act on.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from codingwatch.web import lake_cache
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.access import module_view
from codingwatch.web.accounts.models import User
from codingwatch.web.accounts.trail import records_view
from codingwatch.web.provenance import cases as case_service
from codingwatch.web.provenance import services
from codingwatch.web.provenance.models import AlertCase, Scan
from codingwatch.web.provenance.words import RULE_LABELS, column_label, rule_label

MODULE = "provenance"
FILTERS = ("rule", "severity", "vendor", "status", "assigned")
SORTS = {"priority": "priority", "last_seen": "last_seen", "first_seen": "first_seen", "rule": "rule",
         "vendor": "vendor_code", "login": "login", "alerts": "alert_count", "events": "event_count",
         "status": "status"}
PAGE_SIZE = 50


def filtered_cases(params, user):
    """Cases by the queue's filters (as the alerts queue's: rule, severity, vendor, status
    default open or `all`, assigned me/nobody/a user name); sorted by priority unless asked."""
    found = AlertCase.objects.select_related("assigned_to")
    status = params.get("status") or AlertCase.OPEN
    if status != "all":
        found = found.filter(status=status)
    for name, field in (("rule", "rule"), ("severity", "severity"), ("vendor", "vendor_code")):
        if params.get(name):
            found = found.filter(**{field: params[name]})
    assigned = params.get("assigned")
    if assigned == "me":
        found = found.filter(assigned_to=user)
    elif assigned == "nobody":
        found = found.filter(assigned_to__isnull=True)
    elif assigned:
        found = found.filter(assigned_to__username=assigned)
    sort = params.get("sort") or "priority"
    column = SORTS.get(sort.lstrip("-"), "priority")
    order = f"-{column}" if sort.startswith("-") else column
    return found.order_by(order, "priority", "-last_seen", "pk"), sort


def _workers(user):
    return User.objects.filter(role__in=sorted(roles.MODULES[MODULE][1]), is_active=True,
                               organization=user.organization_id).order_by("username")


@require_GET
@module_view(MODULE)
@records_view("provenance-cases")
def case_queue(request):
    found, sort = filtered_cases(request.GET, request.user)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = {k: request.GET[k] for k in FILTERS if request.GET.get(k)}
    values = AlertCase.objects.order_by()
    choices = {"rules": [(r, rule_label(r)) for r in sorted(set(values.values_list("rule", flat=True)))],
               "vendors": sorted(set(values.values_list("vendor_code", flat=True)) - {""}),
               "severities": ["high", "medium", "low"],
               "statuses": [*AlertCase.STATUS_CHOICES, ("all", "all")]}
    return render(request, "provenance/cases.html", {
        "page": page, "filters": keep, "sort": sort, "choices": choices,
        "query": urlencode({**keep, "sort": sort}), "filter_query": urlencode(keep),
        "columns": [(c, "severity" if c == "priority" else column_label(c)) for c in SORTS], "last_scan": Scan.objects.first(),
        "may_change": roles.may_change(request.user.role, MODULE), "workers": _workers(request.user),
    })


@require_GET
@module_view(MODULE)
@records_view("provenance-case", "pk")
def case_detail(request, pk: int):
    case = get_object_or_404(AlertCase.objects.select_related("assigned_to", "resolved_by"), pk=pk)
    alerts = list(case.alerts.order_by("window_start", "pk"))
    evidence = case_service.evidence_ids(case)
    events = services.evidence_events(SimpleNamespace(evidence=evidence))
    # a takeover alert's charts: each signal that moved, with the change date
    charts = [{"id": f"chart-{a.pk}-{name}", "spec_id": f"chart-{a.pk}-{name}-spec",
               "title": name.replace("_", " "), "spec": spec}
              for a in alerts for name, spec in sorted((a.charts or {}).items())]
    return render(request, "provenance/case.html", {
        "case": case, "alerts": alerts, "events": events, "charts": charts, "workers": _workers(request.user),
        "may_change": roles.may_change(request.user.role, MODULE), "rule_labels": RULE_LABELS,
        # the evidence table (up to 500 rows) is drawn once per load and set of evidence events
        "evidence_key": lake_cache.fragment_key("provenance-case-evidence", evidence),
    })


def _assignee(request, name: str):
    if not name:
        return None
    user = (request.user if name == "me"
            else User.objects.filter(username=name, organization=request.user.organization_id).first())
    if user is None:
        raise case_service.CaseError(f"no user {name!r}")
    return user


@require_POST
@module_view(MODULE, change=True)
def case_assign(request, pk: int):
    case = get_object_or_404(AlertCase, pk=pk)
    try:
        assignee = _assignee(request, request.POST.get("assignee", ""))
        case_service.assign(case, assignee)
        messages.success(request, f"assigned to {assignee.get_username()}" if assignee else "unassigned")
    except case_service.CaseError as exc:
        messages.error(request, str(exc))
    return redirect("provenance-case", pk=case.pk)


@require_POST
@module_view(MODULE, change=True)
def case_resolve(request, pk: int):
    case = get_object_or_404(AlertCase, pk=pk)
    suppress = request.POST.get("outcome") == "suppress"
    try:
        rule = case_service.resolve(case, request.user, reason=request.POST.get("reason", ""), suppress=suppress)
        messages.success(request, f"suppressed: later alerts matching {rule} are silenced" if rule else "resolved")
    except case_service.CaseError as exc:
        messages.error(request, str(exc))
    return redirect("provenance-case", pk=case.pk)


@require_POST
@module_view(MODULE, change=True)
def case_bulk(request):
    """The queue's bulk step on the ticked cases: assign, resolve or suppress."""
    ids = [int(x) for x in request.POST.getlist("case") if x.isdigit()]
    chosen = list(AlertCase.objects.filter(pk__in=ids).order_by("pk"))
    action = request.POST.get("action", "")
    back = request.POST.get("next", "")
    target = redirect(f"{redirect('provenance-cases').url}{'?' + back if back else ''}")
    if not chosen:
        messages.error(request, "tick at least one case")
        return target
    if action == "assign":
        try:
            assignee = _assignee(request, request.POST.get("assignee", ""))
            for case in chosen:
                case_service.assign(case, assignee)
            messages.success(request, f"{len(chosen)} case(s) assigned to "
                             f"{assignee.get_username() if assignee else 'nobody'}")
        except case_service.CaseError as exc:
            messages.error(request, str(exc))
    elif action in ("resolve", "suppress"):
        done, problems = case_service.resolve_many(chosen, request.user, reason=request.POST.get("reason", ""),
                                                   suppress=action == "suppress")
        if done:
            messages.success(request, f"{done} case(s) {'suppressed' if action == 'suppress' else 'resolved'}")
        for problem in problems:
            messages.error(request, problem)
    else:
        messages.error(request, "choose assign, resolve or suppress")
    return target
