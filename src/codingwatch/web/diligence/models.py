"""Due diligence: the organization's criteria catalogue, each vendor's (current or candidate)
assessment and evidence documents, coders' credentials on file, and vendors' declarations.

Vendor-held rows have the scoped managers of the roster (vendors.models): a vendor user's
query returns their own vendor's rows only, and an unscoped query raises.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from codingwatch.scorecard import diligence as engine
from codingwatch.web.organizations.models import Organization
from codingwatch.web.vendors.models import (
    CREDENTIAL_CHOICES,
    Coder,
    Vendor,
    validate_countries,
    validate_credentials,
)

KIND_CHOICES = list(engine.DOCUMENT_KINDS.items())
RULE_CHOICES = [(r, r) for r in engine.RULES]


class Criterion(models.Model):
    """One line of the organization's catalogue (with none, the built-in catalogue applies)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="diligence_criteria")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    rule = models.CharField(max_length=10, choices=RULE_CHOICES, default="document")
    kinds = models.JSONField(default=list, blank=True, help_text='document kinds, e.g. ["soc2_type2", "hitrust"]')
    disqualifier = models.BooleanField(default=False, help_text="not met: the vendor is disqualified")
    minimum = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    discrepancies = models.JSONField(default=list, blank=True,
                                     help_text='for "observed": declared-vs-observed kinds that fail it')

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-weight", "key"]
        verbose_name_plural = "criteria"
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="one_criterion_per_key")]

    def as_engine(self) -> engine.Criterion:
        return engine.Criterion(self.key, self.label, self.weight, self.rule, tuple(self.kinds), self.disqualifier,
                                self.minimum, tuple(self.discrepancies))

    def clean(self) -> None:
        try:
            self.as_engine()
        except engine.DiligenceError as exc:
            raise ValidationError(str(exc)) from exc

    def __str__(self) -> str:
        return self.label


class Assessment(models.Model):
    CURRENT = "current"
    CANDIDATE = "candidate"
    STAGES = [(CURRENT, "current vendor"), (CANDIDATE, "candidate (RFP)")]

    vendor = models.OneToOneField(Vendor, on_delete=models.CASCADE, related_name="assessment")
    stage = models.CharField(max_length=10, choices=STAGES, default=CURRENT)
    ratings = models.JSONField(default=dict, blank=True, help_text='criterion key -> 0..5, e.g. {"references": 4}')
    notes = models.TextField(blank=True)

    objects = ScopedManager(vendor="vendor", organization="vendor__organization")

    def __str__(self) -> str:
        return f"{self.vendor} ({self.stage})"


class EvidenceDocument(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="evidence_documents")
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    title = models.CharField(max_length=200, blank=True)
    issued_on = models.DateField(null=True, blank=True, help_text="signed, issued or performed")
    period_start = models.DateField(null=True, blank=True, help_text="a SOC 2 Type II report's period")
    period_end = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True, help_text="empty: the kind's usual validity")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                 help_text="cyber insurance: the policy limit in dollars")
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.CharField(max_length=150, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(vendor="vendor", organization="vendor__organization")

    class Meta:
        ordering = ["vendor__name", "kind", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                name="evidence_period_in_order",
                condition=models.Q(period_end__isnull=True) | models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start"))),
        ]

    def as_engine(self) -> engine.Document:
        return engine.Document(str(self.pk), self.kind, self.title, self.issued_on, self.period_start,
                               self.period_end, self.expires_on, self.amount, self.sha256)

    def __str__(self) -> str:
        return f"{self.vendor}: {self.get_kind_display()} {self.issued_on or ''}"


class CoderCredential(models.Model):
    """A credential on file for a coder, with its dates (AAPC and AHIMA credentials renew)."""

    coder = models.ForeignKey(Coder, on_delete=models.CASCADE, related_name="credentials_on_file")
    credential = models.CharField(max_length=10, choices=CREDENTIAL_CHOICES)
    verified_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(vendor="coder__vendor", organization="coder__vendor__organization")

    class Meta:
        ordering = ["coder__login_id", "credential"]


def validate_coders(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError('named coders: a mapping of login -> credentials, e.g. {"ac1": ["CCS"]}')
    for login, credentials in value.items():
        if not isinstance(credentials, list):
            raise ValidationError(f"named coder {login}: credentials must be a list")
        validate_credentials(credentials)


class Declaration(models.Model):
    """What the vendor declared for a period (RFP answer, attestation, quarterly statement)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="declarations")
    period_start = models.DateField()
    period_end = models.DateField()
    declared_on = models.DateField(null=True, blank=True)
    work_countries = models.JSONField(default=list, blank=True, validators=[validate_countries])
    coders = models.JSONField(default=dict, blank=True, validators=[validate_coders])
    claimed_accuracy = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                           help_text="percent")
    subcontractors = models.JSONField(default=list, blank=True)
    vdi_only = models.BooleanField("VDI only, no local PHI", default=False)

    objects = ScopedManager(vendor="vendor", organization="vendor__organization")

    class Meta:
        ordering = ["vendor__name", "-period_start"]
        constraints = [models.CheckConstraint(name="declaration_period_in_order",
                                              condition=models.Q(period_end__gte=models.F("period_start")))]

    def __str__(self) -> str:
        return f"{self.vendor}: {self.period_start} to {self.period_end}"
