"""The independent coding audit: as coded vs as audited, findings, scores, payment impact.

Plain functions over plain data, so the web app and the CLI call the same engine:

    result = compare_case(Case(encounter, coded_lines, audited_lines), grouper)
    result.findings        # classified by the error taxonomy (FindingKind)
    score([result, ...])   # code-over-code, record and DRG accuracy with Wilson limits
"""

from codingwatch.audit.compare import classify_dx_change, compare_case, compare_cases, regroup
from codingwatch.audit.model import (
    Case,
    CaseResult,
    CodeLine,
    DrgPair,
    Encounter,
    Finding,
    FindingKind,
)
from codingwatch.audit.scoring import (
    LIMIT_RULES,
    CaseImpact,
    Extrapolation,
    GroupScore,
    Method,
    Rate,
    Scores,
    SlaResult,
    Tally,
    VariableAppraisal,
    case_impacts,
    extrapolate_overpayment,
    payment_totals,
    repayment_due,
    sample_overpayments,
    score,
    score_by,
    sla_results,
    variable_appraisal,
    wilson,
)

__all__ = [
    "LIMIT_RULES",
    "Case",
    "CaseImpact",
    "CaseResult",
    "CodeLine",
    "DrgPair",
    "Encounter",
    "Extrapolation",
    "Finding",
    "FindingKind",
    "GroupScore",
    "Method",
    "Rate",
    "Scores",
    "SlaResult",
    "Tally",
    "VariableAppraisal",
    "case_impacts",
    "classify_dx_change",
    "compare_case",
    "compare_cases",
    "extrapolate_overpayment",
    "payment_totals",
    "regroup",
    "repayment_due",
    "sample_overpayments",
    "score",
    "score_by",
    "sla_results",
    "variable_appraisal",
    "wilson",
]
