"""Scores on hand-worked charts: real FY2026 codes, DRGs and weights from the CMS grouper and Table 5."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from codingwatch.audit import (
    Case,
    FindingKind,
    Method,
    Tally,
    case_impacts,
    compare_case,
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
from codingwatch.codesets import drg_weight
from tests.audit.audit_builders import cpt, dx, inpatient, outpatient


@pytest.fixture
def charts(assert_valid, grouper):
    """Four charts worked by hand.

    A (C1, inpatient): coded I50.9, N17.9; audited I50.21, N17.9, J96.01: 1 of 3 dx matched
      (principal made more specific, MCC missed); DRG 292 -> 291.
    B (C1, inpatient): coded A41.9, J96.01, N17.9; audited A41.9, N17.9: 2 of 2 matched, the
      MCC deleted; DRG 871 -> 872.
    C (C2, inpatient): J18.9, E11.9 on both: correct.
    D (C2, outpatient radiology): R07.89 and CPT 71046 on both, modifier 26 changed to TC.
    Totals: dx 6 of 8 matched; px 1 of 1; 1 of 4 records correct; DRG unchanged on 1 of 3.
    """
    cases = [
        Case(inpatient("A", coder="C1"), dx("I509", "N179"), dx("I5021", "N179", "J9601")),
        Case(inpatient("B", coder="C1", specialty="hospital_medicine"), dx("A419", "J9601", "N179"),
             dx("A419", "N179")),
        Case(inpatient("C", coder="C2", specialty="hospital_medicine"), dx("J189", "E119"), dx("J189", "E119")),
        Case(outpatient("D", coder="C2"), dx("R0789") + cpt("71046-26"), dx("R0789") + cpt("71046-TC")),
    ]
    results = [compare_case(assert_valid(c), grouper) for c in cases]
    assert [(r.drg.coded_drg, r.drg.audited_drg) for r in results[:3]] == [(292, 291), (871, 872), (195, 195)]
    return results


def test_code_over_code_uses_the_auditors_codes_as_denominator(charts):
    s = score(charts)
    assert (s.dx_codes_audited, s.dx_codes_matched) == (8, 6)
    assert s.dx.value == 6 / 8
    assert (s.px_codes_audited, s.px_codes_matched, s.px.value) == (1, 1, 1.0)


def test_a_record_is_correct_only_when_nothing_on_it_changed(charts):
    assert score(charts).record.value == 1 / 4


def test_drg_accuracy_is_the_share_of_inpatient_charts_whose_drg_held(charts):
    s = score(charts)
    assert (s.drg.correct, s.drg.total, s.drg_changed) == (1, 3, 2)


def test_payment_impact_is_the_signed_sum_of_weight_changes(charts):
    s = score(charts)
    up = drg_weight(291) - drg_weight(292)
    down = drg_weight(871) - drg_weight(872)
    assert s.payment_impact_weight == up - down
    assert (s.under_coded_weight, s.over_coded_weight) == (up, down)


def test_payment_change_is_weight_change_times_base_rate_in_cents(charts):
    impacts = {i.encounter_id: i for i in case_impacts(charts, Decimal("6500.00"))}
    assert impacts["A"].payment_change == ((drg_weight(291) - drg_weight(292)) * Decimal("6500.00")).quantize(
        Decimal("0.01"))
    assert impacts["B"].overpayment == ((drg_weight(871) - drg_weight(872)) * 6500).quantize(Decimal("0.01"))
    totals = payment_totals(impacts.values())
    assert totals.net_overpayment == impacts["B"].overpayment - impacts["A"].payment_change
    assert isinstance(totals.over_coded, Decimal)


def test_a_withdrawn_finding_does_not_count(charts):
    missed_mcc = next(f for f in charts[0].findings if f.kind == FindingKind.dx_added)
    withdrawn = [f.with_status("withdrawn") if f is missed_mcc else f for f in charts[0].findings]
    charts[0] = type(charts[0])(charts[0].case, tuple(withdrawn), charts[0].dx_audited, charts[0].px_audited,
                                charts[0].drg)
    assert score(charts).dx_codes_matched == 7


def test_principal_counts_two_weights_numerator_and_denominator(charts):
    # Principal position worth 2 on each of the 4 charts: 8 + 4 = 12 points; A loses 2 + 1.
    s = score(charts, Method(principal_dx_weight=2))
    assert (s.dx.correct, s.dx.total) == (9, 12)


def test_payment_affecting_errors_count_double(charts):
    # A's two misses are payment-affecting (its DRG moved): 2 errors become 4 on 8 + 2 points.
    s = score(charts, Method(payment_error_weight=2))
    assert (s.dx.correct, s.dx.total) == (6, 10)
    assert "x2" in Method(payment_error_weight=2).description()


def test_coders_below_the_minimum_are_flagged_not_ranked(charts):
    groups = {g.key: g for g in score_by(charts, "coder", min_charts=3)}
    assert all(g.small_sample and g.rank is None for g in groups.values())
    ranked = {g.key: g.rank for g in score_by(charts, "coder", min_charts=2)}
    assert ranked == {"C2": 1, "C1": 2}  # C2: 1 of 2 records correct; C1: 0 of 2


def test_scores_group_by_specialty_type_and_month(charts):
    assert [g.key for g in score_by(charts, "specialty")] == ["cardiology", "hospital_medicine", "radiology"]
    assert [g.key for g in score_by(charts, "encounter_type")] == ["inpatient", "outpatient"]
    assert [g.key for g in score_by(charts, "month")] == ["2026-02"]


def test_sla_is_met_or_missed_per_specialty(charts):
    rows = {r.specialty: r for r in sla_results(charts, {"hospital_medicine": 0.95, "radiology": 0.95,
                                                         "oncology": 0.95})}
    assert rows["hospital_medicine"].status == "met"  # 4 of 4 diagnosis codes matched
    assert rows["radiology"].status == "met"
    assert rows["oncology"].status == "no charts"
    rows = {r.specialty: r for r in sla_results(charts, {"cardiology": 0.95}, measure="record")}
    assert rows["cardiology"].status == "missed"


def test_error_kinds_are_tallied_largest_first(charts):
    counts = Tally.of(charts).counts
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    assert sum(counts.values()) == sum(len(r.findings) for r in charts)


def test_repayment_is_due_60_days_after_identification():
    assert repayment_due(dt.date(2026, 4, 1)) == dt.date(2026, 5, 31)


# --- Wilson limits against an independent derivation and published values -------------------

def _wilson_by_quadratic(k: int, n: int, z: float) -> tuple[float, float]:
    # The interval's ends are the roots p of (k/n - p)^2 = z^2 p (1 - p) / n.
    phat = k / n
    a = 1 + z * z / n
    b = -(2 * phat + z * z / n)
    c = phat * phat
    disc = math.sqrt(b * b - 4 * a * c)
    return ((-b - disc) / (2 * a), (-b + disc) / (2 * a))


@pytest.mark.parametrize("k,n", [(0, 10), (1, 29), (15, 148), (81, 263), (97, 100), (30, 30)])
def test_wilson_limits_solve_the_score_equation(k, n):
    z = 1.959963984540054
    low, high = wilson(k, n)
    exp_low, exp_high = _wilson_by_quadratic(k, n, z)
    assert low == pytest.approx(max(0.0, exp_low), abs=1e-12)
    assert high == pytest.approx(min(1.0, exp_high), abs=1e-12)


def test_wilson_limits_match_newcombes_published_example():
    # Newcombe (1998), Statistics in Medicine 17:857, method 3: 81/263 -> 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


# --- Variable appraisal and the limit rule ----------------------------------------------------

SAMPLE = [0, 0, 0, 0, 0, 0, 0, 5974.80, 2975.05, -2826.20]
# Student t quantiles for 9 degrees of freedom from published tables (6 decimals, hence rel=1e-6).
T9 = {0.80: 1.383029, 0.90: 1.833113, 0.95: 2.262157}


def test_variable_appraisal_follows_the_rat_stats_formula():
    n, universe = len(SAMPLE), 400
    mean = sum(SAMPLE) / n
    s = math.sqrt(sum((x - mean) ** 2 for x in SAMPLE) / (n - 1))
    se_total = universe * s / math.sqrt(n) * math.sqrt((universe - n) / universe)
    a = variable_appraisal(SAMPLE, universe)
    assert a.point_estimate == pytest.approx(universe * mean)
    for confidence, t in T9.items():
        low, high = a.limits[confidence]
        assert low == pytest.approx(universe * mean - t * se_total, rel=1e-6)
        assert high == pytest.approx(universe * mean + t * se_total, rel=1e-6)


def test_cms_demands_the_80_percent_lower_limit_and_oig_the_90_percent_one():
    values = [Decimal(str(x)) for x in [500, 0, 1200, 300, 0, 800, 650, 0, 900, 400]]
    cms = extrapolate_overpayment(values, 1000, "cms")
    oig = extrapolate_overpayment(values, 1000, "oig")
    assert cms.demand == Decimal(repr(cms.appraisal.limits[0.80][0])).quantize(Decimal("0.01"))
    assert oig.demand == Decimal(repr(oig.appraisal.limits[0.90][0])).quantize(Decimal("0.01"))
    assert cms.demand > oig.demand
    assert "one-sided 90%" in cms.rule_text and "two-sided 90%" in oig.rule_text


def test_a_lower_limit_below_zero_demands_nothing(charts):
    values = sample_overpayments(charts, Decimal("6500.00"))
    assert len(values) == 4 and values[2] == Decimal("0.00")
    assert extrapolate_overpayment(values, 100).demand == Decimal("0.00")
