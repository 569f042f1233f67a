"""Ingest weighs each discharge with its own fiscal year's Table 5, flags those without one,
groups an off-list discharge status as the CMS grouper does and honours POA-exempt facilities."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.codesets import add_weights
from codingwatch.ingest.encounters import ingest_encounter_file
from codingwatch.lake import metrics, open_lake
from tests.codesets.test_weights import SHIFT, fy2025_rows, write_txt
from tests.ingest.conftest import inpatient, write_csv

runner = CliRunner()
SEPSIS = [("ICD10CM", "A41.9", "Y"), ("ICD10CM", "J96.01", "Y")]  # MS-DRG 871


def rows_by_id(lake):
    table = lake.connect().table("encounters").execute()
    return {r["facility"] + "/" + str(r["discharge_date"]): r for _, r in table.iterrows()}


def fy_rows():
    return (inpatient("FY25", SEPSIS, admit_date="2025-04-28", discharge_date="2025-05-01")
            + inpatient("FY26", SEPSIS, admit_date="2026-01-02", discharge_date="2026-01-05"))


def test_fy2025_discharge_is_loaded_grouped_and_flagged_weight_missing(lake_root, tmp_path):
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", fy_rows()), lake=open_lake())
    assert result.status == "loaded" and result.encounters_loaded == 2
    assert result.weight_missing == {"weight missing (FY2025)": 1}
    assert "1 inpatient encounter(s) loaded and grouped but flagged weight missing (FY2025)" in result.message
    table = open_lake().connect().table("encounters")
    rows = {r["grouper_version"]: r for r in table.execute().to_dict("records")}
    assert rows[421]["drg"] == 871 and rows[421]["drg_weight"] is None
    assert rows[430]["drg"] == 871 and rows[430]["drg_weight"] == Decimal("1.9425")
    # The CMI is the FY2026 discharge's weight alone, and says one encounter lacks a weight.
    totals = metrics.totals(table)
    assert totals["cmi"] == Decimal("1.9425") and totals["weight_missing"] == 1


def test_with_fy2025_weights_imported_the_fy2025_discharge_gets_its_own_years_weight(lake_root, tmp_path):
    add_weights(write_txt(tmp_path / "t5.txt", fy2025_rows()), 2025)
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", fy_rows()), lake=open_lake())
    assert result.weight_missing == {}
    table = open_lake().connect().table("encounters")
    weights = {r["grouper_version"]: r["drg_weight"] for r in table.execute().to_dict("records")}
    assert weights == {421: Decimal("1.9425") + SHIFT, 430: Decimal("1.9425")}
    assert metrics.totals(table)["weight_missing"] == 0


def test_discharge_status_off_the_cms_list_groups_to_999_where_the_drg_reads_it(lake_root, tmp_path):
    rows = (inpatient("AMI", [("ICD10CM", "I21.4", "Y")], discharge_status="08")
            + inpatient("AMI-00", [("ICD10CM", "I21.4", "Y")], discharge_status="00")
            + inpatient("HF", [("ICD10CM", "I50.21", "Y")], discharge_status="99"))
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert result.status == "loaded" and result.encounters_loaded == 3
    assert result.invalid_discharge_status == 3
    assert "3 with a discharge status not on the CMS list (2 grouped to DRG 999" in result.message
    drgs = sorted(open_lake().connect().table("encounters").execute()["drg"].tolist())
    assert drgs == [293, 999, 999]  # heart failure does not read the status; AMI alive/expired does


def test_poa_exempt_facility_groups_an_unreported_hac_poa_like_the_cms_exempt_option(lake_root, tmp_path):
    hac = [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "L89.154", "1")]  # stage 4 pressure ulcer (HAC 04), POA unreported
    rows = inpatient("A", hac, facility="North Campus") + inpatient("B", hac, facility="Kids Hospital")
    path = write_csv(tmp_path / "coded.csv", rows)
    result = runner.invoke(app, ["ingest", "encounters", str(path), "--poa-exempt-facility", "KIDS HOSPITAL",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["encounters_loaded"] == 2
    table = open_lake().connect().table("encounters").execute()
    assert dict(zip(table["facility"], table["drg"], strict=True)) == {"North Campus": 999, "Kids Hospital": 291}
