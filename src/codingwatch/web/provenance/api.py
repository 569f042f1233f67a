"""REST endpoints of the provenance module (mounted under /api/provenance/): the alerts queue,
its actions and the per-vendor summary. Same roles as the pages: compliance and admin work
the queue, every staff role reads the summary; vendor users get 404 on every endpoint."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from codingwatch.web.accounts.access import check_module
from codingwatch.web.accounts.models import AccessEvent, User
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.dashboard.figures import visible_vendors
from codingwatch.web.paging import Limit, Offset
from codingwatch.web.provenance import services
from codingwatch.web.provenance.models import ProvenanceAlert, Suppression
from codingwatch.web.provenance.views import MODULE, SUMMARY, filtered_alerts

router = Router(tags=["provenance"])


def _guard(request, module: str = MODULE, *, change: bool = False) -> None:
    try:
        check_module(request, module, change=change)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


class AlertOut(Schema):
    id: int
    rule: str
    severity: str
    login: str
    vendor: str
    window_start: dt.datetime
    window_end: dt.datetime
    event_count: int
    detail: str
    status: str
    assigned_to: str | None
    resolution: str
    countries: list[str]
    devices: list[str]


class CommentOut(Schema):
    author: str
    text: str
    created_at: dt.datetime


class AlertDetailOut(AlertOut):
    evidence: list[str]
    events: list[dict]
    charts: dict
    comments: list[CommentOut]


class AlertPage(Schema):
    count: int
    offset: int
    alerts: list[AlertOut]


class AssignIn(Schema):
    assignee: str | None = None  # a user name, "me", or null to unassign


class CommentIn(Schema):
    text: str


class ResolveIn(Schema):
    reason: str
    false_positive: bool = False
    country: str = ""
    device: str = ""


class SuppressionOut(Schema):
    id: int
    rule: str
    login: str
    country: str
    device: str
    reason: str
    created_by: str
    created_at: dt.datetime
    source_alert: int | None
    active: bool


def _alert(a: ProvenanceAlert) -> dict:
    return {"id": a.pk, "rule": a.rule, "severity": a.severity, "login": a.login, "vendor": a.vendor_code,
            "window_start": a.window_start, "window_end": a.window_end, "event_count": a.event_count,
            "detail": a.detail, "status": a.status, "assigned_to": a.assigned_to.get_username() if a.assigned_to else None,
            "resolution": a.resolution, "countries": a.countries, "devices": a.devices}


def _detail(request, a: ProvenanceAlert) -> dict:
    events = services.evidence_events(a)
    for e in events:
        e["occurred_at"] = e["occurred_at"].isoformat()
    return {**_alert(a), "evidence": a.evidence, "events": events, "charts": a.charts,
            "comments": [{"author": c.author.get_username(), "text": c.text, "created_at": c.created_at}
                         for c in a.comments.select_related("author")]}


def _act(call):
    try:
        return call()
    except services.ActionError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/alerts", response=AlertPage, summary="The alerts queue, filtered and sorted as on the page")
def alerts(request, rule: str = "", severity: str = "", vendor: str = "", status: str = "open",
           assigned: str = "", sort: str = "severity", offset: Offset = 0, limit: Limit = 100):
    """`status`: open (default), resolved, false_positive, suppressed or all; `assigned`: me, nobody or a
    user name; `sort`: window_start, severity, rule, vendor, login, status or events (`-` first: descending)."""
    _guard(request)
    params = {"rule": rule, "severity": severity, "vendor": vendor, "status": status, "assigned": assigned,
              "sort": sort}
    found, _ = filtered_alerts(params, request.user)
    body = {"count": found.count(), "offset": offset, "alerts": [_alert(a) for a in found[offset:offset + limit]]}
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-alerts")
    return body


@router.get("/alerts/{alert_id}", response=AlertDetailOut, summary="One alert with its evidence events and charts")
def alert(request, alert_id: int):
    _guard(request)
    a = get_object_or_404(ProvenanceAlert, pk=alert_id)
    body = _detail(request, a)
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-alert", object_id=str(a.pk))
    return body


def _assignee(request, name: str | None):
    """The user an alert or a case is assigned to: "me", nobody (empty), or a user of the
    requester's organization by name (422 when there is none)."""
    if not name:
        return None
    if name == "me":
        return request.user
    found = User.objects.filter(username=name, organization=request.user.organization_id).first()
    if found is None:
        raise HttpError(422, f"no user {name!r}")
    return found


@router.post("/alerts/{alert_id}/assign", response=AlertOut, summary="Assign the alert to a user (or unassign)")
def assign(request, alert_id: int, body: AssignIn):
    _guard(request, change=True)
    a = get_object_or_404(ProvenanceAlert, pk=alert_id)
    assignee = _assignee(request, body.assignee)
    body = _alert(_act(lambda: services.assign(a, assignee)))
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-alert", object_id=str(a.pk))
    return body


@router.post("/alerts/{alert_id}/comments", response={201: CommentOut}, summary="Comment on the alert")
def add_comment(request, alert_id: int, body: CommentIn):
    _guard(request, change=True)
    a = get_object_or_404(ProvenanceAlert, pk=alert_id)
    c = _act(lambda: services.comment(a, request.user, body.text))
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-alert", object_id=str(a.pk))
    return Status(201, {"author": c.author.get_username(), "text": c.text, "created_at": c.created_at})


@router.post("/alerts/{alert_id}/resolve", response=AlertOut,
             summary="Resolve with a reason; a false positive also writes a suppression rule")
