"""The audit findings on one encounter that a user may see, for the evidence chain and the
denied claim's page (no import of either, so both can use it)."""

from __future__ import annotations

from django.urls import reverse


def _cases(user, encounter_key: str):
    from codingwatch.web.audits.models import VENDOR_VISIBLE_STATES, AuditCase

    cases = AuditCase.objects.filter(encounter_key=encounter_key).select_related("audit", "reviewed_by")
    if user.is_vendor_user:
        cases = cases.filter(audit__state__in=VENDOR_VISIBLE_STATES)
    return list(cases.prefetch_related("findings").order_by("audit_id", "number"))


def findings_on(user, encounter_key: str) -> list[dict]:
    """The findings on this encounter the user may see, each with its page (the audit case)."""
    out = []
    for case in _cases(user, encounter_key):
        for f in case.findings.all().order_by("pk"):
            out.append({
                "id": f.pk, "audit": case.audit_id, "audit_title": case.audit.title,
                "audit_state": case.audit.state, "case": case.number, "kind": f.kind,
                "code_system": f.code_system, "coded": f.coded, "audited": f.audited, "detail": f.detail,
                "payment_affecting": f.payment_affecting, "status": f.status, "root_cause": f.root_cause,
                "weight_change": None if f.weight_change is None else str(f.weight_change),
                "url": reverse("audit-case", args=[case.audit_id, case.number]),
                "label": f"{f.kind.replace('_', ' ')}: {f.coded or '—'} → {f.audited or '—'} ({f.status}, "
                         f"audit {case.audit_id} case {case.number})",
            })
    return out
