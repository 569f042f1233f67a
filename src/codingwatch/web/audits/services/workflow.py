"""The rebuttal workflow (domain.md) as a state machine: who may move an audit where, and when.

    draft --route (auditor)--> routed --submit responses (vendor)--> auditor_review
    auditor_review --escalate (auditor)--> escalated --finalize (reviewer)--> final
    auditor_review --finalize (auditor)--> final
    final --reopen (auditor, director, admin; comment required)--> draft (a new revision)

A final audit never changes (the database refuses it): reopening inserts the audit's next
revision, a draft that copies the final revision's plan, draw, cases and findings and names
the final one in `reopens`; the work goes on there and the final revision stays as it was.

Each finding: open --agree (vendor)--> upheld; open --rebut (vendor, comment)--> rebutted;
rebutted --uphold | withdraw (auditor, comment)--> upheld | withdrawn; rebutted --escalate
(auditor, comment)--> escalated --uphold | withdraw (reviewer, comment)--> upheld | withdrawn.
Every step is an AuditEvent (who, role, when, comment); anything else raises WorkflowError.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from codingwatch.web.accounts import roles
from codingwatch.web.audits.models import (
    AUDITOR_REVIEW,
    DRAFT,
    ESCALATED,
    FINAL,
    FINDING_ESCALATED,
    OPEN,
    REBUTTED,
    ROUTED,
    UPHELD,
    WITHDRAWN,
    Audit,
    AuditCase,
    Finding,
)
from codingwatch.web.audits.services.events import WorkflowError, record_event
from codingwatch.web.audits.services.scores import audit_report

__all__ = ["WorkflowError", "record_event"]  # re-exported: callers name them through the workflow too

AUDITOR_ROLES = frozenset({roles.AUDITOR, roles.ADMIN})
REVIEWER_ROLES = frozenset({roles.DIRECTOR, roles.ADMIN})  # the role-gated escalation reviewer
REOPEN_ROLES = frozenset({roles.AUDITOR, roles.DIRECTOR, roles.ADMIN})
VENDOR_ROLES = roles.VENDOR_SCOPED_ROLES
# Roles that read charts (auditing, rebutting, deciding escalations): they may reveal source ids.
CHART_REVIEW_ROLES = frozenset({roles.AUDITOR, roles.DIRECTOR, roles.VENDOR})

# transition name -> (from states, to state, roles allowed, comment required)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, frozenset, bool]] = {
    "route": ((DRAFT,), ROUTED, AUDITOR_ROLES, False),
    "submit_responses": ((ROUTED,), AUDITOR_REVIEW, VENDOR_ROLES, False),
    "escalate": ((AUDITOR_REVIEW,), ESCALATED, AUDITOR_ROLES, False),
    "finalize": ((AUDITOR_REVIEW, ESCALATED), FINAL, AUDITOR_ROLES | REVIEWER_ROLES, False),
    "reopen": ((FINAL,), DRAFT, REOPEN_ROLES, True),
}
TRANSITION_LABELS = {
    "route": "Route to vendor",
    "submit_responses": "Submit responses to the auditor",
    "escalate": "Escalate unresolved findings",
    "finalize": "Make final",
    "reopen": "Reopen",
}

# finding action -> (audit state, from statuses, to status, roles, comment required)
FINDING_ACTIONS: dict[str, tuple[str, tuple[str, ...], str, frozenset, bool]] = {
    "agree": (ROUTED, (OPEN, REBUTTED), UPHELD, VENDOR_ROLES, False),
    "rebut": (ROUTED, (OPEN, UPHELD), REBUTTED, VENDOR_ROLES, True),
    "uphold": (AUDITOR_REVIEW, (REBUTTED,), UPHELD, AUDITOR_ROLES, True),
    "withdraw": (AUDITOR_REVIEW, (REBUTTED,), WITHDRAWN, AUDITOR_ROLES, True),
    "escalate": (AUDITOR_REVIEW, (REBUTTED,), FINDING_ESCALATED, AUDITOR_ROLES, True),
    "decide_uphold": (ESCALATED, (FINDING_ESCALATED,), UPHELD, REVIEWER_ROLES, True),
    "decide_withdraw": (ESCALATED, (FINDING_ESCALATED,), WITHDRAWN, REVIEWER_ROLES, True),
}


def allowed_transitions(audit: Audit, user) -> list[str]:
    return [name for name, (sources, _, who, _) in TRANSITIONS.items()
            if audit.state in sources and user.role in who and not _blocker(audit, name)]


def _findings(audit: Audit):
    return Finding.objects.filter(case__audit=audit)


def _blocker(audit: Audit, name: str) -> str:
    """Why the transition cannot happen yet ("" when it can)."""
    findings = _findings(audit)
    if name == "route":
        if not audit.drawn:
            return "draw the sample first"
        unreviewed = audit.cases.filter(reviewed_at__isnull=True).count()
        if unreviewed:
            return f"{unreviewed} case(s) not reviewed yet"
    if name == "submit_responses" and findings.filter(status=OPEN).exists():
        return "answer every finding (agree or rebut) first"
    if name == "escalate":
        if findings.filter(status=REBUTTED).exists():
            return "uphold, withdraw or escalate every rebutted finding first"
        if not findings.filter(status=FINDING_ESCALATED).exists():
            return "no finding is escalated"
    if name == "reopen" and Audit.objects.model._base_manager.filter(reopens=audit).exists():
        return "this final audit is already reopened: work on its next revision"
    if name == "finalize":
        if findings.filter(status__in=(OPEN, REBUTTED)).exists():
            return "every rebutted finding must be upheld, withdrawn or escalated first"
        if audit.state == AUDITOR_REVIEW and findings.filter(status=FINDING_ESCALATED).exists():
            return "escalated findings go to the reviewer: escalate the audit"
        if audit.state == ESCALATED and findings.filter(status=FINDING_ESCALATED).exists():
            return "decide every escalated finding first"
    return ""


def transition(audit: Audit, user, name: str, comment: str = "", *, today: dt.date | None = None) -> Audit:
    if name not in TRANSITIONS:
        raise WorkflowError(f"no such step: {name}")
    sources, target, who, needs_comment = TRANSITIONS[name]
    if audit.state not in sources:
        raise WorkflowError(f"cannot {name.replace('_', ' ')} an audit that is {audit.get_state_display()}")
    if user.role not in who:
        raise WorkflowError(f"the {user.role_label} role cannot {name.replace('_', ' ')} an audit")
    if name == "finalize" and audit.state == ESCALATED and user.role not in REVIEWER_ROLES:
        raise WorkflowError("only the reviewer (director or admin) finalizes an escalated audit")
    if needs_comment and not comment.strip():
        raise WorkflowError(f"{TRANSITION_LABELS[name].lower()} needs a comment saying why")
    blocker = _blocker(audit, name)
    if blocker:
        raise WorkflowError(blocker)
    if name == "reopen":
        return _reopen(audit, user, comment.strip())
    with transaction.atomic():
        before = audit.state
        audit.state = target
        if name == "finalize":
            _identify_overpayment(audit, today or timezone.localdate())
        Audit.objects.filter(pk=audit.pk).update(
            state=audit.state, overpayment_identified=audit.overpayment_identified,
            net_overpayment=audit.net_overpayment,
        )
        record_event(audit, user, name, from_state=before, to_state=target, comment=comment.strip())
    return audit


# Columns a revision does not copy from the audit it reopens.
_NOT_COPIED = {"id", "state", "revision", "reopens", "created_at"}


@transaction.atomic
def _reopen(audit: Audit, user, comment: str) -> Audit:
    """Inserts the next revision of a final audit (a draft) with copies of its cases and findings.

    The overpayment identification date is copied: the 60-day clock started when the final
    revision identified it. Returns the new revision; `audit` stays final.
    """
    revision = Audit(**{f.attname: getattr(audit, f.attname) for f in Audit._meta.concrete_fields
                        if f.name not in _NOT_COPIED})
    revision.state, revision.revision, revision.reopens = DRAFT, audit.revision + 1, audit
    revision.save()
    cases = list(AuditCase.objects.model._base_manager.filter(audit=audit).order_by("number"))
    findings: dict[int, list[Finding]] = {}
    for f in Finding.objects.model._base_manager.filter(case__audit=audit).order_by("id"):
        findings.setdefault(f.case_id, []).append(f)
    copies = []
    for case in cases:
        old_id = case.pk
        case.pk, case.audit = None, revision
        case.save()
        for f in findings.get(old_id, []):
            f.pk, f.case = None, case
            copies.append(f)
    Finding.objects.bulk_create(copies)
    # The step is kept on the final revision (an insert); the new revision's page shows its lineage's steps.
    record_event(audit, user, "reopen", from_state=FINAL, to_state=DRAFT, comment=comment)
    return revision


def lineage(audit: Audit) -> list[Audit]:
    """The audit's revisions up to this one, first first."""
    chain = [audit]
    while chain[0].reopens_id is not None:
        chain.insert(0, Audit.objects.model._base_manager.get(pk=chain[0].reopens_id))
    return chain


