"""The health system that uses codingwatch: organizations, facilities and their work queues."""

from __future__ import annotations

from django.db import models
from django_scopes import ScopedManager

from codingwatch import vocabulary

ENCOUNTER_TYPE_CHOICES = [(t, t) for t in vocabulary.ENCOUNTER_TYPES]
KIND_CHOICES = [(k, k) for k in vocabulary.OPEN_KINDS]


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)

    # Every request runs inside its user's organization (accounts.middleware.RoleMiddleware).
    objects = ScopedManager(organization="pk")

    def __str__(self) -> str:
        return self.name


class Facility(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="facilities")
    # The value of the lake's `facility` column for this facility's encounters.
    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=200, blank=True)
    # Exempt from POA reporting (CMS: e.g. critical access, children's, cancer hospitals): the
    # MS-DRG grouper runs with the EXEMPT hospital status, so HAC codes are not checked for POA.
    poa_exempt = models.BooleanField(
        "POA exempt", default=False,
        help_text="exempt from present-on-admission reporting: HAC codes are grouped without a POA check")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name or self.code


class WorkQueue(models.Model):
    """Where work arrives: one facility's encounters of one service line and encounter type."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="work_queues")
    service_line = models.CharField(max_length=80, help_text="a specialty, the organization's canonical name")
    encounter_type = models.CharField(max_length=20, choices=ENCOUNTER_TYPE_CHOICES)

    objects = ScopedManager(organization="facility__organization")

    class Meta:
        ordering = ["facility__code", "service_line", "encounter_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "service_line", "encounter_type"], name="one_queue_per_line_and_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.facility.code} / {self.service_line} / {self.encounter_type}"


class VocabularyName(models.Model):
    """One source system's name for a specialty, facility or payer, mapped to the organization's
    canonical name (`codingwatch manage import_vocabulary FILE`). Readers match source names by
    `vocabulary.name_key` (case, spaces, underscores and punctuation ignored)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="vocabulary")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    source = models.CharField(max_length=200, help_text="the name as a source system writes it")
    source_key = models.CharField(max_length=200, editable=False)
    canonical = models.CharField(max_length=200, help_text="the organization's name for it")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["kind", "canonical", "source"]
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "source_key"],
                                               name="one_mapping_per_source_name")]

    def save(self, *args, **kwargs):
        self.source_key = vocabulary.name_key(self.source)
        self.canonical = self.canonical.strip()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.kind}: {self.source} -> {self.canonical}"
