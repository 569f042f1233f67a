"""Who codes: vendors (the in-house team is one too), their contracts, coders and queue assignments.

Every model here that holds a vendor's data has a django-scopes manager on the `vendor` and
`organization` dimensions: inside `scope(vendor=<id>, organization=<id>)` a query returns that
vendor's rows only (`vendor=None`: every vendor of the organization), and a query outside any
scope raises ScopeError instead of returning everyone's rows. The unscoped path is
explicit: `with scopes_disabled():` (staff requests, imports, the admin).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from codingwatch import vocabulary
from codingwatch.web.organizations.models import (
    ENCOUNTER_TYPE_CHOICES,
    Organization,
    WorkQueue,
)

DELIVERY_MODEL_CHOICES = [(m, m) for m in vocabulary.DELIVERY_MODELS]
CREDENTIAL_CHOICES = [(c, c) for c in vocabulary.CREDENTIALS]

# ISO 3166-1 alpha-2 country ("US") or ISO 3166-2 subdivision ("US-TX", "IN-KA").
LOCATION_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def validate_location(value: str) -> None:
    if not LOCATION_RE.match(value or ""):
        raise ValidationError(f"{value!r} is not an ISO 3166 country (US) or region (US-TX)")


def validate_locations(values: list) -> None:
    if not isinstance(values, list):
        raise ValidationError("work locations must be a list of ISO 3166 codes")
    for value in values:
        validate_location(value)


def validate_countries(values: list) -> None:
    if not isinstance(values, list) or any(not re.fullmatch(r"[A-Z]{2}", str(v)) for v in values):
        raise ValidationError("allowed countries must be a list of ISO 3166 alpha-2 codes, e.g. [\"US\", \"PH\"]")


def validate_specialties(values: list) -> None:
    """Specialties are the organization's own names: any name with a letter or digit."""
    if not isinstance(values, list):
        raise ValidationError("specialties must be a list of names")
    blank = [v for v in values if not vocabulary.name_key(str(v))]
    if blank:
        raise ValidationError(f"a specialty needs a letter or digit: {', '.join(map(repr, blank))}")


def validate_credentials(values: list) -> None:
    unknown = [v for v in values if v not in vocabulary.CREDENTIALS]
    if unknown:
        raise ValidationError(f"unknown credential: {', '.join(map(str, unknown))}")


class Vendor(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="vendors")
    # The value of the lake's `vendor` column for this vendor's encounters.
    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    delivery_model = models.CharField(max_length=20, choices=DELIVERY_MODEL_CHOICES)
    # Where the vendor declares its people work: ISO 3166 codes, e.g. ["US", "US-TX"].
    work_locations = models.JSONField(default=list, blank=True, validators=[validate_locations])

    objects = ScopedManager(vendor="pk", organization="organization")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    PER_CHART = "per_chart"
    PER_HOUR = "per_hour"
    PRICING_CHOICES = [(PER_CHART, "per chart"), (PER_HOUR, "per hour")]

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    baa_date = models.DateField("BAA signed", null=True, blank=True)
    pricing = models.CharField(max_length=10, choices=PRICING_CHOICES)
    price = models.DecimalField(max_digits=10, decimal_places=2, help_text="dollars per chart or per hour")
    base_rate = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="payment per 1.0000 of MS-DRG relative weight (the hospital's base rate), for payment impact",
    )
    rework_cost_per_denial = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # PHI access terms, checked by the provenance rules (docs/provenance.md).
    allowed_countries = models.JSONField(
        default=list, blank=True, validators=[validate_countries],
        help_text='ISO 3166 alpha-2 countries the vendor may access PHI from, e.g. ["US"]; empty: the '
                  "countries of the vendor's declared work locations",
    )
    requires_vdi = models.BooleanField(
        "VDI required, no local PHI", default=False,
        help_text="work only through the virtual desktop: export, print and download are breaches",
    )

    objects = ScopedManager(vendor="vendor", organization="vendor__organization")

    def countries(self) -> list[str]:
        """The allowed countries, or the countries of the vendor's declared work locations."""
        chosen = self.allowed_countries or [loc[:2] for loc in self.vendor.work_locations]
        return sorted(set(chosen))

    class Meta:
        ordering = ["vendor__name", "-start_date"]
        constraints = [
            models.CheckConstraint(
                name="contract_ends_after_it_starts",
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} from {self.start_date}"


COUNTING_RULE_CHOICES = [("code_over_code", "code-over-code"), ("record", "record (chart)"),
                         ("drg", "DRG (financial)")]
PRIORITY_CHOICES = [("standard", "standard"), ("complex", "complex"), ("urgent", "urgent")]


class EffectiveDates(models.Model):
    """A term's effective dates (inclusive): empty from = the contract's start, empty to = open.
    A month is judged under the terms in force on its first day (docs/scorecard.md)."""

    effective_from = models.DateField(null=True, blank=True, help_text="empty: from the contract's start")
    effective_to = models.DateField(null=True, blank=True, help_text="empty: until the contract ends")

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "ends before it takes effect"})


