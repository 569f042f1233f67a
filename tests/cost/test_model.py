"""The model's arithmetic, component by component, on a scenario small enough to work by hand."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from codingwatch.cost import compare, parse_scenario
from codingwatch.cost.analysis import simulate_totals

D = Decimal


def test_every_component_matches_hand_arithmetic(small):
    result = compare(parse_scenario(small))["options"]["in_house"]["components"]
    # 300 charts at 3/h = 100 h; FTE = 100 h / (12 x 100 h) = 1/12; revenue 300 x $100 = $30,000.
    expected = {
        "coding": "3000.00",  # 100 h x $30
        "payroll_taxes": "300.00",  # 10% of pay
        "benefits": "600.00",  # 20%
        "pto_cover": "300.00",  # 10%
        "continuing_education": "100.00",  # 1/12 FTE x $1,200
        "credentials": "50.00",  # 1/12 x $600
        "management": "200.00",  # 1/12 x $2,400
        "vacancy_backfill": "100.00",  # 100 h x 10% x $10
        "turnover": "100.00",  # 1/12 x 0.5 x $2,400
        "transition": "323.08",  # $4,200/52 a week x (2 x (1/0.5 - 1) + 2) weeks / 1 year
        "audit": "100.00",  # 2 h x 12 x $50 x 1/12
        "denial_rework": "300.00",  # 300 x 10% x $10
        "write_offs": "1500.00",  # $30,000 x 10% x 50%
        "cmi_loss": "3000.00",  # 0.01 x 300 x $1,000
        "dnfb_carrying": "600.00",  # $30,000 x 73/365 x 10%
        "management_fees": "800.00",  # $500 + 10% x $3,000
        "breach": "100.00",  # 1% x $10,000
        "other": "150.00",  # $1 x 100 h + $50
    }
    assert {k: str(v) for k, v in result.items()} == expected


def test_total_per_chart_and_per_domestic_equivalent_hour(small):
    option = compare(parse_scenario(small))["options"]["in_house"]
    assert option["total_per_year"] == D("11623.08")  # the components summed before rounding
    assert option["cost_per_chart"] == D("38.74")  # / 300 charts
    assert option["cost_per_reference_hour"] == D("116.23")  # / 100 domestic-equivalent hours


def test_per_chart_pricing_uses_price_and_counts_coders_by_productivity(small):
    option = compare(parse_scenario(small))["options"]["vendor"]
    assert option["components"]["coding"] == D("3600.00")  # 300 x $12
    assert option["coders_fte"] == D("0.13")  # 150 h / 1,200 h, shown to 2 places
    assert option["components"]["audit"] == D("240.00")  # 4 h x 12 x $40 x 0.125 coders


def test_differences_are_against_the_baseline(small):
    result = compare(parse_scenario(small))
    vendor = result["options"]["vendor"]["difference_from_baseline"]
    assert vendor["per_year"] == D("-7783.08")  # 3,840 - 11,623.0769...
    assert vendor["components"]["cmi_loss"] == D("-3000.00")
    assert result["options"]["in_house"]["difference_from_baseline"]["per_year"] == 0
    assert result["cheapest"] == "vendor"


def test_hybrid_is_the_sum_of_its_parts_on_their_encounter_types(two_types):
    scenario = parse_scenario(two_types)
    hybrid = compare(scenario)["options"]["hybrid"]
    # In-house codes 600 inpatient at 3/h: 200 h x $30 = $6,000; audit 2 h x 12 x $60 x 200/1,920 coders.
    # The vendor codes 1,000 outpatient at 7.5/h: 133.33 h x $12 = $1,600; audit 6 x 12 x $40 x 133.33/1,920.
    # Each part's yearly management fee counts once: $1,000 + $700.
    assert hybrid["components"]["coding"] == D("7600.00")
    assert hybrid["components"]["audit"] == D("350.00")  # 150 + 200
    assert hybrid["components"]["management_fees"] == D("1700.00")
    assert hybrid["reference_hours"] == D("300.0")  # 200 + 100


def test_hybrid_audit_by_prices_audit_hours_at_that_options_rate(two_types):
    two_types["options"]["hybrid"]["audit_by"] = "in_house"
    hybrid = compare(parse_scenario(two_types))["options"]["hybrid"]
    # Vendor audit hours now at $60: 6 x 12 x $60 x 133.33/1,920 = $300; in-house part $150.
    assert hybrid["components"]["audit"] == D("150.00") + D("300.00")


def test_vectorized_model_gives_the_decimal_figures(small):
    scenario = parse_scenario(small)
    for spec in scenario.options["in_house"].inputs.values():
        spec.distribution = "fixed"
    for spec in scenario.options["vendor"].inputs.values():
        spec.distribution = "fixed"
    totals = simulate_totals(scenario, draws=5, seed=1)
    report = compare(scenario)["options"]
    for name in ("in_house", "vendor"):
        assert np.allclose(totals[name], float(report[name]["total_per_year"]), atol=0.005)


def test_every_pair_of_options_has_its_yearly_difference(two_types):
    result = compare(parse_scenario(two_types))
    totals = {name: option["total_per_year"] for name, option in result["options"].items()}
    differences = result["differences_per_year"]
    assert differences["vendor"]["in_house"] == totals["vendor"] - totals["in_house"]
    assert differences["in_house"]["vendor"] == -differences["vendor"]["in_house"]
    assert set(differences["hybrid"]) == {"in_house", "vendor"}


def test_each_simulated_draw_costs_what_the_decimal_model_says(two_types):
    from decimal import Decimal as Dec

    from codingwatch.cost.analysis import draw_inputs
    from codingwatch.cost.model import option_costs, resolve_values

    scenario = parse_scenario(two_types)
    draws = draw_inputs(scenario, 4, np.random.default_rng(9))
    vectorized = {name: option_costs(scenario, name, draws)["total"] for name in scenario.options}
    exact = resolve_values(scenario)
    for i in range(4):
        values = dict(exact)
        for path, drawn in draws.items():
            if isinstance(drawn, np.ndarray):
                values[path] = Dec(repr(float(drawn[i])))
        for name in scenario.options:
            total = option_costs(scenario, name, values)["total"]
            assert float(total) == pytest.approx(float(vectorized[name][i]), rel=1e-12)


@pytest.mark.parametrize("path", ["in_house.hourly_pay", "vendor.hourly_pay", "in_house.auditor_rate",
                                  "vendor.audit_hours_per_coder_month", "volume_outpatient"])
def test_a_dearer_input_never_makes_an_option_cheaper(two_types, path):
    scenario = parse_scenario(two_types)
    before = compare(scenario)["options"]
    after = compare(scenario.with_value(path, scenario.input_spec(path).value * 2 + 1))["options"]
    for name in before:
        assert after[name]["total_per_year"] >= before[name]["total_per_year"]
