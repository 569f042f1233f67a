"""Parallel coding: the same charts coded by a vendor and by the in-house team.

The in-house coding is the reference (it stands where the auditor's would): agreement is
code-over-code against the in-house codes, record-level and DRG agreement, overall and by
specialty, with Wilson 95% limits, and the commonest disagreement kinds.
"""

from __future__ import annotations

from codingwatch.audit.model import CaseResult
from codingwatch.audit.scoring import Tally, score

REFERENCE = "in-house coding (denominator of code-over-code agreement)"


def agreement_row(key: str, results: list[CaseResult]) -> dict[str, object]:
    """Agreement of one group of charts (`key` names it), with its five commonest disagreements."""
    s = score(results).as_dict()
    return {
        "key": key,
        "encounters": s["encounters"],
        "dx_agreement": s["dx_accuracy"],
        "dx_agreement_limits": s["dx_accuracy_limits"],
        "px_agreement": s["px_accuracy"],
        "px_agreement_limits": s["px_accuracy_limits"],
        "record_agreement": s["record_accuracy"],
        "record_agreement_limits": s["record_accuracy_limits"],
        "drg_agreement": s["drg_accuracy"],
        "drg_agreement_limits": s["drg_accuracy_limits"],
        "payment_impact_weight": s["payment_impact_weight"],
        "disagreements": dict(list(Tally.of(results).counts.items())[:5]),
    }


def parallel_agreement(results: list[CaseResult]) -> dict[str, object]:
    """Agreement overall and by specialty (in name order); each result compares the vendor's
    coding (as coded) with the in-house coding (as audited) of one chart."""
    specialties: dict[str, list[CaseResult]] = {}
    for r in results:
        specialties.setdefault(r.encounter.specialty, []).append(r)
    return {
        "reference": REFERENCE,
        "overall": agreement_row("all", results),
        "by_specialty": [agreement_row(k, v) for k, v in sorted(specialties.items())],
    }
