"""Notifications: what the app tells a person (in the app, by email), and what each person wants.

A notification belongs to one user; a vendor user's are only ever about their own vendor (the
recipients are chosen by vendor, notifications.events). `key` makes a notice idempotent: the
daily run raising "repayment due in 7 days" twice files it once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

ROUTED = "routed"
SUBMITTED = "submitted"
ESCALATED = "escalated"
DECIDED = "decided"
FINAL = "final"
REOPENED = "reopened"
REPAYMENT_DUE = "repayment_due"
ALERT_CASE = "alert_case"
DIGEST = "digest"

# kind -> (label, who gets it)
KINDS: dict[str, tuple[str, str]] = {
    ROUTED: ("An audit is routed to your vendor", "the audited vendor's users"),
    SUBMITTED: ("A vendor submitted its responses", "the audit's auditor"),
    ESCALATED: ("Findings are escalated to a reviewer", "directors and administrators"),
    DECIDED: ("A rebuttal is upheld or withdrawn", "the audited vendor's users"),
    FINAL: ("An audit is final", "the vendor's users, the auditor, compliance"),
    REOPENED: ("A final audit is reopened", "the vendor's users, the auditor"),
    REPAYMENT_DUE: ("A repayment is due in 14, 7 or 1 days", "compliance and administrators"),
    ALERT_CASE: ("A new high-severity access alert case", "compliance and administrators"),
}
KIND_CHOICES = [(k, label) for k, (label, _) in KINDS.items()]


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="the page it is about (a path)")
    # What it is about, for the isolation checks: the vendor (a vendor user's are their vendor's only).
    vendor = models.ForeignKey("vendors.Vendor", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120, help_text="one notice per user and key")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_user_and_key")]

    def __str__(self) -> str:
        return self.title

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """One user's choice for one kind: in the app, by email. No row: both on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=[*KIND_CHOICES, (DIGEST, "The daily digest email")])
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_and_kind")]


def preferences(user) -> dict[str, tuple[bool, bool]]:
    """kind -> (in app, by email) for every kind and the digest."""
    chosen = {p.kind: (p.in_app, p.email) for p in Preference.objects.filter(user=user)}
    return {kind: chosen.get(kind, (True, True)) for kind in [*KINDS, DIGEST]}
