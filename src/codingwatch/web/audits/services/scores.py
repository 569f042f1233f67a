"""Scores and the report of an audit, by the audit engine, from the findings in the database.

Each reviewed case becomes the engine's CaseResult (findings with their rebuttal status, the
stored counts and DRG pair); `build_report` does the rest: accuracy with Wilson limits by
coder, specialty, encounter type and month, payment impact at the contract's base rate,
extrapolation to the frame with the limit rule, results against the contract's accuracy SLAs.
Only upheld findings count; before the audit is final, findings still open count as the
auditor has them (the page says so).
"""

from __future__ import annotations

from decimal import Decimal

from codingwatch.audit import Case, CaseResult, DrgPair, Finding, FindingKind, Method
from codingwatch.audit.report import (
    Auditor,
    AuditReport,
    FindingRecord,
    SampleInfo,
    SignOff,
    Step,
    build_report,
)
from codingwatch.web.accounts import roles
from codingwatch.web.audits.models import FINAL, OPEN, UPHELD, Audit, AuditEvent
from codingwatch.web.audits.services.convert import encounter_of, to_code_lines
from codingwatch.web.vendors.models import Contract

PRELIMINARY_STATUSES = (UPHELD, OPEN, "rebutted", "escalated")


def contract_for(audit: Audit) -> Contract | None:
    """The vendor's contract in force at the end of the audit period (else the latest one)."""
    contracts = Contract.objects.filter(vendor=audit.vendor).prefetch_related("accuracy_slas")
    current = contracts.filter(start_date__lte=audit.period_to).order_by("-start_date").first()
    return current or contracts.order_by("-start_date").first()


def method_of(audit: Audit) -> Method:
    statuses = (UPHELD,) if audit.state == FINAL else PRELIMINARY_STATUSES
    return Method(audit.principal_dx_weight, audit.payment_error_weight, statuses)


def _engine_finding(encounter_id: str, f) -> Finding:
    return Finding(encounter_id, FindingKind(f.kind), f.code_system, f.coded or None, f.audited or None,
                   f.detail, f.payment_affecting, f.weight_change, f.status, f.rationale, f.root_cause)


def case_results(audit: Audit) -> list[CaseResult]:
    results = []
    cases = audit.cases.filter(reviewed_at__isnull=False).prefetch_related("findings")
    for case in cases:
        encounter = encounter_of(case)
        findings = tuple(_engine_finding(encounter.encounter_id, f) for f in case.findings.all())
        drg = None
        if case.encounter_type == "inpatient" and case.coded_drg is not None:
            drg = DrgPair(case.coded_drg, case.audited_drg, case.coded_weight, case.audited_weight,
                          case.grouper_version or 0)
        results.append(CaseResult(
            Case(encounter, to_code_lines(case.coded_lines), to_code_lines(case.audited_lines or []),
                 case.audited_discharge_status),
            findings, case.dx_audited, case.px_audited, drg,
        ))
    return results


# Finding steps of the trail -> (which part of the record, the step in words).
_STEP_WORDS = {
    "finding_agree": ("response", "agreed"),
    "finding_rebut": ("response", "rebutted"),
    "finding_escalate": ("escalation", "escalated to the reviewer"),
    "finding_uphold": ("decision", "upheld by the auditor"),
    "finding_withdraw": ("decision", "withdrawn by the auditor"),
    "finding_decide_uphold": ("decision", "upheld by the reviewer"),
    "finding_decide_withdraw": ("decision", "withdrawn by the reviewer"),
}


def _who(event: AuditEvent) -> str:
    name = event.user.get_full_name() or event.username
    return f"{name} ({roles.ROLES.get(event.role, (event.role, ''))[0]})"


