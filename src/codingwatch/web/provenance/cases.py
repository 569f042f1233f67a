"""Alert cases: the alerts of one rule on one login (or vendor) in one episode, worked together.

A rule that fires every day a coder works from a forbidden country would fill the queue with
one row per login per day; the compliance officer decides once per episode. `group_alerts()`
puts every alert not yet in a case into one: the open case of its rule, organization and login
(the vendor when the alert names no login) whose last alert ended less than EPISODE_GAP
before this one began; else a new case. A suppressed alert goes to a suppressed case the same
way, so the open queue holds only what needs a person. Grouping is idempotent: the scan runs
it after storing its alerts, and running it again finds nothing left to group.

Triage on a case acts on its open alerts through the same rules as on one alert: one reason,
who and when on every alert; a false positive writes one suppression rule (rule + login) that
silences later matching alerts, and later alerts of a suppressed case's episode join it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from codingwatch.web.provenance.models import AlertCase, ProvenanceAlert, Suppression
from codingwatch.web.provenance.words import priority

# A week without an alert ends an episode: a coder's weekend off does not split one.
EPISODE_GAP = dt.timedelta(days=7)

_OPEN_LIKE = {ProvenanceAlert.OPEN: AlertCase.OPEN, ProvenanceAlert.SUPPRESSED: AlertCase.SUPPRESSED}


class CaseError(ValueError):
    """A case action that cannot be done (the message says why)."""


def _who(alert) -> tuple[str, str]:
    return (alert.login or "", "" if alert.login else (alert.vendor_code or ""))


@scopes_disabled()
def group_alerts(alert_model=None, case_model=None) -> list[AlertCase]:
    """Put every alert not in a case into one; returns the cases created (for notifications).
    The models are the app's own unless a data migration passes its historical ones."""
    alert_model, case_model = alert_model or ProvenanceAlert, case_model or AlertCase
    created: list[AlertCase] = []
    touched: dict[int, AlertCase] = {}
    with transaction.atomic():
        # Locked: of two scans grouping at once, the second waits and finds them grouped.
        loose = list(alert_model.objects.select_for_update().filter(case__isnull=True).order_by(
            "organization_id", "rule", "login", "vendor_code", "window_start", "pk"))
        if not loose:
            return []
        current: dict[tuple, AlertCase] = {}
        for alert in loose:
            status = _OPEN_LIKE.get(alert.status, AlertCase.RESOLVED)
            login, vendor = _who(alert)
            key = (alert.organization_id, alert.rule, login, vendor, status)
            case = current.get(key)
            if case is None and status != AlertCase.RESOLVED:
                same = case_model.objects.filter(organization_id=alert.organization_id, rule=alert.rule, login=login,
                                                status=status)
                if not login:
                    same = same.filter(vendor_code=vendor)
                case = same.order_by("-last_seen").first()
            if case is None or alert.window_start - case.last_seen > EPISODE_GAP:
                case = case_model.objects.create(
                    organization_id=alert.organization_id, rule=alert.rule, severity=alert.severity,
                    priority=priority(alert.rule, alert.severity), login=login, vendor_code=alert.vendor_code or "",
                    first_seen=alert.window_start, last_seen=alert.window_end, status=status,
                    resolution=alert.resolution, detail=alert.detail)
                created.append(case)
            current[key] = case
            case.last_seen = max(case.last_seen, alert.window_end)
            alert.case = case
            touched[case.pk] = case
        alert_model.objects.bulk_update(loose, ["case"], batch_size=500)
        for case in touched.values():
            _recount(case, alert_model)
    return created


