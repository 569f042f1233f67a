"""The audit report as a document: a plain data structure rendered to HTML and PDF.

`build_report` gathers what a report states (scope, method, sample and seed, scores with
limits, every finding with its rationale, root cause, the vendor's response and the decision
on it (who and when), the error-kind Pareto, DRG changes and payment impact, extrapolation,
rebuttal outcome, the sign-off); `render_html` fills the template of `codingwatch.reports`;
`write_pdf` lays the HTML out as PDF (through `reports.render`, the one caller of WeasyPrint).
The Pareto chart is one Vega-Lite spec (`reports.charts`) rendered to SVG by vl-convert, so
the browser and the PDF show the same chart.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from codingwatch.audit.model import ROOT_CAUSE_LABELS, CaseResult, Finding
from codingwatch.audit.scoring import (
    CaseImpact,
    Extrapolation,
    GroupScore,
    Method,
    PaymentTotals,
    Scores,
    SlaResult,
    Tally,
    case_impacts,
    extrapolate_overpayment,
    payment_totals,
    repayment_due,
    sample_overpayments,
    score,
    score_by,
    sla_results,
)
from codingwatch.reports import charts, render
from codingwatch.reports import format as fmt
from codingwatch.reports.charts import pareto_spec

__all__ = ["ROOT_CAUSE_LABELS", "AuditReport", "Auditor", "FindingRecord", "RebuttalOutcome", "SampleInfo",
           "SignOff", "Step", "build_report", "pareto_spec", "pareto_svg", "render_html", "write_pdf"]

FINDINGS_SHOWN = 500


@dataclass(frozen=True)
class Auditor:
    name: str
    organization: str = ""
    independent: bool = True  # False: the vendor audited its own coders (internal QA)

    def statement(self) -> str:
        who = self.name + (f" ({self.organization})" if self.organization else "")
        if self.independent:
            return f"Audited by {who}, independent of the vendor whose coding was audited."
        return (
            f"Audited by {who}, on the vendor's own side: this is the vendor's internal quality "
            "review, not an independent measure of its accuracy."
        )


@dataclass(frozen=True)
class SampleInfo:
    design: str = "as supplied"  # e.g. "simple random sample (RAT-STATS)", "stratified by specialty"
    size: int = 0
    frame_size: int | None = None
    seed: str | None = None
    frame_file: str | None = None
    lake_snapshot: str | None = None
    code_sets: str = ""


@dataclass(frozen=True)
class RebuttalOutcome:
    counts: dict[str, int]  # findings per final status (upheld, agreed, withdrawn, ...)
    note: str = ""

    @classmethod
    def of(cls, findings: Sequence[Finding], note: str = "") -> RebuttalOutcome:
        return cls(dict(sorted(Counter(f.status for f in findings).items())), note)


@dataclass(frozen=True)
class Step:
    """One act on a finding in the rebuttal: what was done, by whom, when and why."""

    action: str  # in words: "agreed", "rebutted", "upheld", "withdrawn", "escalated"
    by: str = ""  # "J. Rivera (auditor)"
    at: dt.datetime | None = None
    comment: str = ""


@dataclass(frozen=True)
class FindingRecord:
    """A finding as the report states it: the change, why, the vendor's answer and the decision."""

    finding: Finding
    case: str = ""  # how the reader finds the chart ("case 3"); the encounter id when empty
    response: Step | None = None  # the vendor's answer (agreed or rebutted)
    escalation: Step | None = None  # the auditor sent the rebuttal to the reviewer
    decision: Step | None = None  # the auditor's or the reviewer's decision on a rebuttal

    @property
    def root_cause_text(self) -> str:
        return ROOT_CAUSE_LABELS.get(self.finding.root_cause, self.finding.root_cause.replace("_", " "))


@dataclass(frozen=True)
class SignOff:
    """Who signs the report: the auditor, the reviewer of escalated findings, and when."""

    auditor: str
    auditor_at: dt.datetime | None = None  # when the auditor signed (routed or made final)
    reviewer: str = ""  # empty: no finding went to a reviewer
    reviewer_at: dt.datetime | None = None
    final: bool = True  # False: the audit is still open and the report is a draft
    final_by: str = ""
    final_at: dt.datetime | None = None


