"""Who is told what, for each event. Recipients are chosen by role, organization and vendor:
a vendor's users hear only of their own vendor's audits; staff only of their organization's."""

from __future__ import annotations

import datetime as dt

from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import User
from codingwatch.web.notifications import models as n
from codingwatch.web.notifications.deliver import notify

# The repayment reminders: days left at which compliance is told (the clock is 60 days).
REPAYMENT_REMINDERS = (14, 7, 1)


def vendor_users(vendor_id: int):
    return User.objects.filter(role=roles.VENDOR, vendor_id=vendor_id, is_active=True)


def staff(organization_id: int | None, *wanted: str):
    return User.objects.filter(role__in=wanted, organization_id=organization_id, is_active=True, vendor__isnull=True)


def _auditors(audit):
    """The audit's own auditor (who planned it); when that user is gone, the organization's auditors."""
    creator = audit.created_by
    if creator.is_active and creator.role in (roles.AUDITOR, roles.ADMIN):
        return [creator]
    return list(staff(audit.vendor.organization_id, roles.AUDITOR))


def audit_step(event) -> None:
    audit, action = event.audit, event.action
    vendor, org = audit.vendor, audit.vendor.organization_id
    url = f"/audits/{audit.pk}/"
    key = f"audit-event:{event.pk}"
    who = f"{event.username} ({roles.ROLES.get(event.role, (event.role,))[0]})"
    comment = f"\n\nComment: {event.comment}" if event.comment else ""
    if action == "route":
        from codingwatch.web.audits.models import Finding

        findings = Finding.objects.filter(case__audit=audit).count()
        notify(vendor_users(vendor.pk), n.ROUTED, title=f"Audit “{audit.title}” is routed to {vendor.name}",
               body=f"{who} routed the audit to {vendor.name}: {findings} finding(s) to agree with or rebut.",
               url=url, key=key, vendor=vendor)
    elif action == "submit_responses":
        notify(_auditors(audit), n.SUBMITTED, title=f"{vendor.name} answered the findings of “{audit.title}”",
               body=f"{who} submitted the vendor's responses: uphold, withdraw or escalate each rebuttal.",
               url=url, key=key, vendor=vendor)
    elif action == "escalate":
        notify(staff(org, roles.DIRECTOR, roles.ADMIN), n.ESCALATED,
               title=f"Findings of “{audit.title}” are escalated for your decision",
               body=f"{who} escalated rebutted findings of {vendor.name}'s audit.{comment}", url=url, key=key,
               vendor=vendor)
    elif action in ("finding_uphold", "finding_withdraw", "finding_decide_uphold", "finding_decide_withdraw"):
        verdict = "upheld" if action.endswith("uphold") else "withdrawn"
        finding = event.finding
        case = finding.case if finding is not None else None
        notify(vendor_users(vendor.pk), n.DECIDED,
               title=f"Your rebuttal on case {case.number if case else '?'} of “{audit.title}” was {verdict}",
               body=f"{who} {verdict} the finding ({finding.kind if finding else ''}).{comment}",
               url=f"/audits/{audit.pk}/cases/{case.number}/" if case else url, key=key, vendor=vendor)
    elif action == "finalize":
        audit.refresh_from_db(fields=["overpayment_identified", "net_overpayment"])
        clock = ""
        if audit.overpayment_identified is not None:
            from codingwatch.audit import repayment_due

            clock = (f" It identified a net overpayment: the 60-day repayment clock started "
                     f"{audit.overpayment_identified:%Y-%m-%d} and runs to {repayment_due(audit.overpayment_identified):%Y-%m-%d}.")
        recipients = [*vendor_users(vendor.pk), *_auditors(audit)]
        if clock:
            recipients += list(staff(org, roles.COMPLIANCE))
        notify(recipients, n.FINAL, title=f"Audit “{audit.title}” is final",
               body=f"{who} made the audit final.{clock}", url=url, key=key, vendor=vendor)
    elif action == "reopen":
        revision = audit.reopened_as if hasattr(audit, "reopened_as") else None
        target = f"/audits/{revision.pk}/" if revision is not None else url
        notify([*vendor_users(vendor.pk), *_auditors(audit)], n.REOPENED,
               title=f"Audit “{audit.title}” is reopened", body=f"{who} reopened the final audit.{comment}",
               url=target, key=key, vendor=vendor)


def alert_case(case) -> None:
    from codingwatch.web.provenance.words import rule_label

    who = case.login or case.vendor_code or "a login"
    notify(staff(case.organization_id, roles.COMPLIANCE, roles.ADMIN), n.ALERT_CASE,
           title=f"High-severity access alert: {rule_label(case.rule)} ({who})",
           body=(f"{rule_label(case.rule)}: {who}{' of ' + case.vendor_code if case.login and case.vendor_code else ''},"
                 f" first seen {case.first_seen:%Y-%m-%d}. {case.detail}"),
           url=f"/provenance/cases/{case.pk}/", key=f"alert-case:{case.pk}")


def repayment_reminders(today: dt.date) -> int:
    """Remind compliance (and administrators) of each repayment clock at 14, 7 and 1 days left
    (a missed day is caught up: the nearest reminder not yet sent). Returns notices filed."""
    from django_scopes import scopes_disabled

    from codingwatch.audit import repayment_due
    from codingwatch.web.audits.models import Audit

    filed = 0
    with scopes_disabled():
        clocks = Audit.objects.select_related("vendor").filter(overpayment_identified__isnull=False,
                                                               reopened_as__isnull=True)
        for audit in clocks:
            due = repayment_due(audit.overpayment_identified)
            left = (due - today).days
            reached = [d for d in REPAYMENT_REMINDERS if left <= d]
            if not reached:
                continue
            step = min(reached)
            days = f"{left} day{'s' if left != 1 else ''} left" if left >= 0 else f"{-left} day(s) overdue"
            filed += len(notify(
                staff(audit.vendor.organization_id, roles.COMPLIANCE, roles.ADMIN), n.REPAYMENT_DUE,
                title=f"Repayment for “{audit.title}” is due {due:%Y-%m-%d} ({days})",
                body=(f"The overpayment identified {audit.overpayment_identified:%Y-%m-%d} by {audit.vendor.name}'s "
                      f"audit must be reported and returned by {due:%Y-%m-%d}: {days}."),
                url="/compliance/repayments/", key=f"repayment:{audit.pk}:{step}", vendor=audit.vendor))
    return filed
