"""Tornado ordering, break-even to tolerance, and simulations reproducible by seed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from codingwatch.cost import ScenarioError, breakeven, compare, parse_scenario, sensitivity, simulate

D = Decimal


def test_tornado_is_sorted_by_swing_and_swings_match_the_arithmetic(two_types):
    result = sensitivity(parse_scenario(two_types), ("in_house", "vendor"))
    swings = [row["swing"] for row in result["inputs"]]
    assert swings == sorted(swings, reverse=True)
    by_input = {row["input"]: row for row in result["inputs"]}
    # In-house pay swings $20..$40 over 200 + 100 hours: $6,000 of yearly cost difference.
    assert by_input["in_house.hourly_pay"]["swing"] == D("6000.00")
    # Vendor pay $8..$20 over its hours: inpatient 600 / 2.25 + outpatient 1,000 / 7.5 = 400 h.
    vendor_hours = D(600) / D("2.25") + D(1000) / D("7.5")
    assert by_input["vendor.hourly_pay"]["swing"] == (vendor_hours * 12).quantize(D("0.01"))
    assert result["inputs"][0]["input"] == "in_house.hourly_pay"


def test_tornado_marks_inputs_whose_range_reverses_the_answer(two_types):
    two_types["options"]["in_house"]["inputs"]["hourly_pay"]["low"] = 10
    result = sensitivity(parse_scenario(two_types), ("in_house", "vendor"))
    by_input = {row["input"]: row for row in result["inputs"]}
    # In-house: 300 h x pay + $225 audit + $1,000 fee; the vendor: 400 h x $12 + $600 audit + $700 fee = $6,100.
    # At $10/h in-house costs $4,225 (cheaper), at $40/h $13,225 (dearer): the answer turns.
    assert by_input["in_house.hourly_pay"]["flips"] is True
    assert by_input["vendor.productivity_vs_reference"]["flips"] is False


def test_breakeven_solves_to_the_stated_tolerance(two_types):
    scenario = parse_scenario(two_types)
    result = breakeven(scenario, "vendor.hourly_pay", ("in_house", "vendor"), low=D(8), high=D(30),
                       tolerance=D("0.01"))
    (solution,) = result["breakeven"]
    assert solution["within_tolerance"]
    at_value = compare(scenario.with_value("vendor.hourly_pay", solution["value"]))["options"]
    gap = at_value["in_house"]["total_per_year"] - at_value["vendor"]["total_per_year"]
    assert abs(gap) <= D("0.02")  # the two totals, each rounded to the cent, within the tolerance
    # By hand: in-house $30 x 300 h + audit 2 x 12 x $60 x 300/1,920 = $225 + $1,000 fee = $10,225
    # against the vendor's 400 h x pay + audit 6 x 12 x $40 x 400/1,920 = $600 + $700 fee:
    # pay = $8,925 / 400 h = $22.3125.
    assert abs(solution["value"] - D("22.3125")) * 400 <= D("0.01")


def test_breakeven_says_when_there_is_none_in_range(two_types):
    # The vendor's stated pay range $8..$20 stays below the break-even of $22.3125.
    none = breakeven(parse_scenario(two_types), "vendor.hourly_pay", ("in_house", "vendor"))
    assert none["found"] is False
    assert none["message"].startswith("no break-even for vendor.hourly_pay between 8 and 20")
    assert "vendor is cheaper throughout" in none["message"]


def test_breakeven_on_an_unknown_input_names_it(two_types):
    with pytest.raises(ScenarioError, match="`vendor.nothing` is not an input"):
        breakeven(parse_scenario(two_types), "vendor.nothing", ("in_house", "vendor"))


def test_breakeven_needs_a_range(two_types):
    with pytest.raises(ScenarioError, match="has no stated range"):
        breakeven(parse_scenario(two_types), "in_house.auditor_rate", ("in_house", "vendor"))


def test_simulation_is_reproducible_by_seed(two_types):
    scenario = parse_scenario(two_types)
    first = simulate(scenario, draws=2000, seed=11)
    again = simulate(scenario, draws=2000, seed=11)
    other = simulate(scenario, draws=2000, seed=12)
    assert first == again
    assert first["options"]["vendor"]["percentiles_per_year"] != other["options"]["vendor"]["percentiles_per_year"]


def test_probabilities_of_being_cheapest_add_up_to_one(two_types):
    result = simulate(parse_scenario(two_types), draws=3000, seed=1)
    assert sum(o["probability_cheapest"] for o in result["options"].values()) == pytest.approx(1.0)


def test_draws_stay_within_the_stated_range(two_types):
    import numpy as np

    from codingwatch.cost.analysis import draw_inputs

    scenario = parse_scenario(two_types)
    values = draw_inputs(scenario, 5000, np.random.default_rng(3))
    pay = values["in_house.hourly_pay"]
    assert pay.min() >= 20 and pay.max() <= 40
    assert abs(float(np.median(pay)) - 30) < 0.5  # triangular, symmetric around the stated value
