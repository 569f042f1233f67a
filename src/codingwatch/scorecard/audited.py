"""Audited charts for the scorecard from the audit engine's compared cases.

Each case becomes one `AuditedChart`: its codes audited and matched (diagnoses and
procedures together, code-over-code as `audit.scoring` counts them, only the findings the
method counts), whether the record is correct, whether its MS-DRG stood, its stratum and that
stratum's universe size in the audit's frame.
"""

from __future__ import annotations

from collections.abc import Iterable

from codingwatch.audit.model import CaseResult, FindingKind
from codingwatch.audit.scoring import Method
from codingwatch.scorecard.kpis import AuditedChart


def chart_of(result: CaseResult, method: Method = Method(), *, stratum: str = "all",
             stratum_universe: int | None = None, audit: str = "", encounter_key: str = "") -> AuditedChart:
    counted = [f for f in result.findings if method.counts(f)]
    dx_miss = sum(1 for f in counted if f.misses_audited_dx)
    px_miss = sum(1 for f in counted if f.misses_audited_px)
    audited = result.dx_audited + result.px_audited
    matched = max(0, result.dx_audited - dx_miss) + max(0, result.px_audited - px_miss)
    drg_unchanged = None
    if result.drg is not None:
        drg_unchanged = not any(f.kind in (FindingKind.drg_up, FindingKind.drg_down) for f in counted)
    e = result.encounter
    return AuditedChart(
        vendor=e.vendor, month=e.date_of_service.replace(day=1), codes_audited=audited, codes_matched=matched,
        record_correct=not counted, drg_unchanged=drg_unchanged, coder_id=e.coder_id, specialty=e.specialty,
        facility=e.facility, encounter_type=e.encounter_type, stratum=stratum or "all",
        stratum_universe=stratum_universe, audit=audit, encounter_key=encounter_key or e.encounter_id,
    )


def charts_of(results: Iterable[CaseResult], method: Method = Method(), **kwargs) -> list[AuditedChart]:
    return [chart_of(r, method, **kwargs) for r in results]