def _recount(case: AlertCase, alert_model=None) -> None:
    """The case's counts, dates, worst severity, countries and latest detail from its alerts."""
    alerts = (alert_model or ProvenanceAlert).objects.filter(case=case)
    agg = alerts.aggregate(events=Sum("event_count"), first=Min("window_start"), last=Max("window_end"),
                           worst=Min("severity_rank"))
    case.alert_count = alerts.count()
    case.event_count = agg["events"] or 0
    case.first_seen, case.last_seen = agg["first"] or case.first_seen, agg["last"] or case.last_seen
    worst = {0: "high", 1: "medium", 2: "low"}.get(agg["worst"], case.severity)
    case.severity, case.priority = worst, priority(case.rule, worst)
    countries: set[str] = set()
    for c in alerts.values_list("countries", flat=True):
        countries.update(c or [])
    case.countries = sorted(countries)
    latest = alerts.order_by("-window_end", "-pk").values_list("detail", flat=True).first()
    case.detail = latest or case.detail
    case.save(update_fields=["alert_count", "event_count", "first_seen", "last_seen", "severity", "priority",
                             "countries", "detail"])


def ordered(cases):
    return cases.order_by("priority", "-last_seen", "pk")


def evidence_ids(case: AlertCase, limit: int = 500) -> list[str]:
    """The case's evidence event ids (each alert's, in time order), at most `limit`."""
    ids: list[str] = []
    for evidence in case.alerts.order_by("window_start", "pk").values_list("evidence", flat=True):
        for e in evidence or []:
            if e not in ids:
                ids.append(e)
            if len(ids) >= limit:
                return ids
    return ids


def assign(case: AlertCase, assignee) -> AlertCase:
    from codingwatch.web.accounts import roles

    if assignee is not None and not roles.may_change(assignee.role, "provenance"):
        raise CaseError(f"{assignee.get_username()} ({assignee.role_label}) does not work the provenance queue")
    with transaction.atomic():
        current = AlertCase.objects.select_for_update().get(pk=case.pk)
        current.assigned_to = assignee
        current.save(update_fields=["assigned_to"])
        ProvenanceAlert.objects.filter(case=current, status=ProvenanceAlert.OPEN).update(assigned_to=assignee)
    case.assigned_to = assignee
    return case


def resolve(case: AlertCase, user, *, reason: str, suppress: bool = False) -> Suppression | None:
    """Close the case and its open alerts with one reason. `suppress`: a false positive; a
    suppression rule (the case's rule on its login) silences its later alerts."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseError("resolving a case needs a reason")
    suppression = None
    with transaction.atomic():
        current = AlertCase.objects.select_for_update().get(pk=case.pk)
        if current.status in (AlertCase.RESOLVED, AlertCase.FALSE_POSITIVE):
            raise CaseError(f"the case is already {current.get_status_display()}"
                            + (f" (by {current.resolved_by.get_username()})" if current.resolved_by else ""))
        if suppress and not current.login:
            raise CaseError("a case naming no login cannot be suppressed (a suppression rule names a login)")
        now = timezone.now()
        if suppress:
            first = current.alerts.order_by("window_start", "pk").first()
            suppression = Suppression.objects.create(rule=current.rule, login=current.login, reason=reason,
                                                     created_by=user, source_alert=first,
                                                     organization_id=current.organization_id)
        outcome = ProvenanceAlert.FALSE_POSITIVE if suppress else ProvenanceAlert.RESOLVED
        current.alerts.filter(status__in=[ProvenanceAlert.OPEN, ProvenanceAlert.SUPPRESSED]).update(
            status=outcome, resolution=reason, resolved_by=user, resolved_at=now)
        current.status = AlertCase.FALSE_POSITIVE if suppress else AlertCase.RESOLVED
        current.resolution, current.resolved_by, current.resolved_at = reason, user, now
        current.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    case.status, case.resolution, case.resolved_by, case.resolved_at = (current.status, current.resolution,
                                                                         current.resolved_by, current.resolved_at)
    return suppression


def resolve_many(cases: Iterable[AlertCase], user, *, reason: str, suppress: bool = False) -> tuple[int, list[str]]:
    """Bulk resolve: each case on its own (a case someone else closed meanwhile is reported, not
    closed twice). Returns (cases closed, the problems)."""
    done, problems = 0, []
    if not (reason or "").strip():
        return 0, ["resolving cases needs a reason"]
    for case in cases:
        try:
            resolve(case, user, reason=reason, suppress=suppress)
            done += 1
        except CaseError as exc:
            problems.append(f"case {case.pk}: {exc}")
    return done, problems