def resolve(request, alert_id: int, body: ResolveIn):
    _guard(request, change=True)
    a = get_object_or_404(ProvenanceAlert, pk=alert_id)
    _act(lambda: services.resolve(a, request.user, reason=body.reason, false_positive=body.false_positive,
                                  country=body.country, device=body.device))
    a.refresh_from_db()
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-alert", object_id=str(a.pk))
    return _alert(a)


@router.get("/suppressions", response=list[SuppressionOut], summary="The suppression rules (false positives fed back)")
def suppressions(request):
    _guard(request)
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-suppressions")
    return [{"id": s.pk, "rule": s.rule, "login": s.login, "country": s.country, "device": s.device,
             "reason": s.reason, "created_by": s.created_by.get_username(), "created_at": s.created_at,
             "source_alert": s.source_alert_id, "active": s.active}
            for s in Suppression.objects.select_related("created_by")]


@router.get("/summary", response=list[dict], summary="Per-vendor provenance summary for the quarterly review")
def summary(request, vendor: str = "", start: dt.date | None = None, end: dt.date | None = None):
    """Per vendor: logins, charts reached and events, with shares by country of access, by verified
    credential and by login-sharing status, and `contract`: whether its work broke the contract's countries."""
    from codingwatch.web.provenance.breaches import contract_statement
    from codingwatch.web.vendors.models import Vendor

    _guard(request, SUMMARY)
    sections = services.vendor_summary(vendor or None, start=start, end=end, vendors=visible_vendors(request.user))
    by_code = {v.code: v for v in Vendor.objects.all()}
    for section in sections:  # `contract`: whether the work stayed in the contract's countries, in words
        section["contract"] = contract_statement(section, by_code.get(section["vendor"]))
    return sections


# Alert cases: the alerts of one rule, login (or vendor) and episode, triaged together.
class CaseOut(Schema):
    id: int
    rule: str
    rule_label: str
    severity: str
    priority: int
    login: str
    vendor: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    alert_count: int
    event_count: int
    countries: list[str]
    detail: str
    status: str
    assigned_to: str | None
    resolution: str


class CaseDetailOut(CaseOut):
    alerts: list[AlertOut]
    events: list[dict]


class CasePage(Schema):
    count: int
    offset: int
    cases: list[CaseOut]


class CaseResolveIn(Schema):
    reason: str
    suppress: bool = False


def _case(c) -> dict:
    return {"id": c.pk, "rule": c.rule, "rule_label": c.rule_label, "severity": c.severity, "priority": c.priority,
            "login": c.login, "vendor": c.vendor_code, "first_seen": c.first_seen, "last_seen": c.last_seen,
            "alert_count": c.alert_count, "event_count": c.event_count, "countries": c.countries, "detail": c.detail,
            "status": c.status, "assigned_to": c.assigned_to.get_username() if c.assigned_to else None,
            "resolution": c.resolution}


def _case_act(call):
    from codingwatch.web.provenance.cases import CaseError

    try:
        return call()
    except CaseError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/cases", response=CasePage, summary="The alert cases, most urgent first")
def case_list(request, rule: str = "", severity: str = "", vendor: str = "", status: str = "open",
              assigned: str = "", sort: str = "priority", offset: Offset = 0, limit: Limit = 100):
    """Filters as the alerts queue's; `sort`: priority (default), last_seen, first_seen, rule, vendor,
    login, alerts, events or status (`-` first: descending)."""
    from codingwatch.web.provenance.case_views import filtered_cases

    _guard(request)
    params = {"rule": rule, "severity": severity, "vendor": vendor, "status": status, "assigned": assigned,
              "sort": sort}
    found, _ = filtered_cases(params, request.user)
    body = {"count": found.count(), "offset": offset, "cases": [_case(c) for c in found[offset:offset + limit]]}
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-cases")
    return body


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case with its alerts and evidence events")
def case_detail(request, case_id: int):
    from types import SimpleNamespace

    from codingwatch.web.provenance.cases import evidence_ids
    from codingwatch.web.provenance.models import AlertCase

    _guard(request)
    c = get_object_or_404(AlertCase, pk=case_id)
    events = services.evidence_events(SimpleNamespace(evidence=evidence_ids(c)))
    for e in events:
        e["occurred_at"] = e["occurred_at"].isoformat()
    body = {**_case(c), "alerts": [_alert(a) for a in c.alerts.order_by("window_start", "pk")], "events": events}
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-case", object_id=str(c.pk))
    return body


@router.post("/cases/{case_id}/assign", response=CaseOut, summary="Assign the case (and its open alerts)")
def case_assign(request, case_id: int, body: AssignIn):
    from codingwatch.web.provenance import cases
    from codingwatch.web.provenance.models import AlertCase

    _guard(request, change=True)
    c = get_object_or_404(AlertCase, pk=case_id)
    assignee = _assignee(request, body.assignee)
    out = _case(_case_act(lambda: cases.assign(c, assignee)))
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-case", object_id=str(c.pk))
    return out


@router.post("/cases/{case_id}/resolve", response=CaseOut,
             summary="Resolve the case and its open alerts; suppress: a false positive, later alerts silenced")
def case_resolve(request, case_id: int, body: CaseResolveIn):
    from codingwatch.web.provenance import cases
    from codingwatch.web.provenance.models import AlertCase

    _guard(request, change=True)
    c = get_object_or_404(AlertCase, pk=case_id)
    _case_act(lambda: cases.resolve(c, request.user, reason=body.reason, suppress=body.suppress))
    c.refresh_from_db()
    record_access(request, action=AccessEvent.VIEW, object_type="provenance-case", object_id=str(c.pk))
    return _case(c)
