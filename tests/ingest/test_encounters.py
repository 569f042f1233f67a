from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.codesets import Grouper
from codingwatch.ingest.encounters import ingest_encounter_file
from codingwatch.lake import open_lake
from tests.ingest.conftest import inpatient, outpatient, write_csv

runner = CliRunner()


def lake_counts(lake):
    con = lake.connect()
    return con.table("encounters").count().execute(), con.table("code_lines").count().execute()


def rejects(result):
    with open(result.rejects_file, newline="") as handle:
        return list(csv.DictReader(handle))


def test_valid_file_loads_every_encounter_and_line(lake_root, tmp_path, heart_failure_rows, chest_xray_rows):
    path = write_csv(tmp_path / "coded.csv", heart_failure_rows + chest_xray_rows)
    result = ingest_encounter_file(path, lake=open_lake())
    assert result.status == "loaded"
    assert (result.encounters_loaded, result.lines_loaded) == (2, 4)
    assert lake_counts(open_lake()) == (2, 4)


def test_inpatient_drg_comes_from_the_cms_grouper(lake_root, tmp_path, heart_failure_rows):
    path = write_csv(tmp_path / "coded.csv", heart_failure_rows)
    ingest_encounter_file(path, lake=open_lake())
    row = open_lake().connect().table("encounters").execute().iloc[0]
    import datetime as dt

    with Grouper() as grouper:
        expected = grouper.group(discharge_date=dt.date(2026, 1, 5), age=70, sex="M", discharge_status=1,
                                 diagnoses=[("I5021", "Y"), ("N179", "Y")], procedures=[])
    assert row["drg"] == expected.drg == 292
    assert row["drg_weight"] == expected.weight


def test_stated_drg_that_differs_is_flagged(lake_root, tmp_path):
    rows = inpatient("ENC-9", [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "N17.9", "Y")], drg="291")
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert result.drg_mismatches == 1
    row = open_lake().connect().table("encounters").execute().iloc[0]
    assert row["drg_given"] == 291 and row["drg"] == 292 and bool(row["drg_mismatch"])


def test_source_encounter_id_is_keyed_and_encrypted_not_stored_plain(lake_root, tmp_path, heart_failure_rows):
    path = write_csv(tmp_path / "coded.csv", heart_failure_rows)
    ingest_encounter_file(path, lake=open_lake())
    from codingwatch.lake.keys import decrypt_source_id, source_key

    for parquet in open_lake().root.rglob("*.parquet"):
        assert b"ENC-1" not in parquet.read_bytes()
    row = open_lake().connect().table("encounters").execute().iloc[0]
    assert row["encounter_key"] == source_key("ENC-1")
    assert decrypt_source_id(row["source_id_enc"]) == "ENC-1"


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        ("Q99.99", "not a billable ICD-10-CM code"),  # unknown code
        ("I50", "not a billable ICD-10-CM code"),  # header (non-billable) code
    ],
)
def test_bad_code_rejects_its_encounter_and_keeps_the_others(lake_root, tmp_path, chest_xray_rows, code, reason_part):
    bad = inpatient("ENC-BAD", [("ICD10CM", code, "Y"), ("ICD10CM", "N17.9", "Y")])
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", chest_xray_rows + bad), lake=open_lake())
    assert result.status == "loaded" and result.encounters_loaded == 1 and result.encounters_rejected == 1
    listed = rejects(result)
    assert listed[0]["line"] == "4" and listed[0]["field"] == "code" and reason_part in listed[0]["reason"]
    assert listed[1]["line"] == "5" and "because of line 4" in listed[1]["reason"]


def test_code_not_yet_valid_on_the_date_of_service_names_the_year(lake_root, tmp_path):
    # E11.A took effect 2025-10-01 (FY2026); a June 2025 service date is FY2025.
    rows = outpatient("ENC-3", [("ICD10CM", "E11.A")], service_date="2025-06-01",
                      received_at="2025-06-01T10:00:00Z", coded_at="2025-06-02T10:00:00Z")
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert result.status == "rejected"
    reason = rejects(result)[0]["reason"]
    assert "not yet valid" in reason and "FY2025" in reason and "FY2026" in reason
    assert lake_counts(open_lake()) == (0, 0)


def test_date_outside_installed_code_sets_is_refused_naming_the_year(lake_root, tmp_path):
    rows = outpatient("ENC-4", [("ICD10CM", "R07.9")], service_date="2021-03-01",
                      received_at="2021-03-01T10:00:00Z", coded_at="2021-03-02T10:00:00Z")
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert "2021-03-01 is outside the installed code sets (FY2023-FY2027)" in rejects(result)[0]["reason"]


def test_bad_date_is_rejected_naming_field_and_value(lake_root, tmp_path):
    rows = outpatient("ENC-5", [("ICD10CM", "R07.9")], service_date="2026-02-30")
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    first = rejects(result)[0]
    assert (first["field"], first["value"], first["reason"]) == ("service_date", "2026-02-30", "not a date (YYYY-MM-DD)")
    assert lake_counts(open_lake()) == (0, 0)


def test_dates_out_of_order_are_rejected(lake_root, tmp_path):
    rows = inpatient("ENC-6", [("ICD10CM", "I50.21", "Y")], admit_date="2026-01-09")
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert any(r["field"] == "discharge_date" and "before admit_date" in r["reason"] for r in rejects(result))