class AccuracySLA(EffectiveDates):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="accuracy_slas")
    # The organization's canonical specialty name (stored canonical: see save()).
    specialty = models.CharField(max_length=80)
    minimum_accuracy = models.DecimalField(max_digits=5, decimal_places=2, help_text="percent, e.g. 95.00")
    counting_rule = models.CharField(max_length=20, choices=COUNTING_RULE_CHOICES, default="code_over_code",
                                     help_text="how accuracy is counted for this SLA")

    objects = ScopedManager(vendor="contract__vendor", organization="contract__vendor__organization")

    class Meta:
        verbose_name = "accuracy SLA"
        constraints = [models.UniqueConstraint(fields=["contract", "specialty", "counting_rule", "effective_from"],
                                               name="one_accuracy_sla_per_specialty_rule_start")]

    def clean(self) -> None:
        super().clean()
        if not vocabulary.name_key(self.specialty or ""):
            raise ValidationError({"specialty": "a specialty needs a letter or digit"})

    def save(self, *args, **kwargs):
        from codingwatch.web.organizations.vocabulary import canonical

        self.specialty = canonical("specialty", self.specialty) or self.specialty
        super().save(*args, **kwargs)


class TurnaroundSLA(EffectiveDates):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="turnaround_slas")
    encounter_type = models.CharField(max_length=20, choices=ENCOUNTER_TYPE_CHOICES)
    priority = models.CharField(max_length=10, choices=PRIORITY_CHOICES, default="standard")
    percent_within = models.DecimalField(max_digits=5, decimal_places=2, default=100,
                                         help_text="P: percent of charts coded within the hours")
    maximum_hours = models.DecimalField(max_digits=7, decimal_places=1, help_text="H: received -> coded")

    objects = ScopedManager(vendor="contract__vendor", organization="contract__vendor__organization")

    class Meta:
        verbose_name = "turnaround SLA"
        constraints = [
            models.UniqueConstraint(fields=["contract", "encounter_type", "priority", "effective_from"],
                                    name="one_turnaround_sla_per_type_priority_start")
        ]


class ServiceTerms(EffectiveDates):
    """The month-level commitments: coding DNFB, coding-denial ceiling, query response, and the
    minimum audited charts before a month is judged on accuracy."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="service_terms")
    min_charts = models.PositiveIntegerField(default=30, help_text="audited charts before a month is judged")
    dnfb_days = models.DecimalField("coding DNFB days at most", max_digits=6, decimal_places=2, null=True,
                                    blank=True)
    coding_denial_rate = models.DecimalField("coding-denial rate ceiling (%)", max_digits=5, decimal_places=2,
                                             null=True, blank=True)
    query_percent = models.DecimalField("queries answered within the hours (%)", max_digits=5, decimal_places=2,
                                        null=True, blank=True)
    query_hours = models.DecimalField("query response hours", max_digits=7, decimal_places=1, null=True, blank=True)

    objects = ScopedManager(vendor="contract__vendor", organization="contract__vendor__organization")

    class Meta:
        verbose_name = "service terms"
        verbose_name_plural = "service terms"
        ordering = ["contract", "effective_from"]

    def clean(self) -> None:
        super().clean()
        if (self.query_percent is None) != (self.query_hours is None):
            raise ValidationError({"query_hours": "a query response term needs both percent and hours"})
        if self.min_charts is not None and self.min_charts < 2:
            raise ValidationError({"min_charts": "at least 2 charts"})


class CreditSchedule(EffectiveDates):
    """What the vendor credits for a breach: x% of the month's invoice per point below the
    accuracy SLA (capped), a fixed amount per turnaround breach day, coding-denial rework."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="credit_schedules")
    accuracy_percent_per_point = models.DecimalField(max_digits=5, decimal_places=2, default=0,
                                                     help_text="percent of the month's invoice per point below")
    accuracy_cap_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0,
                                               help_text="at most this percent of the month's invoice")
    turnaround_breach_day = models.DecimalField("credit per turnaround breach day", max_digits=10, decimal_places=2,
                                                default=0)
    rework_coding_denials = models.BooleanField("coding denials reworked at the vendor's cost", default=False)

    objects = ScopedManager(vendor="contract__vendor", organization="contract__vendor__organization")

    class Meta:
        ordering = ["contract", "effective_from"]


class Coder(models.Model):
    # The value of the lake's `coder_id` column: the login the coder works under.
    login_id = models.CharField(max_length=60, unique=True)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="coders")
    credentials = models.JSONField(default=list, blank=True, validators=[validate_credentials])
    specialties = models.JSONField(default=list, blank=True, validators=[validate_specialties])
    location = models.CharField(max_length=6, validators=[validate_location], help_text="declared ISO 3166 location")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = ScopedManager(vendor="vendor", organization="vendor__organization")

    class Meta:
        ordering = ["login_id"]

    def __str__(self) -> str:
        return self.login_id


class QueueAssignment(models.Model):
    coder = models.ForeignKey(Coder, on_delete=models.CASCADE, related_name="assignments")
    work_queue = models.ForeignKey(WorkQueue, on_delete=models.PROTECT, related_name="assignments")
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)

    objects = ScopedManager(vendor="coder__vendor", organization="coder__vendor__organization")

    class Meta:
        ordering = ["coder__login_id", "from_date"]
        constraints = [
            models.UniqueConstraint(fields=["coder", "work_queue", "from_date"], name="one_assignment_per_start"),
            models.CheckConstraint(
                name="assignment_ends_after_it_starts",
                condition=models.Q(to_date__isnull=True) | models.Q(to_date__gte=models.F("from_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coder} -> {self.work_queue} from {self.from_date}"
