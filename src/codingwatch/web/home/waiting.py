"""What waits for one person: the home page's sections and the API's, by role, in the user's scope.

Each section is a list of items, each a link. The queries run inside the user's organization
and vendor scope (the request's, or `user_scope` for the daily digest), so a vendor user's home
holds only their vendor's audits and findings. Two sections come from modules installed later
(the SLA scorecard's states, the due-diligence documents' expiry dates): when installed they are
read; until then the section says so and shows no figure.
"""

from __future__ import annotations

import datetime as dt
import importlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django_scopes import scope

from codingwatch.web.accounts import roles

LIMIT = 20  # items per section on the page; the count says how many there are


@dataclass
class Item:
    title: str
    url: str
    detail: str = ""
    days_left: int | None = None


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    count: int = 0
    available: bool = True
    empty: str = "Nothing waits for you here."
    more_url: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@contextmanager
def user_scope(user):
    """The scope the request middleware gives the user (accounts.middleware.RoleMiddleware)."""
    organization = user.organization_id if user.organization_id is not None else []
    vendor = user.vendor_id if user.role in roles.VENDOR_SCOPED_ROLES else None
    with scope(vendor=vendor, organization=organization):
        yield


def _audits_at_step(user) -> Section:
    from codingwatch.web.audits import models as a

    steps = []
    if user.role in (roles.AUDITOR, roles.ADMIN):
        steps += [(a.DRAFT, "plan, draw and review the charts, then route"),
                  (a.AUDITOR_REVIEW, "decide the vendor's rebuttals, then make final or escalate")]
    if user.role in (roles.DIRECTOR, roles.ADMIN):
        steps += [(a.ESCALATED, "decide the escalated findings, then make final")]
    if user.role == roles.VENDOR:
        steps += [(a.ROUTED, "agree with or rebut each finding, then submit")]
    section = Section("audits", "Audits at your step", more_url="/audits/")
    if not steps:
        return section
    wanted = dict(steps)
    found = a.Audit.objects.select_related("vendor").filter(state__in=list(wanted)).order_by("created_at", "pk")
    section.count = found.count()
    section.items = [Item(f"{x.title} ({x.vendor.name})", f"/audits/{x.pk}/",
                          f"{x.get_state_display()}: {wanted[x.state]}") for x in found[:LIMIT]]
    return section


def _findings(user, key: str, title: str, audit_state: str, statuses: tuple[str, ...], what: str) -> Section:
    from codingwatch.web.audits import models as a

    section = Section(key, title)
    found = (a.Finding.objects.filter(case__audit__state=audit_state, status__in=statuses)
             .values("case__audit_id", "case__audit__title", "case__number")
             .annotate(n=Count("id")).order_by("case__audit_id", "case__number"))
    rows = list(found)
    section.count = sum(r["n"] for r in rows)
    section.items = [Item(f"{r['case__audit__title']}: case {r['case__number']}",
                          f"/audits/{r['case__audit_id']}/cases/{r['case__number']}/",
                          f"{r['n']} finding{'s' if r['n'] != 1 else ''} {what}") for r in rows[:LIMIT]]
    return section


def _repayments(user, today: dt.date) -> Section:
    from codingwatch.audit import repayment_due
    from codingwatch.web.audits.models import Audit

    section = Section("repayments", "Repayment clocks", more_url="/compliance/repayments/",
                      empty="No overpayment is waiting to be repaid.")
    rows = []
    for audit in Audit.objects.select_related("vendor").filter(overpayment_identified__isnull=False,
                                                               reopened_as__isnull=True):
        due = repayment_due(audit.overpayment_identified)
        left = (due - today).days
        rows.append(Item(f"{audit.title} ({audit.vendor.name})", f"/audits/{audit.pk}/",
                        f"due {due:%Y-%m-%d}: " + (f"{left} day{'s' if left != 1 else ''} left" if left >= 0
                                                    else f"{-left} day{'s' if left != -1 else ''} overdue"),
                         days_left=left))
    rows.sort(key=lambda i: i.days_left)
    section.count, section.items = len(rows), rows[:LIMIT]
    return section