def test_missing_column_refuses_the_file(lake_root, tmp_path, heart_failure_rows):
    from codingwatch.ingest.encounters import COLUMNS

    columns = tuple(c for c in COLUMNS if c != "poa")
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", heart_failure_rows, columns), lake=open_lake())
    assert result.status == "rejected"
    assert "missing column(s) poa" in result.message
    assert lake_counts(open_lake()) == (0, 0)


def test_truncated_file_is_refused_whole(lake_root, tmp_path, heart_failure_rows, chest_xray_rows):
    path = write_csv(tmp_path / "coded.csv", heart_failure_rows + chest_xray_rows)
    text = path.read_text()
    path.write_text(text[: len(text) - 40])  # cut the last line mid-row
    result = ingest_encounter_file(path, lake=open_lake())
    assert result.status == "rejected"
    assert "line 5" in result.message and "truncated" in result.message
    assert lake_counts(open_lake()) == (0, 0)


def test_same_file_twice_loads_once(lake_root, tmp_path, heart_failure_rows):
    path = write_csv(tmp_path / "coded.csv", heart_failure_rows)
    first = ingest_encounter_file(path, lake=open_lake())
    second = ingest_encounter_file(path, lake=open_lake())
    assert (first.status, second.status) == ("loaded", "skipped")
    assert "already loaded" in second.message
    assert lake_counts(open_lake()) == (1, 2)


def test_encounter_already_loaded_from_another_file_is_rejected(lake_root, tmp_path, heart_failure_rows, chest_xray_rows):
    ingest_encounter_file(write_csv(tmp_path / "first.csv", heart_failure_rows), lake=open_lake())
    result = ingest_encounter_file(write_csv(tmp_path / "second.csv", heart_failure_rows + chest_xray_rows),
                                   lake=open_lake())
    assert result.encounters_loaded == 1 and result.encounters_rejected == 1
    assert "already in the lake, loaded from first.csv" in rejects(result)[0]["reason"]
    assert lake_counts(open_lake()) == (2, 4)


def test_strict_refuses_the_file_on_any_bad_line(lake_root, tmp_path, chest_xray_rows):
    bad = outpatient("ENC-7", [("ICD10CM", "I50")])
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", chest_xray_rows + bad), lake=open_lake(),
                                   strict=True)
    assert result.status == "rejected" and "--strict" in result.message
    assert lake_counts(open_lake()) == (0, 0)


def test_lines_of_one_encounter_must_agree(lake_root, tmp_path):
    rows = inpatient("ENC-8", [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "N17.9", "Y")])
    rows[1]["coder_id"] = "someone-else"
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert any(r["field"] == "coder_id" and "differs from line 2" in r["reason"] for r in rejects(result))


def test_inpatient_diagnosis_needs_poa(lake_root, tmp_path):
    rows = inpatient("ENC-10", [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "N17.9", "")])
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert any(r["field"] == "poa" and "required" in r["reason"] for r in rejects(result))


def test_crash_while_writing_leaves_nothing_of_the_file(lake_root, tmp_path, heart_failure_rows, monkeypatch):
    path = write_csv(tmp_path / "coded.csv", heart_failure_rows)
    real_write = pq.write_table
    calls = {"n": 0}

    def fail_on_second_table(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", fail_on_second_table)
    with pytest.raises(OSError):
        ingest_encounter_file(path, lake=open_lake())
    monkeypatch.setattr(pq, "write_table", real_write)
    lake = open_lake()
    assert lake_counts(lake) == (0, 0)
    assert not list(lake.root.rglob("*.parquet"))
    # The file was never committed, so loading it again works.
    assert ingest_encounter_file(path, lake=lake).status == "loaded"


def test_files_of_a_load_that_never_committed_are_invisible_and_cleaned(lake_root, tmp_path, heart_failure_rows,
                                                                        chest_xray_rows):
    ingest_encounter_file(write_csv(tmp_path / "a.csv", heart_failure_rows), lake=open_lake())
    lake = open_lake()
    # A process killed after writing Parquet but before its manifest leaves an orphan file behind.
    orphan = lake.root / "encounters" / "20990101T000000-deadbeef.parquet"
    orphan.write_bytes((lake.files("encounters")[0]).read_bytes())
    assert lake_counts(lake) == (1, 2)
    ingest_encounter_file(write_csv(tmp_path / "b.csv", chest_xray_rows), lake=lake)
    assert not orphan.exists()


def test_parquet_input_loads_like_csv(lake_root, tmp_path, heart_failure_rows):
    import pyarrow as pa

    from codingwatch.ingest.encounters import COLUMNS

    table = pa.table({c: [row.get(c, "") for row in heart_failure_rows] for c in COLUMNS})
    pq.write_table(table, tmp_path / "coded.parquet")
    result = ingest_encounter_file(tmp_path / "coded.parquet", lake=open_lake())
    assert (result.status, result.encounters_loaded) == ("loaded", 1)


def test_cli_prints_counts_and_exits_nonzero_when_nothing_loaded(lake_root, tmp_path, chest_xray_rows):
    good = write_csv(tmp_path / "good.csv", chest_xray_rows)
    bad = write_csv(tmp_path / "bad.csv", outpatient("ENC-11", [("ICD10CM", "I50")]))
    ok = runner.invoke(app, ["ingest", "encounters", str(good), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    payload = json.loads(ok.stdout)
    assert payload["encounters_loaded"] == 1
    failed = runner.invoke(app, ["ingest", "encounters", str(bad)])
    assert failed.exit_code == 1
    assert "no valid encounter" in failed.output


def test_cli_reports_a_missing_file_clearly(lake_root, tmp_path):
    result = runner.invoke(app, ["ingest", "encounters", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "no such file" in result.output
