"""`codingwatch cost` commands: JSON for programs, the same figures as the engine."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.cost import compare, preset_scenario
from codingwatch.reports.format import count, percent

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, ["cost", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result


def test_compare_json_gives_the_engines_figures():
    payload = json.loads(run("compare", "public-2025", "--format", "json").stdout)
    expected = compare(preset_scenario("public-2025"))
    for name, option in expected["options"].items():
        assert Decimal(payload["options"][name]["total_per_year"]) == option["total_per_year"]
    assert payload["cheapest"] == expected["cheapest"]


def test_compare_text_shows_every_option_and_the_totals():
    output = run("compare", "public-2025").stdout
    for name in ("in_house", "onshore", "offshore", "hybrid", "total per year", "cost per chart"):
        assert name in output


def test_simulate_json_is_reproducible_by_seed():
    first = run("simulate", "public-2025", "--draws", "2000", "--seed", "5", "--format", "json").stdout
    again = run("simulate", "public-2025", "--draws", "2000", "--seed", "5", "--format", "json").stdout
    assert first == again
    payload = json.loads(first)
    assert set(payload["options"]["offshore"]["percentiles_per_year"]) == {"p5", "p25", "p50", "p75", "p95"}


def test_simulate_text_prints_the_draws_and_shares_as_the_figures_do():
    payload = json.loads(run("simulate", "public-2025", "--draws", "2000", "--seed", "5", "--format", "json").stdout)
    output = run("simulate", "public-2025", "--draws", "2000", "--seed", "5").stdout
    assert f"{count(2000)} draws, seed 5" in output
    for option in payload["options"].values():
        assert percent(option["probability_cheapest"]) in output


def test_sensitivity_json_is_sorted_by_swing():
    payload = json.loads(run("sensitivity", "public-2025", "--options", "in_house,offshore",
                             "--format", "json").stdout)
    swings = [Decimal(row["swing"]) for row in payload["inputs"]]
    assert swings == sorted(swings, reverse=True)
    assert payload["pair"] == ["in_house", "offshore"]


def test_breakeven_json_reports_the_value_and_the_gap():
    payload = json.loads(run("breakeven", "hfma-2018", "--input", "offshore.productivity_vs_reference",
                             "--options", "domestic,offshore", "--format", "json").stdout)
    (solution,) = payload["breakeven"]
    assert solution["within_tolerance"] is True
    assert abs(Decimal(solution["cost_difference_at_value"])) <= 1


def test_preset_write_copies_an_editable_scenario(tmp_path):
    out = tmp_path / "mine.yaml"
    run("preset", "public-2025", "--write", str(out))
    payload = json.loads(run("compare", str(out), "--format", "json").stdout)
    assert payload["baseline"] == "in_house"


def test_bad_options_flag_names_the_problem():
    result = runner.invoke(app, ["cost", "sensitivity", "public-2025", "--options", "in_house,nowhere"])
    assert result.exit_code != 0
    assert "`nowhere` is not an option" in str(result.exception)
