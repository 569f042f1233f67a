"""The loop end to end: coded encounters (CSV ingest), their 837P claims and the payer's 835
join by the patient control number, and a coding denial lands on the right coder and vendor."""

from __future__ import annotations

import datetime as dt

from codingwatch import denials
from codingwatch.ingest.encounters import ingest_encounter_files
from codingwatch.ingest.x12.load import ingest_claims, ingest_remits
from codingwatch.lake import open_lake
from codingwatch.synth.x12_writer import write_835, write_837p

HEADER = ("encounter_id,facility,encounter_type,specialty,admit_date,discharge_date,service_date,sex,age,"
          "discharge_status,coder_id,vendor,received_at,coded_at,code_system,code,sequence,poa,modifiers,units,drg")


def _line(encounter_id: str, coder: str, vendor: str, system: str, code: str, sequence: int) -> str:
    return (f"{encounter_id},F1,profee,cardiology,,,2026-01-05,F,60,,{coder},{vendor},"
            f"2026-01-05T09:00:00+00:00,2026-01-06T10:00:00+00:00,{system},{code},{sequence},,,1,")


def test_a_coding_denial_reaches_the_coder_and_vendor_who_coded_the_encounter(lake_root, tmp_path, monkeypatch):
    monkeypatch.setenv("CODINGWATCH_SECRET_KEY", "end-to-end")
    lake = open_lake()
    coded = tmp_path / "coded.csv"
    coded.write_text("\n".join([
        HEADER,
        _line("HAR1001", "coder-a", "acme", "ICD10CM", "I10", 1),
        _line("HAR1001", "coder-a", "acme", "CPT", "99214", 1),
        _line("HAR1002", "coder-b", "zenith", "ICD10CM", "E119", 1),
        _line("HAR1002", "coder-b", "zenith", "CPT", "99213", 1),
    ]) + "\n")
    [loaded] = ingest_encounter_files([coded], lake=lake)
    assert loaded.status == "loaded", loaded.message

    claims = tmp_path / "claims.837"
    claims.write_bytes(write_837p([
        {"claim_id": "HAR1001", "charge": "180.00", "diagnoses": ["I10"],
         "lines": [{"code": "99214", "charge": "180.00", "service_date": dt.date(2026, 1, 5)}]},
        {"claim_id": "HAR1002", "charge": "120.00", "diagnoses": ["E119"],
         "lines": [{"code": "99213", "charge": "120.00", "service_date": dt.date(2026, 1, 5)}]},
    ]))
    assert ingest_claims([claims], lake=lake).rejected == []
    remittance = tmp_path / "era.835"
    remittance.write_bytes(write_835([
        {"claim_id": "HAR1001", "status": "4", "charge": "180.00", "payment": "0",
         "adjustments": [{"group": "CO", "carc": "11", "amount": "180.00"}]},
        {"claim_id": "HAR1002", "charge": "120.00", "payment": "95.00",
         "adjustments": [{"group": "CO", "carc": "45", "amount": "25.00"}]},
    ], payment_date=dt.date(2026, 2, 1)))
    assert ingest_remits([remittance], lake=lake).rejected == []

    con = lake.connect()
    tables = denials.from_lake(con)
    rates = denials.denial_rates(tables["linked"], ["vendor", "coder_id"]).execute()
    by_coder = {row.coder_id: row for row in rates.itertuples()}
    assert by_coder["coder-a"].vendor == "acme" and by_coder["coder-a"].coding_denied == 1
    assert by_coder["coder-b"].vendor == "zenith" and by_coder["coder-b"].denied == 0
    # the billed encounter (837) and the coded one share the key
    encounters = con.table("encounters").execute()
    assert encounters.groupby("encounter_key").origin.nunique().eq(2).all()


def test_the_remittance_load_links_its_claim_outcomes_for_the_pages_and_a_new_load_replaces_them(
        lake_root, tmp_path, monkeypatch):
    from codingwatch.denials.kept import kept_linked_path
    from codingwatch.lake.check import check_lake

    monkeypatch.setenv("CODINGWATCH_SECRET_KEY", "end-to-end")
    lake = open_lake()
    coded = tmp_path / "coded.csv"
    coded.write_text("\n".join([HEADER, _line("HAR2001", "coder-a", "acme", "ICD10CM", "I10", 1),
                                _line("HAR2002", "coder-b", "zenith", "ICD10CM", "E119", 1)]) + "\n")
    [loaded] = ingest_encounter_files([coded], lake=lake)
    assert loaded.status == "loaded", loaded.message
    remittance = tmp_path / "era.835"
    remittance.write_bytes(write_835([
        {"claim_id": "HAR2001", "status": "4", "charge": "180.00", "payment": "0",
         "adjustments": [{"group": "CO", "carc": "11", "amount": "180.00"}]},
        {"claim_id": "HAR2002", "charge": "120.00", "payment": "95.00",
         "adjustments": [{"group": "CO", "carc": "45", "amount": "25.00"}]},
    ], payment_date=dt.date(2026, 2, 1)))
    assert ingest_remits([remittance], lake=lake).rejected == []

    kept = kept_linked_path(lake)
    assert kept is not None, "the 835 load wrote the linked outcomes of its snapshot"
    con = lake.connect()
    columns = ["load_id", "claim_row", "encounter_key", "vendor", "coder_id", "denied", "coding_related", "payment"]
    computed = denials.from_lake(con)["linked"].execute()[columns].sort_values("claim_row").reset_index(drop=True)
    read = con.read_parquet(kept).execute()[columns].sort_values("claim_row").reset_index(drop=True)
    assert read.equals(computed)
    assert read[read.denied].coder_id.tolist() == ["coder-a"]
    assert check_lake(lake).problems == [], "the kept file is not an orphan of the lake"

    # a second remittance: a new snapshot, its own file, the old one gone
    second = tmp_path / "era2.835"
    second.write_bytes(write_835([{"claim_id": "HAR2002", "status": "4", "charge": "120.00", "payment": "0",
                                   "adjustments": [{"group": "CO", "carc": "16", "amount": "120.00"}]}],
                                 payment_date=dt.date(2026, 3, 1)))
    assert ingest_remits([second], lake=lake).rejected == []
    newer = kept_linked_path(lake)
    assert newer is not None and newer != kept and not kept.exists()
    assert len(con.read_parquet(newer).execute()) == 3