def _alert_cases(user) -> Section:
    from codingwatch.web.provenance.models import AlertCase

    section = Section("alert_cases", "New high-severity access alert cases", more_url="/provenance/cases/?severity=high",
                      empty="No open high-severity case waits for you.")
    found = AlertCase.objects.filter(status=AlertCase.OPEN, severity="high").filter(
        Q(assigned_to__isnull=True) | Q(assigned_to=user)).order_by("priority", "-last_seen", "pk")
    section.count = found.count()
    section.items = [Item(f"{c.rule_label}: {c.login or c.vendor_code}", f"/provenance/cases/{c.pk}/",
                          f"{c.alert_count} alert{'s' if c.alert_count != 1 else ''}, "
                          f"{c.first_seen:%Y-%m-%d} to {c.last_seen:%Y-%m-%d}"
                          + ("" if c.assigned_to_id else ", unassigned")) for c in found[:LIMIT]]
    return section


# Sections read from modules installed later: key -> (title, module, what the empty state says).
EXTERNAL = {
    "sla": ("SLA months breached or undecided", "codingwatch.web.scorecard.services",
            "The SLA scorecard is not set up in this installation yet: there are no SLA states to show."),
    "documents": ("Documents expiring", "codingwatch.web.diligence.models",
                  "Due-diligence documents are not tracked in this installation yet: nothing to show."),
}
DOCUMENT_HORIZON = dt.timedelta(days=60)  # documents expiring within this (or expired) are listed


def _sla_items(services, today: dt.date) -> list[Item]:
    """Each vendor-month term of the scorecard's default period that is breached or lacks the
    evidence to decide (the scorecard engine's states), newest month first."""
    from codingwatch.scorecard import sla
    from codingwatch.web.vendors.models import Vendor

    first, last = services.default_period(today)
    items = []
    vendors = list(Vendor.objects.order_by("name"))
    by_vendor = services.scorecards(vendors, first, last)  # one pass for the vendors not yet kept
    for vendor in vendors:
        for month in sorted(by_vendor[vendor.code], key=lambda m: m.month, reverse=True):
            for result in month.results:
                if result.state in (sla.BREACHED, sla.NOT_ENOUGH):
                    items.append(Item(f"{vendor.name}, {month.month:%B %Y}: {result.label}",
                                      f"/scorecard/vendors/{vendor.code}/", result.state))
    return items


def _document_items(models, today: dt.date) -> list[Item]:
    """Evidence documents that expired or expire within DOCUMENT_HORIZON, soonest first."""
    found = (models.EvidenceDocument.objects.select_related("vendor")
             .filter(expires_on__isnull=False, expires_on__lte=today + DOCUMENT_HORIZON).order_by("expires_on"))
    items = []
    for doc in found:
        left = (doc.expires_on - today).days
        when = (f"expires {doc.expires_on:%Y-%m-%d} ({left} day{'s' if left != 1 else ''} left)" if left >= 0
                else f"expired {doc.expires_on:%Y-%m-%d}")
        items.append(Item(f"{doc.get_kind_display()} of {doc.vendor.name}", f"/diligence/vendors/{doc.vendor.code}/",
                          when, days_left=left))
    return items


def _external(user, key: str, today: dt.date) -> Section:
    title, module, missing = EXTERNAL[key]
    try:
        source = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return Section(key, title, available=False, empty=missing)
        raise
    items = _sla_items(source, today) if key == "sla" else _document_items(source, today)
    return Section(key, title, items=items[:LIMIT], count=len(items),
                   empty="No SLA month is breached or undecided." if key == "sla" else "No document expires soon.")


def sections_for(user, today: dt.date | None = None) -> list[Section]:
    """The sections this user's role has, in the order of the page."""
    from codingwatch.web.audits import models as a

    today = today or timezone.localdate()
    out = [_audits_at_step(user)]
    if user.role == roles.VENDOR:
        out.append(_findings(user, "findings", "Findings to answer", a.ROUTED, (a.OPEN,), "to agree with or rebut"))
    if user.role in (roles.AUDITOR, roles.ADMIN):
        out.append(_findings(user, "rebuttals", "Rebuttals to decide", a.AUDITOR_REVIEW, (a.REBUTTED,),
                             "rebutted: uphold, withdraw or escalate"))
    if user.role in (roles.DIRECTOR, roles.ADMIN):
        out.append(_findings(user, "escalations", "Escalations to decide", a.ESCALATED, (a.FINDING_ESCALATED,),
                             "escalated: uphold or withdraw"))
    if roles.may_open(user.role, "repayments"):
        out.append(_repayments(user, today))
    if roles.may_open(user.role, "provenance"):
        out.append(_alert_cases(user))
    if user.role in (roles.DIRECTOR, roles.ADMIN, roles.EXECUTIVE, roles.VENDOR):
        out.append(_external(user, "sla", today))
    if user.role in (roles.DIRECTOR, roles.ADMIN, roles.COMPLIANCE):
        out.append(_external(user, "documents", today))
    return out
