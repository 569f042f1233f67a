"""A real organization's first day, end to end, on files that are not shaped like our synth's.

Its own words (specialties with spaces, capitals and punctuation, a mapping file, `I` and
`Inpatient` for the encounter type, `y` for POA), discharges in three fiscal years (FY2024
with no Table 5 installed, FY2025 with a Table 5 imported for the test, FY2026 with the one
the product ships), a FY2026 `QA0` code, a POA-exempt children's hospital, and an 835 whose SE
count is wrong. It loads, audits, draws a sample and reports with the right numbers and the
right warnings. Expected figures come from the Table 5 files themselves, not from the product.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.lake import metrics, open_lake
from codingwatch.synth.x12_writer import write_835
from tests.codesets.test_weights import SHIFT, fy2025_rows, shipped_rows, write_txt
from tests.ingest.conftest import inpatient, outpatient, write_csv

runner = CliRunner()

ST_MARYS, SHRINERS = "St. Mary's Medical Center", "Shriners Children's"
SEPSIS = [("ICD10CM", "A41.9", "y"), ("ICD10CM", "J96.01", "Y")]  # MS-DRG 871
HEART_FAILURE = [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "N17.9", "Y")]  # MS-DRG 292 (N17.9 is a CC)
PRESSURE_ULCER = [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "L89.154", "1")]  # HAC 04, POA unreported


def json_out(result) -> dict:
    """The JSON a command printed (a progress bar on the terminal may stand before it)."""
    text = result.stdout
    return json.loads(text[text.index("{"):])


def fy2026_weight(drg: int) -> Decimal:
    return Decimal(shipped_rows()[drg][7])


def coded_rows() -> list[dict]:
    org = {"vendor": "Acme Coding, LLC", "coder_id": "jdoe", "facility": ST_MARYS}
    return (
        # FY2024: no Table 5 is installed for it.
        inpatient("SM-2024-1", SEPSIS, admit_date="2024-02-10", discharge_date="2024-02-14",
                  received_at="2024-02-15T09:00:00-05:00", coded_at="2024-02-16T09:00:00-05:00",
                  specialty="Hospital Medicine", encounter_type="I", **{k: v for k, v in org.items()})
        # FY2025: weighted with the Table 5 imported below.
        + inpatient("SM-2025-1", HEART_FAILURE, admit_date="2025-04-28", discharge_date="2025-05-01",
                    received_at="2025-05-02T09:00:00-05:00", coded_at="2025-05-03T09:00:00-05:00",
                    specialty="HOSPITAL MEDICINE", encounter_type="Inpatient", **org)
        # FY2026: the shipped table; one at the exempt children's hospital, one not.
        + inpatient("SM-2026-1", SEPSIS, admit_date="2026-01-02", discharge_date="2026-01-05",
                    specialty="Pulm/CC", encounter_type="inpatient", **org)
        + inpatient("SM-2026-HAC", PRESSURE_ULCER, admit_date="2026-01-02", discharge_date="2026-01-05",
                    specialty="hospital_medicine", **org)
        + inpatient("SC-2026-HAC", PRESSURE_ULCER, admit_date="2026-01-02", discharge_date="2026-01-05",
                    specialty="Hospital Medicine", **{**org, "facility": SHRINERS})
        # A FY2026 QA0 code (new in FY2026) on an outpatient visit, in a specialty nobody mapped.
        + outpatient("SM-OP-1", [("ICD-10-CM", "QA00101"), ("CPT", "99213")], service_date="2026-02-01",
                     specialty="Sleep Medicine (Adult)", encounter_type="O", **org)
    )


def write_vocabulary(path: Path) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "source", "canonical"])
        writer.writerow(["specialty", "Pulm/CC", "Pulmonary and Critical Care"])
        writer.writerow(["specialty", "Hospital Medicine", "Hospital Medicine"])
        writer.writerow(["payer", "BCBS OF IL", "Blue Cross Blue Shield of Illinois"])
    return path


def write_remit(path: Path) -> Path:
    """Two claims paid, one denied for coding (CARC 11: diagnosis inconsistent with the
    procedure), with the SE segment count one too high, as a clearinghouse sometimes sends."""
    data = write_835([
        {"claim_id": "SM-2025-1", "status": "1", "charge": "12000.00", "payment": "9000.00",
         "adjustments": [{"group": "CO", "carc": "45", "amount": "3000.00"}]},
        {"claim_id": "SM-OP-1", "status": "4", "charge": "150.00", "payment": "0.00",
         "adjustments": [{"group": "CO", "carc": "11", "amount": "150.00"}]},
    ], payer_name="BCBS OF IL").decode("latin-1")
    se = next(s for s in data.split("~") if s.startswith("SE*"))
    count = int(se.split("*")[1])
    path.write_bytes(data.replace(se, f"SE*{count + 1}*0001", 1).encode("latin-1"))
    return path


def segment_count(path: Path) -> int:
    """Segments ST..SE of the one transaction, counted by hand."""
    segments = [s.split("*")[0] for s in path.read_text(encoding="latin-1").split("~") if s.strip()]
    return segments.index("SE") - segments.index("ST") + 1


@pytest.fixture
def first_day(lake_root, tmp_path):
    """Weights for FY2025 imported, the organization's encounters loaded with its mapping file
    and its exempt facility; the CLI outputs kept for the tests."""
    weights = runner.invoke(app, ["codesets", "add-weights", str(write_txt(tmp_path / "table5-fy2025.txt",
                                                                            fy2025_rows())),
                                  "--fiscal-year", "2025"])
    assert weights.exit_code == 0, weights.output
    coded = write_csv(tmp_path / "coded.csv", coded_rows())
    loaded = runner.invoke(app, ["ingest", "encounters", str(coded), "--vocabulary",
                                 str(write_vocabulary(tmp_path / "names.csv")),
                                 "--poa-exempt-facility", SHRINERS, "--format", "json"])
    assert loaded.exit_code == 0, loaded.output
    summary = json_out(loaded)
    return {"tmp": tmp_path, "coded": coded, "load": summary, "file": summary["files"][0]}


def lake_rows() -> list[dict]:
    """The lake's encounters (it keeps only keyed ids: tests tell them apart by facility, date, DRG)."""
    return open_lake().connect().table("encounters").execute().to_dict("records")


