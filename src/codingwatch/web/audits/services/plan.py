"""Changing an audit's plan before its sample is drawn: edit it, or delete it.

A plan is the auditor's own until the draw. From the draw on, the plan (scope, method, sample
design, seed) is what the frame and the sample were made from, so it is part of the audit's
record and never changes: a drawn audit refuses both, saying why. Each change re-reads the
audit row under `select_for_update` inside a transaction, so an edit or a deletion cannot slip
in beside a draw of the same audit (the draw checks the plan it used under the same lock).
"""

from __future__ import annotations

from django.db import transaction

from codingwatch.errors import CodingwatchError
from codingwatch.web.audits.models import DRAFT, Audit, AuditEvent

# The plan fields a draw reads: an edit of any of them between building the frame and storing
# the sample makes the draw refuse (see services/draw.py).
PLAN_FIELDS = (
    "vendor_id", "coders", "specialties", "encounter_types", "period_from", "period_to", "design", "strata_by",
    "size_rule", "sample_size", "expected_error_rate", "desired_precision", "confidence", "seed",
)


class PlanLocked(CodingwatchError, ValueError):
    """The plan can no longer change; the message says why."""


def plan_of(audit: Audit) -> tuple:
    """The plan's values, as the database holds them (an unsaved "0.050" is Decimal("0.050"))."""
    meta = Audit._meta
    return tuple(meta.get_field(name.removesuffix("_id")).to_python(getattr(audit, name)) for name in PLAN_FIELDS)


def lock_reason(audit: Audit) -> str:
    """Why the plan can no longer be edited or deleted ("" while it can)."""
    if audit.drawn:
        return (f"the sample was drawn on {audit.drawn_at:%Y-%m-%d %H:%M} UTC from this plan (frame of "
                f"{audit.frame_size} encounters, SHA-256 {audit.frame_sha256[:16]}...): a drawn plan is part of "
                "the audit's record and never changes; plan a new audit instead")
    if audit.state != DRAFT:
        return f"the audit is {audit.get_state_display()}: its plan is part of the audit's record"
    return ""


def _locked(audit: Audit) -> Audit:
    current = Audit.objects.select_for_update().get(pk=audit.pk)
    reason = lock_reason(current)
    if reason:
        raise PlanLocked(reason)
    return current


def update_plan(audit: Audit, form) -> Audit:
    """Save a bound, valid AuditForm of `audit`; refused once the sample is drawn."""
    with transaction.atomic():
        _locked(audit)
        return form.save()


def delete_plan(audit: Audit) -> None:
    """Delete an audit that has no sample yet; refused once the sample is drawn."""
    with transaction.atomic():
        current = _locked(audit)
        if AuditEvent.objects.filter(audit=current).exists() or current.cases.exists():
            raise PlanLocked("the audit has a history (events or cases): it is part of the record")
        current.delete()
