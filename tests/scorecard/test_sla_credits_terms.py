"""SLA states, credits by hand, effective-dated terms and the YAML layout."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from codingwatch.scorecard import credits, sla
from codingwatch.scorecard.estimates import ChartPoint, ratio_estimate
from codingwatch.scorecard.kpis import KpiRow, TurnaroundAsk
from codingwatch.scorecard.terms import (
    AccuracyTerm,
    ContractTerms,
    CreditTerms,
    ServiceTerms,
    TermsError,
    TurnaroundTerm,
    load_yaml,
)

OCT, APR = dt.date(2025, 10, 1), dt.date(2026, 4, 1)


def charts(matched: int, audited: int, n: int) -> list[ChartPoint]:
    """n charts of `audited` codes; `matched` codes matched in all, spread as evenly as possible."""
    base, extra = divmod(matched, n)
    return [ChartPoint(base + (1 if i < extra else 0), audited / n) for i in range(n)]


def month_terms(minimum="95", min_charts=30, **credit):
    contract = ContractTerms(
        vendor="acme", start_date=OCT, price=Decimal("5.00"),
        accuracy=(AccuracyTerm(OCT, None, specialty="cardiology", minimum=Decimal(minimum)),),
        turnaround=(TurnaroundTerm(OCT, None, encounter_type="outpatient", percent=Decimal(90),
                                   hours=Decimal(48)),),
        service=(ServiceTerms(OCT, None, min_charts=min_charts, dnfb_days=Decimal(4),
                              coding_denial_rate=Decimal(2)),),
        credits=(CreditTerms(OCT, None, **credit),) if credit else (),
    )
    return contract.in_force(dt.date(2025, 11, 1))


def kpi(within=95, charts_=100, breach_days=0, coding_denied=1, claims=100, volume=1000, dnfb_days=3.0):
    ask = TurnaroundAsk("outpatient", "standard", 48.0)
    return KpiRow(keys={"vendor": "acme", "month": dt.date(2025, 11, 1)}, volume=volume,
                  within={ask.name: [within, charts_]}, breach_days={ask.name: {"90": breach_days}},
                  denials={"claims": claims, "coding_denied": coding_denied, "coding_denial_rate": coding_denied / claims},
                  dnfb={"days": dnfb_days})


def accuracy_state(points, minimum="95", min_charts=30):
    est = ratio_estimate(points, "95")
    results = sla.evaluate(month_terms(minimum, min_charts), kpi(), {"cardiology": {"code_over_code": est}})
    return next(r for r in results if r.kind == "accuracy"), est


def test_breached_only_when_the_upper_limit_is_below_the_sla():
    # 40 charts of 10 codes, 88% matched, tightly: the upper limit lies below 95%
    result, est = accuracy_state([ChartPoint(9 if i % 5 else 8, 10) for i in range(40)])
    assert est.upper < 0.95 and result.state == sla.BREACHED and result.needed is None


def test_met_only_when_the_lower_limit_is_above_the_sla():
    result, est = accuracy_state([ChartPoint(10 if i % 4 else 9, 10) for i in range(40)], minimum="90")
    assert est.lower > 0.90 and result.state == sla.MET


def test_limits_on_both_sides_of_the_sla_are_not_enough_evidence_and_say_how_many_more_charts():
    points = [ChartPoint(10, 10) if i % 3 else ChartPoint(8, 10) for i in range(36)]
    result, est = accuracy_state(points, minimum="94")
    assert est.lower < 0.94 < est.upper
    assert result.state == sla.NOT_ENOUGH
    assert result.needed.additional > 0 and result.needed.total == 36 + result.needed.additional


def test_fewer_charts_than_the_contracts_minimum_are_not_enough_evidence_even_when_clear():
    result, est = accuracy_state([ChartPoint(5, 10) for _ in range(10)] + [ChartPoint(6, 10)] * 2, min_charts=30)
    assert est.upper < 0.95
    assert result.state == sla.NOT_ENOUGH
    assert result.needed.total >= 30 and result.needed.additional == result.needed.total - 12


def test_no_audited_charts_are_not_enough_evidence():
    results = sla.evaluate(month_terms(), kpi(), {})
    accuracy = next(r for r in results if r.kind == "accuracy")
    assert accuracy.state == sla.NOT_ENOUGH and accuracy.evidence == 0 and accuracy.needed.total == 30


def test_population_terms_are_met_or_breached_by_the_figure():
    results = {r.kind: r for r in sla.evaluate(month_terms(), kpi(within=89, dnfb_days=4.5, coding_denied=2), {})}
    assert results["turnaround"].state == sla.BREACHED and results["turnaround"].value == 0.89
    assert results["dnfb"].state == sla.BREACHED
    assert results["coding_denials"].state == sla.MET  # 2% is at the ceiling, not above it
    results = {r.kind: r for r in sla.evaluate(month_terms(), kpi(within=0, charts_=0), {})}
    assert results["turnaround"].state == sla.NOT_ENOUGH


def test_credits_by_hand():
    terms = month_terms(accuracy_percent_per_point=Decimal("2"), accuracy_cap_percent=Decimal("10"),
                        turnaround_breach_day=Decimal("150.00"), rework_coding_denials=True,
                        rework_cost_per_denial=Decimal("43.84"))
    est = ratio_estimate([ChartPoint(9 if i % 5 else 8, 10) for i in range(40)], "95")  # breached
    row = kpi(within=80, breach_days=6, coding_denied=7)
    results = sla.evaluate(terms, row, {"cardiology": {"code_over_code": est}})
    owed = credits.owed(terms, results, row)
    lines = {line.kind: line for line in owed.lines}
    assert owed.invoice == Decimal("5000.00")  # 1,000 charts x $5.00
    points = (Decimal("0.95") - Decimal(str(round(est.upper, 6)))) * 100
    percent = min(points.quantize(Decimal("0.01")) * 2, Decimal(10))
    assert lines["accuracy"].amount == (Decimal("5000.00") * percent / 100).quantize(Decimal("0.01"))
    assert lines["turnaround"].amount == Decimal("900.00")  # 6 days x $150
    assert lines["rework"].amount == Decimal("306.88")  # 7 x $43.84
    assert owed.total == lines["accuracy"].amount + Decimal("900.00") + Decimal("306.88")


def test_the_accuracy_credit_is_capped():
    terms = month_terms(accuracy_percent_per_point=Decimal("5"), accuracy_cap_percent=Decimal("10"))
    est = ratio_estimate([ChartPoint(6, 10) for _ in range(39)] + [ChartPoint(7, 10)], "95")
    results = sla.evaluate(terms, kpi(), {"cardiology": {"code_over_code": est}})
    owed = credits.owed(terms, results, kpi())
    assert owed.lines[0].inputs["credit_percent"] == Decimal(10)
    assert owed.total == Decimal("500.00")


def test_no_credit_for_a_month_not_breached():
    terms = month_terms(accuracy_percent_per_point=Decimal("2"), accuracy_cap_percent=Decimal("10"),
                        turnaround_breach_day=Decimal("150.00"))
    results = sla.evaluate(terms, kpi(within=95, breach_days=3), {})
    assert credits.owed(terms, results, kpi(within=95, breach_days=3)).total == Decimal("0.00")


def test_an_amendment_governs_from_the_first_month_it_is_in_force():
    contract = ContractTerms(
        vendor="acme", start_date=OCT,
        accuracy=(AccuracyTerm(OCT, dt.date(2026, 3, 31), specialty="cardiology", minimum=Decimal(95)),
                  AccuracyTerm(APR, None, specialty="cardiology", minimum=Decimal(92))),
        service=(ServiceTerms(OCT, dt.date(2026, 3, 31), min_charts=30),
                 ServiceTerms(APR, None, min_charts=50)),
        credits=(CreditTerms(OCT, None, turnaround_breach_day=Decimal(100)),
                 CreditTerms(dt.date(2026, 4, 15), None, turnaround_breach_day=Decimal(200))),
    )
    march, april, may = (contract.in_force(dt.date(2026, m, 1)) for m in (3, 4, 5))
    assert [t.minimum for t in march.accuracy] == [Decimal(95)] and march.service.min_charts == 30
    assert [t.minimum for t in april.accuracy] == [Decimal(92)] and april.service.min_charts == 50
    # an amendment dated mid-month governs from the next month on
    assert april.credits.turnaround_breach_day == Decimal(100)
    assert may.credits.turnaround_breach_day == Decimal(200)
    assert contract.in_force(dt.date(2025, 9, 1)) is None
    assert contract.amendments() == [APR, dt.date(2026, 4, 15)]


EXAMPLE = """\
contracts:
  - vendor: Acme Coding
    start_date: 2025-10-01
    pricing: per_chart
    price: 6.50
    periods:
      - effective_from: 2025-10-01
        effective_to: 2026-03-31
        accuracy:
          - {specialty: cardiology, rule: code_over_code, minimum: 95}
          - {specialty: cardiology, rule: drg, minimum: 97}
        turnaround:
          - {encounter_type: inpatient, priority: standard, percent: 90, hours: 72}
          - {encounter_type: inpatient, priority: urgent, percent: 95, hours: 24}
        dnfb_days: 4
        coding_denial_rate: 2.5
        query_response: {percent: 90, hours: 48}
        min_charts: 30
        credits:
          accuracy_percent_per_point: 2
          accuracy_cap_percent: 10
          turnaround_breach_day: 250
          rework_coding_denials: true
          rework_cost_per_denial: 43.84
      - effective_from: 2026-04-01
        accuracy:
          - {specialty: cardiology, rule: code_over_code, minimum: 96}