def test_every_encounter_loads_in_the_organizations_words(first_day):
    result = first_day["file"]
    assert first_day["load"]["encounters_loaded"] == 6 and result["encounters_loaded"] == 6 and result["encounters_rejected"] == 0
    specialties = sorted({r["specialty"] for r in lake_rows()})
    # Mapped names as the mapping spells them; the unmapped one stored normalized, reported, not refused.
    assert specialties == ["Hospital Medicine", "Pulmonary and Critical Care", "sleep_medicine_adult"]
    new = [n for n in result["new_names"] if n["kind"] == "specialty"]
    assert [n["canonical"] for n in new] == ["sleep_medicine_adult"]
    assert sorted({r["encounter_type"] for r in lake_rows()}) == ["inpatient", "outpatient"]


def test_each_discharge_is_weighted_with_its_own_years_table_or_flagged(first_day):
    result = first_day["file"]
    assert result["weight_missing"] == {"weight missing (FY2024)": 1}
    inpatient_rows = [r for r in lake_rows() if r["encounter_type"] == "inpatient"]
    by_date = {(r["facility"], str(r["discharge_date"])[:10], r["drg"]): r["drg_weight"] for r in inpatient_rows}
    assert by_date[(ST_MARYS, "2024-02-14", 871)] is None  # FY2024: no table, no substitute
    assert by_date[(ST_MARYS, "2025-05-01", 292)] == fy2026_weight(292) + SHIFT  # the FY2025 table
    assert by_date[(ST_MARYS, "2026-01-05", 871)] == fy2026_weight(871)
    # The exempt children's hospital groups the unreported HAC POA; the other hospital gets 999.
    assert by_date[(SHRINERS, "2026-01-05", 291)] == fy2026_weight(291)
    assert (ST_MARYS, "2026-01-05", 999) in by_date
    totals = metrics.totals(open_lake().connect().table("encounters"))
    weighted = [fy2026_weight(292) + SHIFT, fy2026_weight(871), fy2026_weight(291)]
    assert totals["weight_missing"] == 1
    assert totals["cmi"] == (sum(weighted) / len(weighted)).quantize(totals["cmi"])


