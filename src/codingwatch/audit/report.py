"""The audit report as a document: a plain data structure rendered to HTML and PDF.

`build_report` gathers what a report states (scope, method, sample and seed, scores with
limits, findings, the error-kind Pareto, DRG changes and payment impact, extrapolation,
rebuttal outcome, who audited); `render_html` fills the template; `write_pdf` prints the
HTML with WeasyPrint. The Pareto chart is one Vega-Lite spec (altair) rendered to SVG by
vl-convert, so the browser and the PDF show the same chart.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from codingwatch.audit.model import CaseResult, Finding
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
) -> AuditReport:
    """Everything the report states, computed from the compared cases."""
    sample = sample or SampleInfo(size=len(results))
    impacts = case_impacts(results, base_rate, method)
    extrapolation = None
    if base_rate is not None and sample.frame_size and len(results) >= 2:
        extrapolation = extrapolate_overpayment(
            sample_overpayments(results, base_rate, method), sample.frame_size, limit_rule
        )
    findings = [f for r in results for f in r.findings]
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
        pareto=Tally.of(results, method).counts,
        drg_changes=impacts,
        base_rate=base_rate,
        payment=payment_totals(impacts) if base_rate is not None else None,
        extrapolation=extrapolation,
        sla=sla_results(results, sla, measure=sla_measure, method=method) if sla else [],
        rebuttal=RebuttalOutcome.of(findings, rebuttal_note),
        overpayment_identified=overpayment_identified,
    )


def pareto_spec(counts: dict[str, int]) -> dict:
    """Vega-Lite spec: findings per error kind, largest first, with the cumulative share."""
    import altair as alt

    total = sum(counts.values()) or 1
    running = 0
    rows = []
    for kind, n in counts.items():
        running += n
        rows.append({"kind": kind, "findings": n, "cumulative": running / total})
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("kind:N", sort=None, title="error kind", axis=alt.Axis(labelAngle=-40))
    )
    bars = base.mark_bar(color="#4c78a8").encode(y=alt.Y("findings:Q", title="findings"))
    line = base.mark_line(color="#e45756", point=True).encode(
        y=alt.Y("cumulative:Q", title="cumulative share", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]))
    )
    chart = alt.layer(bars, line).resolve_scale(y="independent").properties(width=560, height=240)
    return chart.to_dict()


def pareto_svg(counts: dict[str, int]) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(pareto_spec(counts))


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _money(x: Decimal | str | None) -> str:
    if x is None:
        return ""
    value = Decimal(str(x))
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def render_html(report: AuditReport) -> str:
    """The report as one self-contained HTML page (the chart inlined as an SVG image)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("codingwatch.audit").joinpath("templates", name).read_text()
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = _pct
    env.filters["money"] = _money
    chart = ""
    if report.pareto:
        chart = "data:image/svg+xml;base64," + base64.b64encode(pareto_svg(report.pareto).encode()).decode()
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
        findings_shown=report.findings[:FINDINGS_SHOWN],
        findings_cap=FINDINGS_SHOWN,
    )


def write_pdf(html: str, path: Path | str) -> Path:
    """Prints the report HTML to PDF with WeasyPrint."""
    import logging

    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    path = Path(path)
    HTML(string=html).write_pdf(path)
    return path
