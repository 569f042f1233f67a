"""`codingwatch audit score` and `compare`: JSON output and clear errors on bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from codingwatch.audit import Case
from codingwatch.cli import app
from codingwatch.commands.common import UserError
from codingwatch.reports.format import percent
from tests.audit.audit_builders import cpt, dx, inpatient, outpatient, rows_of, write_cases, write_csv

runner = CliRunner()

CASES = [
    Case(inpatient("IP-1", coder="C1"), dx("I509", "N179"), dx("I5021", "N179", "J9601")),
    Case(inpatient("IP-2", coder="C1", specialty="hospital_medicine"), dx("A419", "J9601", "N179"),
         dx("A419", "N179")),
    Case(outpatient("OP-1", coder="C2"), dx("R0789") + cpt("71046-26"), dx("R0789") + cpt("71046-TC")),
]


def run(*args: str) -> dict:
    result = runner.invoke(app, ["audit", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def error_of(*args: str) -> str:
    result = runner.invoke(app, ["audit", *args])
    assert isinstance(result.exception, UserError), result.output
    return str(result.exception)


def test_score_prints_the_promised_figures_as_json(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    out = run("score", "--coded", str(coded), "--audited", str(audited), "--format", "json")
    assert out["encounters"] == 3
    assert (out["dx_codes_audited"], out["dx_codes_matched"]) == (6, 4)
    assert out["dx_accuracy"] == pytest.approx(4 / 6, abs=1e-6)
    assert (out["px_accuracy"], out["record_accuracy"], out["drg_accuracy"], out["drg_changed"]) == (1.0, 0.0, 0.0, 2)
    kinds = sorted((f["encounter_id"], f["kind"], f["coded"], f["audited"]) for f in out["findings"])
    assert ("IP-1", "dx_added", None, "J9601") in kinds
    assert ("OP-1", "modifier_changed", "71046-26", "71046-TC") in kinds
    assert {"coder", "specialty", "encounter_type", "month"} <= set(out["by"])


def test_score_text_prints_each_accuracy_and_its_limits_as_the_figures_do(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    out = run("score", "--coded", str(coded), "--audited", str(audited), "--format", "json")
    text = runner.invoke(app, ["audit", "score", "--coded", str(coded), "--audited", str(audited)],
                         env={"COLUMNS": "200"}).stdout
    low, high = out["dx_accuracy_limits"]
    assert percent(out["dx_accuracy"]) == "66.7%"
    assert f"{percent(out['dx_accuracy'])} " in text and f"{percent(low)} - {percent(high)}" in text


def test_score_extrapolates_with_the_stated_limit_rule(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    out = run("score", "--coded", str(coded), "--audited", str(audited), "--format", "json",
              "--base-rate", "6500.00", "--frame-size", "300", "--limit-rule", "oig", "--identified", "2026-04-01")
    assert out["extrapolation"]["rule"] == "oig"
    assert out["repayment_due"] == "2026-05-31"
    changes = [Decimal(c["payment_change"]) for c in out["drg_changes"]]
    assert Decimal(out["payment"]["net_overpayment"]) == -sum(changes)


def test_compare_reports_agreement_by_specialty(tmp_path):
    vendor, inhouse = write_cases(tmp_path, CASES)
    out = run("compare", "--vendor-file", str(vendor), "--inhouse-file", str(inhouse), "--format", "json")
    assert [row["key"] for row in out["by_specialty"]] == ["cardiology", "hospital_medicine", "radiology"]
    assert out["overall"]["dx_agreement"] == pytest.approx(4 / 6, abs=1e-6)


def test_encounters_missing_from_the_audited_file_are_named(tmp_path):
    coded, _ = write_cases(tmp_path, CASES)
    audited = write_csv(tmp_path / "part.csv", rows_of(CASES[0].encounter, CASES[0].audited))
    message = error_of("score", "--coded", str(coded), "--audited", str(audited))
    assert "not in" in message and "'IP-2'" in message and "field encounter_id" in message


def test_an_encounter_unknown_to_the_coded_file_is_named(tmp_path):
    coded = write_csv(tmp_path / "c.csv", rows_of(CASES[0].encounter, CASES[0].coded))
    _, audited = write_cases(tmp_path, CASES)
    message = error_of("score", "--coded", str(coded), "--audited", str(audited))
    assert "audited.csv line" in message and "not in" in message


def test_a_code_not_billable_on_the_date_is_refused_with_its_line(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    text = audited.read_text().replace(",J9601,", ",S7200,", 1)
    audited.write_text(text)
    message = error_of("score", "--coded", str(coded), "--audited", str(audited))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if ",S7200," in row)
    assert f"audited.csv line {line}, field code: S7200 is not a billable ICD-10-CM code" in message


@pytest.mark.parametrize(
    "old,new,field,reason",
    [
        (",2026-02-10,,F,72,", ",2026-02-30,,F,72,", "discharge_date", "not a date (YYYY-MM-DD)"),
        (",inpatient,cardiology,", ",inpatient,--,", "specialty", "required (a name with a letter or digit)"),
        (",F,72,01,", ",F,172,01,", "age", "0-124"),
        (",71046,1,,26,", ",71046,1,,2-6,", "modifiers", "2-character modifiers"),
        (",ICD10CM,I509,1,Y,", ",ICD10CM,I509,1,,", "poa", "required on inpatient diagnoses"),
        (",ICD10CM,I509,1,Y,", ",ICD10CM,I509,x,Y,", "sequence", "whole number"),
    ],
)
def test_a_malformed_field_is_named_with_file_line_and_reason(tmp_path, old, new, field, reason):
    coded, audited = write_cases(tmp_path, CASES)
    text = coded.read_text()
    assert old in text
    coded.write_text(text.replace(old, new, 1))
    line = next(i for i, row in enumerate(coded.read_text().splitlines(), 1) if new in row)
    message = error_of("score", "--coded", str(coded), "--audited", str(audited))
    assert f"coded.csv line {line}, field {field}:" in message and reason in message


def test_encounter_fields_that_disagree_between_lines_are_refused(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    lines = coded.read_text().splitlines()
    lines[2] = lines[2].replace(",C1,", ",C9,")
    coded.write_text("\n".join(lines) + "\n")
    message = error_of("score", "--coded", str(coded), "--audited", str(audited))
    assert "field coder_id" in message and "must agree" in message


def test_a_missing_column_is_named(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    lines = coded.read_text().splitlines()
    coded.write_text("\n".join(line.split(",", 1)[1] for line in lines) + "\n")
    message = error_of("score", "--coded", str(coded), "--audited", str(audited))
    assert message.endswith("line 1: missing column(s) encounter_id")


def test_a_row_with_too_many_fields_is_refused(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    coded.write_text(coded.read_text() + "IP-9,extra," * 15 + "\n")
    message = error_of("score", "--coded", str(coded), "--audited", str(audited))
    assert "coded.csv: cannot be read" in message and "columns" in message


def test_a_user_error_exits_2_with_one_line_and_no_traceback(tmp_path):
    coded, _ = write_cases(tmp_path, CASES)
    proc = subprocess.run(
        [sys.executable, "-c", "from codingwatch.cli import main; main()", "audit", "score",
         "--coded", str(coded), "--audited", str(tmp_path / "nope.csv")],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "1000"},
    )
    assert proc.returncode == 2
    assert "nope.csv: no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_report_writes_html_and_pdf(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    html, pdf = tmp_path / "audit.html", tmp_path / "audit.pdf"
    result = runner.invoke(app, ["audit", "report", "--coded", str(coded), "--audited", str(audited),
                                 "--auditor", "J. Rivera, CCS", "--vendor-internal", "--quiet",
                                 "--html", str(html), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "not an independent measure" in html.read_text()
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_the_report_is_signed_off_by_the_auditor_and_the_reviewer_named(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    html = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", "report", "--coded", str(coded), "--audited", str(audited),
                                 "--auditor", "J. Rivera, CCS", "--reviewer", "M. Chen, RHIA", "--quiet",
                                 "--html", str(html)])
    assert result.exit_code == 0, result.output
    text = html.read_text()
    signoff = text[text.index("<h2>Sign-off</h2>"):]
    assert "J. Rivera, CCS" in signoff and "M. Chen, RHIA" in signoff
    assert "independent of the vendor whose coding was audited" in signoff
    assert "none recorded" in text  # files carry no vendor response: each finding says so


@pytest.mark.parametrize(
    "option,value,expected",
    [("--base-rate", "abc", "--base-rate: 'abc' is not a number"),
     ("--limit-rule", "hhs", "--limit-rule: use one of cms, oig"),
     ("--sla", "cardiology", "--sla 'cardiology': write SPECIALTY=TARGET"),
     ("--identified", "April 1", "--identified: 'April 1' is not a date")],
)
def test_a_bad_option_is_named(tmp_path, option, value, expected):
    coded, audited = write_cases(tmp_path, CASES)
    assert error_of("score", "--coded", str(coded), "--audited", str(audited), option, value).startswith(expected)


def test_sla_and_scores_are_keyed_by_the_canonical_specialty(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    for path in (coded, audited):
        path.write_text(path.read_text().replace(",hospital_medicine,", ",Hospitalist,"))
    mapping = tmp_path / "names.csv"
    mapping.write_text("kind,source,canonical\nspecialty,HOSPITALIST,hospital_medicine\n")
    result = runner.invoke(app, ["audit", "score", "--coded", str(coded), "--audited", str(audited),
                                 "--format", "json", "--vocabulary", str(mapping),
                                 "--sla", "Hospital Medicine=0.9", "--sla", "CARDIOLOGY=0.95"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [row["specialty"] for row in out["sla"]] == ["cardiology", "hospital_medicine"]
    assert [g["key"] for g in out["by"]["specialty"]] == ["cardiology", "hospital_medicine", "radiology"]


def test_a_specialty_new_to_the_vocabulary_is_scored_and_reported(tmp_path):
    coded, audited = write_cases(tmp_path, CASES)
    for path in (coded, audited):
        path.write_text(path.read_text().replace(",radiology,", ",Interventional Radiology,"))
    result = runner.invoke(app, ["audit", "score", "--coded", str(coded), "--audited", str(audited),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert "interventional_radiology" in [g["key"] for g in out["by"]["specialty"]]
    assert ("coded.csv: new specialty 'interventional_radiology' (written 'Interventional Radiology'; "
            "1 encounters)") in result.stderr
