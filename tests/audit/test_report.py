"""The audit report states what an audit report must state, in HTML and in PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from codingwatch.audit import Case, compare_case
from codingwatch.audit.report import Auditor, SampleInfo, build_report, pareto_spec, render_html, write_pdf
from tests.audit.audit_builders import cpt, dx, inpatient, outpatient


@pytest.fixture
def report(assert_valid, grouper):
    cases = [
        Case(inpatient("IP-1", coder="C1"), dx("I509", "N179"), dx("I5021", "N179", "J9601")),
        Case(inpatient("IP-2", coder="C1", specialty="hospital_medicine"), dx("A419", "J9601", "N179"),
             dx("A419", "N179")),
        Case(outpatient("OP-1", coder="C2"), dx("R0789") + cpt("71046-26"), dx("R0789") + cpt("71046-TC")),
    ]
    results = [compare_case(assert_valid(c), grouper) for c in cases]
    return build_report(
        results,
        title="Q1 coding audit",
        auditor=Auditor("J. Rivera, CCS", "Northside HIM"),
        sample=SampleInfo(design="simple random sample", size=3, frame_size=250, seed="4967669.23"),
        base_rate=Decimal("6500.00"),
        sla={"cardiology": 0.95},
        overpayment_identified=dt.date(2026, 4, 1),
    )


def test_the_html_states_scope_method_sample_scores_and_who_audited(report):
    html = render_html(report)
    for heading in ("Scope", "Method", "Sample", "Scores", "Error kinds", "DRG changes and payment impact",
                    "Extrapolation", "Rebuttal outcome", "Findings"):
        assert f"<h2>{heading}</h2>" in html
    assert "4967669.23" in html and "independent of the vendor" in html
    assert "Code-over-code accuracy (AHIMA)" in html
    assert "lower limit of the two-sided 80% interval" in html  # the CMS rule, stated
    assert "2026-05-31" in html  # 60 days after identification
    assert "data:image/svg+xml;base64," in html


def test_a_vendors_own_review_is_called_internal_qa(report):
    text = Auditor("Acme QA", "Acme Coding", independent=False).statement()
    assert "not an independent measure" in text


def test_the_pareto_lists_error_kinds_largest_first(report):
    rows = pareto_spec(report.pareto)["data"]["values"]
    counts = [row["findings"] for row in rows]
    assert counts == sorted(counts, reverse=True)
    assert rows[-1]["cumulative"] == pytest.approx(1.0)


def test_the_pdf_is_written(report, tmp_path):
    path = write_pdf(render_html(report), tmp_path / "audit.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000
