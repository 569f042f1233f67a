"""Audits in the app database: the plan, the sampled cases (the lake's as-coded record copied in),
the findings and the rebuttal trail.

The bridge: drawing a sample copies each sampled encounter's as-coded record (encounter fields
and code lines) from the lake into an AuditCase, so a final audit never changes when the lake
does. Every model has a django-scopes manager on the `vendor` dimension, like the roster: a
vendor user's queries return their own vendor's audits, cases and findings only.

A final audit is locked in the database (triggers, web/immutability.py): its row, cases,
findings and every audit event refuse UPDATE and DELETE by any path, raw SQL included. The
models add clear early errors: saving a final audit, or a case or finding of one, raises
AuditLocked. Reopening a final audit inserts its next revision (a new audit row naming the
final one, with copies of its cases and findings); the final revision itself never changes.
"""

from __future__ import annotations

from django.db import models
from django_scopes import ScopedManager

from codingwatch.audit.model import ROOT_CAUSE_LABELS
from codingwatch.web.organizations.models import ENCOUNTER_TYPE_CHOICES
from codingwatch.web.vendors.models import Vendor


class AuditLocked(RuntimeError):
    """A final audit cannot change; reopen it first (an explicit, logged act)."""


class AppendOnlyError(RuntimeError):
    """The audit trail is append-only."""


# Purposes, in the auditors' words.
PURPOSES = [
    ("routine", "routine"),
    ("new_coder", "new coder"),
    ("focused", "focused"),
    ("pre_bill", "pre-bill"),
    ("parallel", "parallel-coding comparison"),
]
DESIGNS = [("simple", "simple random sample"), ("stratified", "stratified random sample"),
           ("per_coder", "fixed number per coder")]
STRATA = [("specialty", "specialty"), ("encounter_type", "encounter type"), ("drg_band", "DRG weight band")]
SIZE_RULES = [("fixed", "fixed size"), ("attribute", "attribute sample size (sampling engine)")]
LIMIT_RULES = [("cms", "CMS: one-sided 90% lower limit"), ("oig", "OIG: two-sided 90% lower limit")]
ROOT_CAUSES = list(ROOT_CAUSE_LABELS.items())  # the report states them in the same words

# The audit's states (domain.md's rebuttal workflow).
DRAFT = "draft"  # planning, sampling, chart review: the auditor's alone
ROUTED = "routed"  # findings with the vendor: agree or rebut each
AUDITOR_REVIEW = "auditor_review"  # the auditor upholds or withdraws each rebuttal, or escalates
ESCALATED = "escalated"  # a reviewer (director or admin) decides the escalated findings
FINAL = "final"  # locked
STATES = [
    (DRAFT, "draft / in review"),
    (ROUTED, "routed to vendor"),
    (AUDITOR_REVIEW, "auditor reviewing rebuttals"),
    (ESCALATED, "escalated to reviewer"),
    (FINAL, "final"),
]
VENDOR_VISIBLE_STATES = (ROUTED, AUDITOR_REVIEW, ESCALATED, FINAL)

# Finding statuses. Scores count `upheld` only (an agreed finding is upheld by both sides).
OPEN = "open"
REBUTTED = "rebutted"
UPHELD = "upheld"
WITHDRAWN = "withdrawn"
FINDING_ESCALATED = "escalated"
FINDING_STATUSES = [(OPEN, "open"), (REBUTTED, "rebutted"), (FINDING_ESCALATED, "escalated"),
                    (UPHELD, "upheld"), (WITHDRAWN, "withdrawn")]


class Audit(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=20, choices=PURPOSES, default="routine")
    # Scope (empty list = all).
    coders = models.JSONField(default=list, blank=True)
    specialties = models.JSONField(default=list, blank=True)
    encounter_types = models.JSONField(default=list, blank=True)
    period_from = models.DateField("discharge/service from")
    period_to = models.DateField("discharge/service to")
    # Method: the counting rule stated in the report.
    principal_dx_weight = models.PositiveSmallIntegerField(default=1)
    payment_error_weight = models.PositiveSmallIntegerField(default=1)
    limit_rule = models.CharField(max_length=3, choices=LIMIT_RULES, default="cms")
    # Sample design.
    design = models.CharField(max_length=20, choices=DESIGNS, default="simple")
    strata_by = models.CharField(max_length=20, choices=STRATA, blank=True)
    size_rule = models.CharField(max_length=20, choices=SIZE_RULES, default="fixed")
    sample_size = models.PositiveIntegerField(default=30, help_text="per stratum or per coder when stratified")
    expected_error_rate = models.DecimalField(max_digits=4, decimal_places=3, default="0.050")
    desired_precision = models.DecimalField(max_digits=4, decimal_places=3, default="0.050")
    confidence = models.CharField(max_length=2, default="90", choices=[("80", "80%"), ("90", "90%"), ("95", "95%")])
    seed = models.CharField(max_length=40)
    # What the draw recorded (shown on the audit page and in the report).
    frame_file = models.CharField(max_length=500, blank=True)
    frame_sha256 = models.CharField(max_length=64, blank=True)
    frame_size = models.PositiveIntegerField(null=True, blank=True)
    frame_strata = models.JSONField(default=dict, blank=True)  # stratum -> [N, n]
    lake_snapshot = models.CharField(max_length=64, blank=True)
    code_sets = models.JSONField(default=dict, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=STATES, default=DRAFT)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="audits_created")
    created_at = models.DateTimeField(auto_now_add=True)
    overpayment_identified = models.DateField(null=True, blank=True)
    net_overpayment = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # Revisions: reopening a final audit inserts revision n + 1, which `reopens` the final one.
    revision = models.PositiveSmallIntegerField(default=1)
    reopens = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reopened_as")

    objects = ScopedManager(vendor="vendor", organization="vendor__organization")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def locked(self) -> bool:
        return self.state == FINAL

    @property
    def drawn(self) -> bool:
        return self.drawn_at is not None

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            _assert_unlocked(self.pk)
        super().save(*args, **kwargs)