def test_an_835_with_a_wrong_segment_count_is_refused_then_loads_leniently_and_meets_the_encounters(first_day):
    remit = write_remit(first_day["tmp"] / "payer.835")
    count = segment_count(remit)
    strict = runner.invoke(app, ["ingest", "remits", str(remit)])
    assert strict.exit_code != 0
    assert "payer.835" in strict.output and "SE01 declares" in strict.output
    assert "lenient" in strict.output  # the message says how to load it anyway
    lenient = runner.invoke(app, ["ingest", "remits", str(remit), "--lenient", "--format", "json",
                                  "--vocabulary", str(first_day["tmp"] / "names.csv")])
    assert lenient.exit_code == 0, lenient.output
    warnings = json_out(lenient)["warnings"]
    assert [w["reason"] for w in warnings] == [f"SE: SE01 declares \"{count + 1}\" but the count is {count}"]
    from codingwatch.denials import analytics

    linked = analytics.from_lake(open_lake().connect())["linked"]
    assert linked.execute()["linked"].all() and linked.count().execute() == 2
    rates = analytics.denial_rates(linked, by=["vendor", "specialty"]).execute()
    # The payer as the organization names it, not as the clearinghouse wrote it.
    payers = open_lake().connect().table("remit_payments").execute()["payer_name"].tolist()
    assert payers == ["Blue Cross Blue Shield of Illinois"]
    denied = rates[rates["coding_denied"] > 0]
    assert denied[["vendor", "specialty"]].values.tolist() == [["Acme Coding, LLC", "sleep_medicine_adult"]]


def test_the_sample_frame_counts_every_encounter_in_scope_after_claims_and_remits(first_day, tmp_path):
    write_remit(first_day["tmp"] / "payer.835")
    assert runner.invoke(app, ["ingest", "remits", str(first_day["tmp"] / "payer.835"), "--lenient"]).exit_code == 0
    out = tmp_path / "frame.csv"
    framed = runner.invoke(app, ["sample", "frame", "--from", "2023-10-01", "--to", "2026-09-30",
                                 "--specialty", "hospital medicine", "--out", str(out)])
    assert framed.exit_code == 0, framed.output
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4  # SM-2024-1, SM-2025-1, SM-2026-HAC, SC-2026-HAC


def test_the_audit_prices_a_drg_move_only_with_its_own_years_weight(first_day):
    """The auditor removes the CC from the FY2025 heart failure (292 -> 293) and from nothing
    else; the FY2024 sepsis loses its J96.01 too, but its year has no weights: found, not priced."""
    audited_rows = []
    for row in coded_rows():
        if row["encounter_id"] in ("SM-2025-1",) and row["code"] == "N17.9":
            continue
        if row["encounter_id"] == "SM-2024-1" and row["code"] == "J96.01":
            continue
        audited_rows.append(row)
    audited = write_csv(first_day["tmp"] / "audited.csv", audited_rows)
    scored = runner.invoke(app, ["audit", "score", "--coded", str(first_day["coded"]), "--audited", str(audited),
                                 "--vocabulary", str(first_day["tmp"] / "names.csv"),
                                 "--poa-exempt-facility", SHRINERS, "--base-rate", "6000",
                                 "--sla", "hospital medicine=0.95", "--format", "json", "--quiet"])
    assert scored.exit_code == 0, scored.output
    summary = json_out(scored)
    # 292 -> 293 at FY2025 weights, times the base rate: the overpayment found.
    moves = {m["encounter_id"]: m for m in summary["drg_changes"]}
    assert (moves["SM-2025-1"]["coded_drg"], moves["SM-2025-1"]["audited_drg"]) == (292, 293)
    assert Decimal(moves["SM-2025-1"]["coded_weight"]) == fy2026_weight(292) + SHIFT
    expected = ((fy2026_weight(292) + SHIFT) - (fy2026_weight(293) + SHIFT)) * 6000
    assert Decimal(summary["payment"]["over_coded"]) == expected.quantize(Decimal("0.01"))
    # The FY2024 sepsis moved 871 -> 872 too, but FY2024 has no Table 5: found, counted, not priced.
    assert (moves["SM-2024-1"]["coded_drg"], moves["SM-2024-1"]["audited_drg"]) == (871, 872)
    assert summary["weight_missing_cases"] == 1 and summary["payment"]["weight_missing"] == "1"
    assert summary["drg_changed"] == 2
