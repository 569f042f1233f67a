"""Saved cost scenarios: one organization's named scenarios, in the YAML file's shape."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class SavedScenario(models.Model):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="cost_scenarios")
    name = models.CharField(max_length=200)
    # The scenario as `codingwatch.cost` reads it (the YAML file's shape, as JSON).
    scenario = models.JSONField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="one_scenario_name_per_organization")]

    def __str__(self) -> str:
        return f"{self.organization} / {self.name}"
