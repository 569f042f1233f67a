"""The audits part of the REST API: audits, cases, findings and rebuttal actions, vendor-scoped.

Same rules as the pages: a vendor user sees only their vendor's audits, never a draft; another
vendor's audit, case or finding answers 404; a step the workflow refuses answers 409 with why.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.audits.models import AuditCase, Finding
from codingwatch.web.audits.services.workflow import WorkflowError, act_on_finding, transition
from codingwatch.web.audits.views import visible_audits

router = Router(tags=["audits"])


class AuditOut(Schema):
    id: int
    title: str
    vendor: str
    purpose: str
    state: str
    period_from: dt.date
    period_to: dt.date
    seed: str
    frame_size: int | None
    frame_sha256: str
    lake_snapshot: str
    revision: int
    reopens: int | None = Field(None, alias="reopens_id", description="the final audit this revision reopens")
    cases: int

    @staticmethod
    def resolve_vendor(audit):
        return audit.vendor.code

    @staticmethod
    def resolve_cases(audit):
        return audit.cases.count()


class CaseOut(Schema):
    number: int
    stratum: str
    frame_number: int
    encounter_type: str
    specialty: str
    coder_id: str
    coded_lines: list[dict]
    audited_lines: list[dict] | None
    coded_drg: int | None
    audited_drg: int | None
    coded_weight: Decimal | None
    audited_weight: Decimal | None
    reviewed: bool


class FindingOut(Schema):
    id: int
    case: int
    kind: str
    code_system: str
    coded: str
    audited: str
    detail: str
    payment_affecting: bool
    weight_change: Decimal | None
    rationale: str
    root_cause: str
    status: str
    vendor_response: str
    vendor_comment: str
    auditor_comment: str
    reviewer_comment: str

    @staticmethod
    def resolve_case(finding):
        return finding.case.number


class ActionIn(Schema):
    comment: str = ""


def _audit(request, audit_id: int):
    return get_object_or_404(visible_audits(request.user), pk=audit_id)


@router.get("", response=list[AuditOut], summary="Audits you may see")
def audit_list(request):
    return list(visible_audits(request.user))


@router.get("/{audit_id}", response=AuditOut, summary="One audit: plan, seed, frame and lake snapshot")
def audit_detail(request, audit_id: int):
    audit = _audit(request, audit_id)
    record_access(request, action=AccessEvent.VIEW, object_type="audit", object_id=str(audit.pk))
    return audit


@router.get("/{audit_id}/cases", response=list[CaseOut], summary="The audit's cases (as coded, as audited)")
def case_list(request, audit_id: int):
    """Chart-level data: each read is recorded in the access trail."""
    cases = list(AuditCase.objects.filter(audit=_audit(request, audit_id)))
    record_access(request, action=AccessEvent.VIEW, object_type="audit_cases", object_id=str(audit_id))
    return cases


@router.get("/{audit_id}/findings", response=list[FindingOut], summary="The audit's findings and their rebuttal status")
def finding_list(request, audit_id: int):
    """Chart-level data: each read is recorded in the access trail."""
    findings = list(Finding.objects.filter(case__audit=_audit(request, audit_id)).select_related("case"))
    record_access(request, action=AccessEvent.VIEW, object_type="audit_findings", object_id=str(audit_id))
    return findings


@router.post("/{audit_id}/steps/{name}", response=AuditOut,
             summary="Move the audit: route, submit_responses, escalate, finalize or reopen (answers the new revision)")
def audit_step(request, audit_id: int, name: str, payload: ActionIn):
    audit = _audit(request, audit_id)
    try:
        result = transition(audit, request.user, name, payload.comment)
    except WorkflowError as exc:
        raise HttpError(409, str(exc)) from None
    record_access(request, action=AccessEvent.VIEW, object_type="audit", object_id=str(result.pk))
    visible = visible_audits(request.user).filter(pk=result.pk).first()
    return visible or result


@router.post("/{audit_id}/findings/{finding_id}/{action}", response=FindingOut,
             summary="Respond to a finding: agree, rebut, uphold, withdraw, escalate, decide_uphold, decide_withdraw")
def finding_step(request, audit_id: int, finding_id: int, action: str, payload: ActionIn):
    audit = _audit(request, audit_id)
    finding = get_object_or_404(Finding.objects.select_related("case__audit"), pk=finding_id, case__audit=audit)
    try:
        finding = act_on_finding(finding, request.user, action, payload.comment)
    except WorkflowError as exc:
        raise HttpError(409, str(exc)) from None
    record_access(request, action=AccessEvent.VIEW, object_type="finding", object_id=str(finding.pk))
    return finding
