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
from codingwatch.audit.report import Auditor, AuditReport, SampleInfo, build_report
from codingwatch.web.audits.models import FINAL, OPEN, UPHELD, Audit
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


def case_results(audit: Audit) -> list[CaseResult]:
    results = []
    cases = audit.cases.filter(reviewed_at__isnull=False).prefetch_related("findings")
    for case in cases:
        encounter = encounter_of(case)
        findings = tuple(
            Finding(encounter.encounter_id, FindingKind(f.kind), f.code_system, f.coded or None, f.audited or None,
                    f.detail, f.payment_affecting, f.weight_change, f.status, f.rationale, f.root_cause)
            for f in case.findings.all()
        )
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


def audit_report(audit: Audit) -> AuditReport:
    contract = contract_for(audit)
    base_rate = contract.base_rate if contract else None
    sla = {s.specialty: float(s.minimum_accuracy / Decimal(100)) for s in contract.accuracy_slas.all()} if contract else {}
    author = audit.created_by
    design = dict(audit._meta.get_field("design").choices)[audit.design]
    if audit.design == "stratified":
        design += f" by {audit.strata_by.replace('_', ' ')}"
    strata = ", ".join(f"{name}: {n} of {N}" for name, (N, n) in sorted(audit.frame_strata.items()))
    sample = SampleInfo(
        design=f"{design} (RAT-STATS single-stage random numbers per stratum); {strata}",
        size=audit.cases.count(),
        frame_size=audit.frame_size if audit.design == "simple" else None,
        seed=audit.seed,
        frame_file=f"{audit.frame_file} (SHA-256 {audit.frame_sha256})" if audit.frame_file else None,
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
        auditor=Auditor(author.get_full_name() or author.get_username(), independent=not author.is_vendor_user),
        method=method_of(audit),
        purpose=audit.get_purpose_display(),
        sample=sample,
        scope=scope,
        base_rate=base_rate,
        limit_rule=audit.limit_rule,
        sla=sla or None,
        overpayment_identified=audit.overpayment_identified,
        rebuttal_note="" if audit.state == FINAL else "Not final: findings not yet resolved count as the auditor has them.",
    )
