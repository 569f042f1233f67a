"""Where notifications come from: the audit trail's recorded steps and new alert cases.

The workflow functions are not touched: every audit step writes an AuditEvent (append-only),
and a post_save receiver on it turns the step into notices for the people whose turn it is.
A case of access alerts that is (or becomes) high severity notifies compliance once. The
repayment clocks are checked by the daily run (`notifications_daily`).
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django_scopes import scopes_disabled


def connect() -> None:
    from codingwatch.web.audits.models import AuditEvent
    from codingwatch.web.provenance.models import AlertCase

    post_save.connect(_audit_step, sender=AuditEvent, dispatch_uid="notifications-audit-step")
    post_save.connect(_alert_case, sender=AlertCase, dispatch_uid="notifications-alert-case")


def _audit_step(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from codingwatch.web.notifications import events

        with scopes_disabled():
            events.audit_step(instance)


def _alert_case(sender, instance, created, raw=False, **kwargs):
    if raw or instance.severity != "high" or instance.status != instance.OPEN:
        return
    from codingwatch.web.notifications import events

    with scopes_disabled():
        events.alert_case(instance)
