"""The `codingwatch sample` and `codingwatch appraise` commands."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.commands.common import UserError
from codingwatch.sampling import appraise_attribute, random_numbers

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_random_csv_lists_the_sample_sorted_then_the_spares():
    result = run("sample", "random", "--seed", "10661935.55", "--count", "100", "--spares", "1",
                 "--low", "0", "--high", "101", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["kind", "order", "value"]
    assert [(r["order"], r["value"]) for r in rows[:3]] == [("60", "0"), ("47", "1"), ("78", "2")]
    assert rows[-1]["kind"] == "spare" and rows[-1]["order"] == "101"
    assert sum(int(r["value"]) for r in rows) == 5122


def test_random_text_is_a_report_naming_audit_seed_and_frame():
    result = run("sample", "random", "--seed", "4967669.23", "--count", "5", "--low", "-10", "--high", "10",
                 "--audit-name", "Cardiology Q1")
    assert result.exit_code == 0, result.output
    for text in ("Cardiology Q1", "Seed: 4967669.23", "Frame low: -10", "Frame high: 10", "Quantity in sequential order: 5"):
        assert text in result.stdout


def test_random_json_gives_sample_and_spares():
    result = run("sample", "random", "--seed", "1", "--count", "3", "--spares", "2", "--low", "1", "--high", "50",
                 "--format", "json")
    payload = json.loads(result.stdout)
    draw = random_numbers("1", 3, 1, 50, 2)
    assert [s["value"] for s in payload["sample"]] == [r.value for r in draw.sample]
    assert [s["order"] for s in payload["spares_drawn"]] == [4, 5]


@pytest.mark.parametrize("args,message", [
    (["--seed", "1", "--count", "11", "--low", "1", "--high", "10"], "holds only 10"),
    (["--seed", "1", "--count", "1", "--low", "10", "--high", "1"], "below low"),
    (["--seed", "abc", "--count", "1", "--low", "1", "--high", "10"], "not a number"),
])
def test_bad_requests_are_user_errors(args, message):
    result = run("sample", "random", *args)
    assert isinstance(result.exception, UserError)
    assert message in str(result.exception)


def test_a_user_error_exits_2_with_one_line_and_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-c", "from codingwatch.cli import main; main()", "sample", "random", "--seed", "x",
         "--count", "1", "--low", "1", "--high", "2"],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert "not a number" in proc.stderr and "Traceback" not in proc.stderr


def test_random_writes_an_xlsx_laid_out_like_rat_stats(tmp_path):
    out = tmp_path / "draw.xlsx"
    result = run("sample", "random", "--seed", "10661935.55", "--count", "100", "--spares", "1", "--low", "0",
                 "--high", "101", "--audit-name", "Check", "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    labels = {row[0]: row[1] for row in cells if row and row[0]}
    assert labels["Seed"] == "10661935.55" and labels["Audit/Review"] == "Check"
    assert labels["Sum of all numbers drawn"] == 5122
    header = cells.index(["Selection Order", "Value"])
    assert cells[header + 1][:2] == [60, 0]
    assert ["Spares", None] in cells


def test_stratified_reads_a_strata_file(tmp_path):
    strata = tmp_path / "strata.csv"
    strata.write_text("stratum,count,low,high,spares\ninpatient,5,1,120,1\noutpatient,4,1,900,0\n")
    result = run("sample", "stratified", "--seed", "99.1", "--strata", str(strata), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    inpatient = [int(r["value"]) for r in rows if r["stratum"] == "inpatient"]
    assert inpatient == [r.value for r in random_numbers("99.1", 5, 1, 120, 1).rows]


def test_stratified_names_the_bad_line(tmp_path):
    strata = tmp_path / "strata.csv"
    strata.write_text("stratum,count,low,high\ninpatient,five,1,120\n")
    result = run("sample", "stratified", "--seed", "1", "--strata", str(strata))
    assert isinstance(result.exception, UserError)
    assert "line 2" in str(result.exception) and "count" in str(result.exception)


def test_sets_prints_one_column_per_set():
    result = run("sample", "sets", "--seed", "5", "--count", "4", "--set", "1:3", "--set", "1:9", "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["kind", "order", "value_1", "value_2"] and len(rows) == 5


def test_appraise_attribute_json_has_counts_limits_and_rates():
    result = run("appraise", "attribute", "--universe", "150", "--sample", "100", "--hits", "97", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["limits"]["80"]["lower"] == 143
    assert payload["limits"]["95"] == {"lower": 141, "upper": appraise_attribute(150, 100, 97).limits["95"][1]}
    assert set(payload["rates"]) == {"point_estimate", "limits"}
    assert payload["point_estimate"] == 145.5


def test_appraise_variable_reports_examined_audited_and_difference(tmp_path):
    values = tmp_path / "values.csv"
    values.write_text("item,examined,audited\n1,100.00,80.00\n2,50.00,50.00\n3,\"$1,200.00\",900.00\n4,75.25,0\n")
    result = run("appraise", "variable", "--universe", "4000", "--values", str(values), "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload) == ["examined", "audited", "difference"]
    difference = payload["difference"]
    assert difference["nonzero"] == 3 and difference["sample_total"] == 395.25
    assert set(difference["levels"]["90"]) == {"lower", "upper", "precision", "precision_percent", "t"}
    for key in ("point_estimate", "mean", "std_dev", "std_err_mean", "std_err_total", "nonzero"):
        assert key in difference


def test_appraise_variable_names_a_bad_value(tmp_path):
    values = tmp_path / "values.csv"
    values.write_text("difference\n10\nten\n")
    result = run("appraise", "variable", "--universe", "100", "--values", str(values))
    assert isinstance(result.exception, UserError)
    assert "line 3" in str(result.exception) and "difference" in str(result.exception)


def test_appraise_stratified_combines_the_strata(tmp_path):
    strata = tmp_path / "strata.csv"
    strata.write_text("stratum,universe\na,100\nb,300\n")
    values = tmp_path / "values.csv"
    values.write_text("stratum,difference\na,10\na,0\na,5\nb,1\nb,2\n")
    result = run("appraise", "stratified", "--strata", str(strata), "--values", str(values), "--format", "json",
                 "--out", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["combined"]["point_estimate"] == 100 * 5 + 300 * 1.5
    assert load_workbook(tmp_path / "out.xlsx").sheetnames == ["Combined", "Stratum a", "Stratum b"]


def test_size_attribute_json():
    result = run("sample", "size", "attribute", "--universe", "10000", "--expected-rate", "0.1", "--precision",
                 "0.05", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["sample_size"] >= 1 and "Cochran" in payload["source"]


def test_frame_then_draw_reproduces_the_sample(encounter_lake, tmp_path):
    out = tmp_path / "frame.csv"
    result = run("sample", "frame", "--vendor", "Acme", "--specialty", "cardiology", "--from", "2026-01-01",
                 "--to", "2026-12-31", "--strata", "encounter_type", "--out", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["lake_snapshot"] == encounter_lake.snapshot()
    args = ["sample", "draw", "--frame", str(out), "--seed", "4967669.23", "--count", "inpatient=5",
            "--count", "outpatient=6", "--format", "csv"]
    first, second = run(*args), run(*args)
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    assert len(first.stdout.strip().splitlines()) == 1 + 11


def test_a_frame_names_the_specialty_and_encounter_type_any_way_they_are_written(encounter_lake, tmp_path):
    frames = []
    for specialty, encounter_type in (("cardiology", "inpatient"), ("CARDIOLOGY", "I"), (" Cardiology ", "IP")):
        out = tmp_path / f"frame-{len(frames)}.csv"
        result = run("sample", "frame", "--vendor", "Acme", "--specialty", specialty, "--encounter-type",
                     encounter_type, "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out))
        assert result.exit_code == 0, result.output
        frames.append(out.read_text())
    assert frames[0] == frames[1] == frames[2] and len(frames[0].splitlines()) > 1


def test_frame_with_no_matching_encounters_is_a_user_error(encounter_lake, tmp_path):
    result = run("sample", "frame", "--vendor", "Nobody", "--from", "2026-01-01", "--to", "2026-12-31",
                 "--out", str(tmp_path / "f.csv"))
    assert isinstance(result.exception, UserError)


def test_every_sampling_command_has_help_with_an_example_and_is_in_the_guide():
    from pathlib import Path

    from codingwatch.commands import sampling

    guide = (Path(__file__).resolve().parents[2] / "docs" / "sampling.md").read_text()
    groups = {"sample": sampling.app, "sample size": sampling.size_app, "appraise": sampling.appraise_app}
    for prefix, group in groups.items():
        for command in group.registered_commands:
            assert "Example: codingwatch" in (command.callback.__doc__ or ""), command.name
            assert f"codingwatch {prefix} {command.name}" in guide, command.name