@dataclass(frozen=True)
class AuditReport:
    title: str
    scope: dict[str, str]
    purpose: str
    method: Method
    sample: SampleInfo
    auditor: Auditor
    scores: Scores
    groups: dict[str, list[GroupScore]]
    findings: list[Finding]
    records: list[FindingRecord]
    signoff: SignOff
    pareto: dict[str, int]
    drg_changes: list[CaseImpact]
    base_rate: Decimal | None = None
    payment: PaymentTotals | None = None
    extrapolation: Extrapolation | None = None
    sla: list[SlaResult] = field(default_factory=list)
    rebuttal: RebuttalOutcome | None = None
    overpayment_identified: dt.date | None = None
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def repayment_due(self) -> dt.date | None:
        return None if self.overpayment_identified is None else repayment_due(self.overpayment_identified)


def _scope_of(results: Sequence[CaseResult]) -> dict[str, str]:
    encounters = [r.encounter for r in results]
    days = [e.date_of_service for e in encounters]

    def listing(values) -> str:
        values = sorted({v for v in values if v})
        return ", ".join(values) if len(values) <= 8 else f"{len(values)} ({', '.join(values[:5])}, ...)"

    return {
        "vendors": listing(e.vendor for e in encounters),
        "coders": listing(e.coder_id for e in encounters),
        "specialties": listing(e.specialty for e in encounters),
        "encounter types": listing(e.encounter_type for e in encounters),
        "discharge / service dates": f"{min(days).isoformat()} to {max(days).isoformat()}" if days else "",
        "facilities": listing(e.facility for e in encounters),
    }


def build_report(
    results: Sequence[CaseResult],
    *,
    title: str,
    auditor: Auditor,
    method: Method = Method(),
    purpose: str = "routine",
    sample: SampleInfo | None = None,
    scope: dict[str, str] | None = None,
    base_rate: Decimal | None = None,
    limit_rule: str = "cms",
    sla: dict[str, float] | None = None,
    sla_measure: str = "dx",
    min_charts: int = 30,
    overpayment_identified: dt.date | None = None,
    rebuttal_note: str = "",
    records: Sequence[FindingRecord] | None = None,
    signoff: SignOff | None = None,
) -> AuditReport:
    """Everything the report states, computed from the compared cases.

    `records` are the findings with their rebuttal steps (the web's audit trail); without them
    each finding is stated as delivered, with no response recorded. `signoff` names who signs;
    without it the auditor signs as of the report's date and no reviewer is named.
    """
    sample = sample or SampleInfo(size=len(results))
    impacts = case_impacts(results, base_rate, method)
    extrapolation = None
    if base_rate is not None and sample.frame_size and len(results) >= 2:
        extrapolation = extrapolate_overpayment(
            sample_overpayments(results, base_rate, method), sample.frame_size, limit_rule
        )
    findings = [f for r in results for f in r.findings]
    if records is None:
        records = [FindingRecord(f) for f in findings]
    return AuditReport(
        title=title,
        scope={**_scope_of(results), **(scope or {})},
        purpose=purpose,
        method=method,
        sample=sample,
        auditor=auditor,
        scores=score(results, method),
        groups={by: score_by(results, by, method, min_charts=min_charts)
                for by in ("coder", "specialty", "encounter_type", "month")},
        findings=findings,
        records=list(records),
        signoff=signoff or SignOff(auditor.name),
        pareto=Tally.of(results, method).counts,
        drg_changes=impacts,
        base_rate=base_rate,
        payment=payment_totals(impacts) if base_rate is not None else None,
        extrapolation=extrapolation,
        sla=sla_results(results, sla, measure=sla_measure, method=method) if sla else [],
        rebuttal=RebuttalOutcome.of(findings, rebuttal_note),
        overpayment_identified=overpayment_identified,
    )


def pareto_svg(counts: dict[str, int]) -> str:
    return charts.svg(pareto_spec(counts))


def render_html(report: AuditReport) -> str:
    """The report as one self-contained HTML page (the chart inlined as an SVG image)."""
    env = render.environment("codingwatch.reports")
    env.filters["pct"] = lambda rate: fmt.percent(rate, missing="n/a")
    chart = ""
    if report.pareto:
        chart = charts.svg_data_uri(pareto_spec(report.pareto))
    rates = [
        ("Diagnosis codes (code-over-code)", report.scores.dx),
        ("Procedure codes (code-over-code)", report.scores.px),
        ("Records (charts with no change)", report.scores.record),
    ]
    if report.scores.drg is not None:
        rates.append(("DRG (inpatient charts whose MS-DRG held)", report.scores.drg))
    return env.get_template("audit_report.html").render(
        r=report,
        rates=rates,
        chart=chart,
        findings_shown=report.records[:FINDINGS_SHOWN],
        findings_cap=FINDINGS_SHOWN,
    )


def write_pdf(html: str, path: Path | str) -> Path:
    """Lays the report HTML out as a PDF file."""
    path = Path(path)
    path.write_bytes(render.pdf_bytes(html))
    return path