"""


def test_the_yaml_layout_loads(tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text(EXAMPLE)
    [contract] = load_yaml(path)
    assert contract.vendor == "Acme Coding" and contract.price == Decimal("6.50")
    assert [(t.rule, t.minimum) for t in contract.accuracy] == [("code_over_code", 95), ("drg", 97),
                                                                ("code_over_code", 96)]
    assert {t.priority for t in contract.turnaround} == {"standard", "urgent"}
    assert contract.service[0].query_hours == Decimal(48) and contract.credits[0].rework_coding_denials
    assert contract.in_force(dt.date(2026, 4, 1)).accuracy[0].minimum == Decimal(96)


@pytest.mark.parametrize("old, new, expected", [
    ("minimum: 95}", "minimum: 105}", "line 10, field contracts[0].periods[0].accuracy[0].minimum: 105 must be"),
    ("rule: drg", "rule: chart", "line 11, field contracts[0].periods[0].accuracy[1].rule: 'chart' is not one of"),
    ("priority: urgent", "priority: stat", "line 14, field contracts[0].periods[0].turnaround[1].priority"),
    ("effective_to: 2026-03-31", "effective_to: 2025-03-31", "line 8, field contracts[0].periods[0].effective_to"),
    ("    price: 6.50\n", "    price: six\n", "line 5, field contracts[0].price: 'six' is not a number"),
    ("        dnfb_days: 4\n", "        dnfb: 4\n", "field contracts[0].periods[0].dnfb: unknown field"),
])
def test_bad_terms_name_file_line_field_and_reason(tmp_path, old, new, expected):
    path = tmp_path / "terms.yaml"
    assert old in EXAMPLE
    path.write_text(EXAMPLE.replace(old, new, 1))
    with pytest.raises(TermsError) as caught:
        load_yaml(path)
    assert str(caught.value).startswith(str(path)) and expected in str(caught.value)