def _assert_unlocked(audit_id: int) -> None:
    state = Audit.objects.model._base_manager.filter(pk=audit_id).values_list("state", flat=True).first()
    if state == FINAL:
        raise AuditLocked("the audit is final: reopen it to change anything")


class AuditCase(models.Model):
    """One sampled encounter: its as-coded record (copied from the lake) and the auditor's version."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="cases")
    number = models.PositiveIntegerField()  # 1..n within the audit, the order of the review
    stratum = models.CharField(max_length=60)
    frame_number = models.PositiveIntegerField()
    encounter_key = models.CharField(max_length=64)
    source_id_enc = models.CharField(max_length=300, blank=True)  # shown decrypted only to chart reviewers
    facility = models.CharField(max_length=60, blank=True)
    encounter_type = models.CharField(max_length=20, choices=ENCOUNTER_TYPE_CHOICES)
    specialty = models.CharField(max_length=80)  # the organization's canonical name, as in the lake
    admit_date = models.DateField(null=True, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    service_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, default="U")
    age = models.PositiveSmallIntegerField(default=0)
    discharge_status = models.PositiveSmallIntegerField(null=True, blank=True)
    coder_id = models.CharField(max_length=60, blank=True)
    vendor_code = models.CharField(max_length=60, blank=True)
    # Code lines: [{code_system, code, sequence, poa, modifiers: [..], units: "1"}].
    coded_lines = models.JSONField(default=list)
    audited_lines = models.JSONField(null=True, blank=True)  # None until reviewed
    audited_discharge_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the comparison found (kept so scores need no regrouping).
    dx_audited = models.PositiveIntegerField(default=0)
    px_audited = models.PositiveIntegerField(default=0)
    coded_drg = models.PositiveSmallIntegerField(null=True, blank=True)
    coded_weight = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    audited_drg = models.PositiveSmallIntegerField(null=True, blank=True)
    audited_weight = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    grouper_version = models.PositiveSmallIntegerField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="cases_reviewed")

    objects = ScopedManager(vendor="audit__vendor", organization="audit__vendor__organization")

    class Meta:
        ordering = ["audit", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "number"], name="one_case_number_per_audit")]

    def __str__(self) -> str:
        return f"case {self.number} of {self.audit_id}"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    def save(self, *args, **kwargs):
        _assert_unlocked(self.audit_id)
        super().save(*args, **kwargs)


def finding_signature(kind: str, code_system: str, coded: str | None, audited: str | None) -> str:
    """What a finding is (kind and lines): a review that keeps it keeps its rationale. The one place it is built."""
    return "|".join([kind, code_system, coded or "", audited or ""])


class Finding(models.Model):
    """One changed line of a case, classified by the engine, with its rebuttal history."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=40)
    code_system = models.CharField(max_length=10, blank=True)
    coded = models.CharField(max_length=60, blank=True)
    audited = models.CharField(max_length=60, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    payment_affecting = models.BooleanField(default=False)
    weight_change = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    rationale = models.TextField(blank=True)
    root_cause = models.CharField(max_length=30, choices=ROOT_CAUSES, blank=True)
    status = models.CharField(max_length=20, choices=FINDING_STATUSES, default=OPEN)
    vendor_response = models.CharField(max_length=10, blank=True)  # agree | rebut
    vendor_comment = models.TextField(blank=True)
    auditor_comment = models.TextField(blank=True)
    reviewer_comment = models.TextField(blank=True)

    objects = ScopedManager(vendor="case__audit__vendor", organization="case__audit__vendor__organization")

    class Meta:
        ordering = ["case__number", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.coded or ''} -> {self.audited or ''}"

    @property
    def signature(self) -> str:
        """What the finding is (kind and lines): a review that keeps it keeps its rationale."""
        return finding_signature(self.kind, self.code_system, self.coded, self.audited)

    def save(self, *args, **kwargs):
        _assert_unlocked(AuditCase._base_manager.filter(pk=self.case_id).values_list("audit_id", flat=True).first())
        super().save(*args, **kwargs)


class AuditEvent(models.Model):
    """One step of the audit: a state change, a response to a finding, a reopening. Append-only."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="events")
    # PROTECT: a finding with steps in the trail is never deleted (the trail would have to change).
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="audit_events")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=20)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)

    objects = ScopedManager(vendor="audit__vendor", organization="audit__vendor__organization")

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")
