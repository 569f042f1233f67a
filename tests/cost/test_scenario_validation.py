"""Bad scenarios get errors that name the field and the reason, all at once."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.cost import ScenarioError, parse_scenario, preset_names, preset_scenario


def problems_of(data) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return caught.value.problems


def test_unknown_input_name_is_named(small):
    small["options"]["vendor"]["inputs"]["hourly_rate"] = {"value": 1, "unit": "USD/hour", "source": "x"}
    assert problems_of(small) == ["options.vendor.inputs.hourly_rate: unknown input"]


def test_scenario_input_under_an_option_says_where_it_belongs(small):
    small["options"]["vendor"]["inputs"]["volume_inpatient"] = {"value": 1, "unit": "charts/year", "source": "x"}
    assert "put it under the top-level `inputs`" in problems_of(small)[0]


def test_negative_rate_is_refused(small):
    small["options"]["in_house"]["inputs"]["backfill_premium_per_hour"]["value"] = -5
    assert problems_of(small) == [
        "options.in_house.inputs.backfill_premium_per_hour.value: must not be negative (got -5)"]


def test_share_above_one_is_refused(small):
    small["options"]["in_house"]["inputs"]["denial_rate"]["high"] = 2
    (problem,) = problems_of(small)
    assert problem.startswith("options.in_house.inputs.denial_rate.high: is a share and must be between 0 and 1")


def test_missing_required_input_is_named(small):
    del small["options"]["in_house"]["inputs"]["hourly_pay"]
    assert problems_of(small) == ["options.in_house.inputs.hourly_pay: required for hourly pricing"]


def test_missing_reference_productivity_is_named(small):
    del small["inputs"]["reference_charts_per_hour_inpatient"]
    assert problems_of(small)[0].startswith("inputs.reference_charts_per_hour_inpatient: required")


def test_wrong_unit_and_missing_source_are_both_reported(small):
    small["options"]["in_house"]["inputs"]["hourly_pay"] = {"value": 30, "unit": "USD/year"}
    assert problems_of(small) == [
        "options.in_house.inputs.hourly_pay.unit: must be `USD/hour` (got `USD/year`)",
        "options.in_house.inputs.hourly_pay.source: required (where the figure comes from)",
    ]


def test_value_outside_its_range_is_refused(small):
    small["options"]["in_house"]["inputs"]["hourly_pay"].update(low=35, high=40)
    assert "needs low <= value <= high" in problems_of(small)[0]


def test_hybrid_must_assign_every_encounter_type(two_types):
    del two_types["options"]["hybrid"]["parts"]["outpatient"]
    assert problems_of(two_types) == [
        "options.hybrid.parts.outpatient: required (there is outpatient volume; name the option that codes it)"]


def test_presets_are_valid_and_every_stated_input_has_a_source():
    for name in preset_names():
        scenario = preset_scenario(name)
        for path in scenario.stated_paths():
            assert scenario.input_spec(path).source.strip(), path


def test_cli_reports_a_bad_scenario_in_one_line_with_exit_2(tmp_path, small):
    small["options"]["in_house"]["inputs"]["vacancy_rate"] = {"value": 8, "unit": "share", "source": "HR"}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(small))
    from codingwatch.cli import main

    with pytest.raises(SystemExit) as caught:
        import sys

        argv, sys.argv = sys.argv, ["codingwatch", "cost", "compare", str(path)]
        try:
            main()
        finally:
            sys.argv = argv
    assert caught.value.code == 2


def test_cli_unknown_scenario_file_is_a_clear_error():
    result = CliRunner().invoke(app, ["cost", "compare", "no-such-file.yaml"])
    assert result.exit_code != 0
    assert "no such file" in str(result.exception)


def test_a_scenario_needs_some_volume_at_its_stated_values(small):
    small["inputs"]["volume_inpatient"].update(value=0, low=0, high=100)
    assert problems_of(small)[0].startswith("inputs: state at least one yearly volume above zero")


def test_each_problem_says_its_field_message_and_input(small):
    from codingwatch.cost import Problem

    small["options"]["in_house"]["inputs"]["backfill_premium_per_hour"]["value"] = -5
    small["inputs"]["volume_inpatient"]["unit"] = "charts"
    small["options"]["vendor"]["kind"] = "barter"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(small)
    by_field = {p.field: p for p in caught.value.details}
    assert by_field["options.in_house.inputs.backfill_premium_per_hour.value"] == Problem(
        "options.in_house.inputs.backfill_premium_per_hour.value", "must not be negative (got -5)",
        "in_house.backfill_premium_per_hour")
    assert by_field["inputs.volume_inpatient.unit"].input == "volume_inpatient"
    assert by_field["options.vendor.kind"].input is None  # the option's, not one input's
    assert caught.value.problems == [str(p) for p in caught.value.details]
