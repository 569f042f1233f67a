"""The HFMA / KIWI-TEK 2018 figures come out of the study's primitives (the published numbers are the
authority; nothing here types in an output)."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.cost import headline, preset_scenario
from codingwatch.cost.hfma import study_figures

PUBLISHED = {  # HFMA, June 2018: per domestic-equivalent hour
    "offshore_effective_rate": Decimal("52.85"),
    "audit_cost_per_hour": Decimal("1.87"),
    "offshore_total_per_hour": Decimal("63.10"),
    "domestic_total_per_hour": Decimal("60.00"),
    "difference_per_hour": Decimal("3.10"),
}


def test_published_figures_come_from_the_primitives():
    figures = study_figures(preset_scenario("hfma-2018"))
    assert {key: figures[key] for key in PUBLISHED} == PUBLISHED


def test_study_uses_51_percent_more_coders_not_the_exact_1515():
    figures = study_figures(preset_scenario("hfma-2018"))
    assert figures["productivity_shortfall"] == Decimal("0.34")
    assert figures["staffing_ratio"] == Decimal("1.51")
    assert figures["staffing_ratio_exact"] == Decimal("1.5152")


def test_unexplained_part_is_one_labeled_input_not_a_constant():
    scenario = preset_scenario("hfma-2018")
    spec = scenario.input_spec("offshore.other_costs_per_reference_hour")
    assert "other offshore costs per hour, as reported in aggregate" in spec.source
    # Remove it and the total is only the public arithmetic: $52.85 + $1.87.
    figures = study_figures(scenario.with_value("offshore.other_costs_per_reference_hour", Decimal(0)))
    assert figures["offshore_total_per_hour"] == PUBLISHED["offshore_effective_rate"] + PUBLISHED[
        "audit_cost_per_hour"]


def test_figures_follow_a_changed_primitive():
    scenario = preset_scenario("hfma-2018").with_value("offshore.hourly_pay", Decimal(40))
    assert study_figures(scenario)["offshore_effective_rate"] == Decimal("40") * Decimal("1.51")


def test_general_model_gives_the_exact_figures_the_study_rounded():
    scenario = preset_scenario("hfma-2018")
    exact = headline(scenario)
    # $35 / 0.66 and 6 h x $50 / 160 h without the study's rounding.
    assert exact["offshore_effective_rate"] == (Decimal(35) / Decimal("0.66")).quantize(Decimal("0.01"))
    assert exact["domestic_total_per_hour"] == PUBLISHED["domestic_total_per_hour"]
    assert Decimal(0) < exact["difference_per_hour"] - PUBLISHED["difference_per_hour"] < Decimal("0.25")
    assert study_figures(scenario)["exact"]["offshore_total_per_hour"] == exact["offshore_total_per_hour"]


def test_cli_preset_json_prints_the_headline_figures():
    result = CliRunner().invoke(app, ["cost", "preset", "hfma-2018", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {key: Decimal(payload[key]) for key in PUBLISHED} == PUBLISHED