def _identify_overpayment(audit: Audit, today: dt.date) -> None:
    """A final audit that found a net overpayment starts the 60-day repayment clock today."""
    report = audit_report(audit)
    net = report.payment.net_overpayment if report.payment else None
    audit.net_overpayment = net
    if net is not None and net > 0 and audit.overpayment_identified is None:
        audit.overpayment_identified = today


def act_on_finding(finding: Finding, user, action: str, comment: str = "") -> Finding:
    audit = finding.case.audit
    if action not in FINDING_ACTIONS:
        raise WorkflowError(f"no such response: {action}")
    state, sources, target, who, needs_comment = FINDING_ACTIONS[action]
    if audit.state != state:
        raise WorkflowError(f"cannot {action.replace('_', ' ')} a finding while the audit is {audit.get_state_display()}")
    if user.role not in who:
        raise WorkflowError(f"the {user.role_label} role cannot {action.replace('_', ' ')} a finding")
    if finding.status not in sources:
        raise WorkflowError(f"cannot {action.replace('_', ' ')} a finding that is {finding.status}")
    comment = comment.strip()
    if needs_comment and not comment:
        raise WorkflowError(f"{action.replace('_', ' ')} needs a comment")
    with transaction.atomic():
        before = finding.status
        finding.status = target
        if action in ("agree", "rebut"):
            finding.vendor_response = action
            finding.vendor_comment = comment
        elif action in ("uphold", "withdraw", "escalate"):
            finding.auditor_comment = comment
        else:
            finding.reviewer_comment = comment
        finding.save()
        record_event(audit, user, f"finding_{action}", finding=finding, from_state=before, to_state=target,
                     comment=comment)
    return finding
