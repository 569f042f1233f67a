"""Provenance alerts in the app: the triage queue, its comments and the suppression rules.

An alert is stored once: its fingerprint (rule, login, window start and detail; for a takeover
the rule, login and change date) is unique, so running the scan again adds only new alerts.
A "false positive" resolution writes a Suppression (login + rule, optionally narrowed to a
country or a device) that marks matching alerts of later scans as suppressed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class Scan(models.Model):
    """One run of the rules over the lake."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.CharField(max_length=150, blank=True, help_text="user name, or the command line")
    events = models.BigIntegerField(default=0)
    alerts_found = models.IntegerField(default=0)
    alerts_new = models.IntegerField(default=0)
    alerts_suppressed = models.IntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]


class Suppression(models.Model):
    """A false positive fed back: alerts of this rule on this login (and country / device, when
    given) are stored as suppressed from now on."""

    rule = models.CharField(max_length=40)
    login = models.CharField(max_length=150)
    country = models.CharField(max_length=2, blank=True, help_text="blank: any country")
    device = models.CharField(max_length=200, blank=True, help_text="blank: any device")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    source_alert = models.ForeignKey("ProvenanceAlert", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    active = models.BooleanField(default=True)
    # The organization of the alert it came from; it silences that organization's alerts only.
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        scope = " ".join(x for x in (self.country, self.device) if x)
        return f"{self.rule} on {self.login}{' ' + scope if scope else ''}"

    def matches(self, alert: ProvenanceAlert) -> bool:
        if not self.active or alert.rule != self.rule or alert.login != self.login:
            return False
        if self.organization_id != alert.organization_id:
            return False
        if self.country and self.country not in (alert.countries or []):
            return False
        return not (self.device and self.device not in (alert.devices or []))


class ProvenanceAlert(models.Model):
    OPEN, RESOLVED, FALSE_POSITIVE, SUPPRESSED = "open", "resolved", "false_positive", "suppressed"
    STATUS_CHOICES = [(OPEN, "open"), (RESOLVED, "resolved"), (FALSE_POSITIVE, "false positive"),
                      (SUPPRESSED, "suppressed")]
    SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

    fingerprint = models.CharField(max_length=64, unique=True)
    rule = models.CharField(max_length=40, db_index=True)
    severity = models.CharField(max_length=10, db_index=True)
    severity_rank = models.PositiveSmallIntegerField(default=1, help_text="0 high, 1 medium, 2 low (for sorting)")
    login = models.CharField(max_length=150, db_index=True)
    vendor_code = models.CharField(max_length=60, blank=True, db_index=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    event_count = models.IntegerField()
    evidence = models.JSONField(default=list, help_text="event ids in the lake's access_events")
    detail = models.TextField()
    charts = models.JSONField(default=dict, blank=True, help_text="Vega-Lite specs (takeover alerts)")
    countries = models.JSONField(default=list, blank=True, help_text="countries of the evidence events")
    devices = models.JSONField(default=list, blank=True, help_text="devices of the evidence events")
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=OPEN, db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="provenance_alerts")
    resolution = models.TextField(blank=True, help_text="the reason it was resolved")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    suppressed_by = models.ForeignKey(Suppression, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="alerts")
    scan = models.ForeignKey(Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    created_at = models.DateTimeField(auto_now_add=True)
    # Whose alert: the organization of the alert's vendor (provenance.services.alert_organizations).
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # The case it belongs to: alerts of one rule and login (or vendor) in one episode (provenance.cases).
    case = models.ForeignKey("AlertCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["severity_rank", "-window_start"]

    def __str__(self) -> str:
        return f"{self.rule} {self.login} {self.window_start:%Y-%m-%d}"

    @property
    def rule_label(self) -> str:
        from codingwatch.web.provenance.words import rule_label

        return rule_label(self.rule)


class AlertComment(models.Model):
    alert = models.ForeignKey(ProvenanceAlert, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="alert__organization")

    class Meta:
        ordering = ["created_at"]


class AlertCase(models.Model):
    """Alerts of one rule on one login (or vendor) in one episode, triaged together.

    An episode runs while the rule keeps firing: an alert starting within EPISODE_GAP of the
    case's last one joins it; a longer quiet spell, or a closed case, starts a new one
    (provenance.cases.group_alerts). Priority orders the queue: a takeover, PHI kept locally
    and work outside the assignment first, then the rest by severity.
    """

    OPEN, RESOLVED, FALSE_POSITIVE, SUPPRESSED = "open", "resolved", "false_positive", "suppressed"
    STATUS_CHOICES = [(OPEN, "open"), (RESOLVED, "resolved"), (FALSE_POSITIVE, "false positive"),
                      (SUPPRESSED, "suppressed")]

    rule = models.CharField(max_length=40, db_index=True)
    severity = models.CharField(max_length=10)
    priority = models.PositiveSmallIntegerField(default=9, db_index=True, help_text="0 first (provenance.words)")
    login = models.CharField(max_length=150, blank=True, db_index=True)
    vendor_code = models.CharField(max_length=60, blank=True, db_index=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    alert_count = models.IntegerField(default=0)
    event_count = models.IntegerField(default=0)
    countries = models.JSONField(default=list, blank=True)
    detail = models.TextField(blank=True, help_text="the latest alert's detail")
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=OPEN, db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="provenance_cases")
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["priority", "-last_seen", "pk"]

    def __str__(self) -> str:
        return f"{self.rule} {self.login or self.vendor_code} {self.first_seen:%Y-%m-%d}"

    @property
    def rule_label(self) -> str:
        from codingwatch.web.provenance.words import rule_label

        return rule_label(self.rule)