def finding_records(audit: Audit) -> list[FindingRecord]:
    """Every finding of the reviewed cases with its rebuttal steps: the vendor's answer, an
    escalation, the decision, each with who and when (the latest of each kind), from the trail
    of this audit and of the revisions it reopens (a reopened finding keeps its history)."""
    chain = [audit.pk]  # this revision and the final ones it reopens
    while (before := Audit.objects.model._base_manager.filter(pk=chain[-1]).values_list("reopens_id", flat=True)
           .first()) is not None:
        chain.append(before)
    steps: dict[tuple[int, str], dict[str, Step]] = {}
    events = (AuditEvent.objects.filter(audit__in=chain, finding__isnull=False,
                                        action__in=list(_STEP_WORDS))
              .select_related("finding__case", "user").order_by("at", "id"))
    for e in events:
        part, words = _STEP_WORDS[e.action]
        key = (e.finding.case.number, e.finding.signature)
        steps.setdefault(key, {})[part] = Step(words, _who(e), e.at, e.comment)
    records = []
    cases = audit.cases.filter(reviewed_at__isnull=False).prefetch_related("findings")
    for case in cases:
        encounter = encounter_of(case)
        for f in case.findings.all():
            found = steps.get((case.number, f.signature), {})
            response = found.get("response")
            if response is None and f.vendor_response:  # a finding copied without its trail
                response = Step("agreed" if f.vendor_response == "agree" else "rebutted", comment=f.vendor_comment)
            records.append(FindingRecord(_engine_finding(encounter.encounter_id, f), f"case {case.number}",
                                         response, found.get("escalation"), found.get("decision")))
    return records


def signoff_of(audit: Audit, author_name: str) -> SignOff:
    """The auditor who routed the findings (else who planned), the reviewer who decided
    escalated findings, and who made the audit final, from the trail."""
    chain_events = AuditEvent.objects.filter(audit=audit).select_related("user").order_by("at", "id")
    routed = chain_events.filter(action="route").last()
    final = chain_events.filter(action="finalize").last()
    reviewed = chain_events.filter(action__startswith="finding_decide_").last()
    return SignOff(
        auditor=_who(routed) if routed else author_name,
        auditor_at=routed.at if routed else None,
        reviewer=_who(reviewed) if reviewed else "",
        reviewer_at=reviewed.at if reviewed else None,
        final=audit.state == FINAL,
        final_by=_who(final) if final and audit.state == FINAL else "",
        final_at=final.at if final and audit.state == FINAL else None,
    )


def audit_report(audit: Audit) -> AuditReport:
    contract = contract_for(audit)
    base_rate = contract.base_rate if contract else None
    sla = {s.specialty: float(s.minimum_accuracy / Decimal(100)) for s in contract.accuracy_slas.all()} if contract else {}
    author = audit.created_by
    author_name = author.get_full_name() or author.get_username()
    design = dict(audit._meta.get_field("design").choices)[audit.design]
    if audit.design == "stratified":
        design += f" by {audit.strata_by.replace('_', ' ')}"
    strata = ", ".join(f"{name}: {n} of {N}" for name, (N, n) in sorted(audit.frame_strata.items()))
    sample = SampleInfo(
        design=f"{design} (RAT-STATS single-stage random numbers per stratum); {strata}",
        size=audit.cases.count(),
        frame_size=audit.frame_size if audit.design == "simple" else None,
        seed=audit.seed,
        # Described, not located: the file's place on the server is nobody's business but the server's.
        frame_file=(f"the numbered sampling frame kept with the audit, {audit.frame_size} encounters "
                    f"(SHA-256 {audit.frame_sha256})") if audit.frame_file else None,
        lake_snapshot=audit.lake_snapshot or None,
        code_sets="; ".join(f"{k}: {v}" for k, v in audit.code_sets.items()),
    )
    scope = {
        "vendor": f"{audit.vendor.name} ({audit.vendor.code})",
        "coders": ", ".join(audit.coders) or "all",
        "specialties": ", ".join(audit.specialties) or "all",
        "encounter types": ", ".join(audit.encounter_types) or "all",
        "period": f"{audit.period_from} to {audit.period_to}",
        "state": audit.get_state_display(),
    }
    return build_report(
        case_results(audit),
        title=audit.title,
        auditor=Auditor(author_name, independent=not author.is_vendor_user),
        method=method_of(audit),
        purpose=audit.get_purpose_display(),
        sample=sample,
        scope=scope,
        base_rate=base_rate,
        limit_rule=audit.limit_rule,
        sla=sla or None,
        overpayment_identified=audit.overpayment_identified,
        rebuttal_note="" if audit.state == FINAL else "Not final: findings not yet resolved count as the auditor has them.",
        records=finding_records(audit),
        signoff=signoff_of(audit, author_name),
    )
