"""Claims written by our X12 writer read back with the same codes, POA and money, and pyx12
accepts the 837s the writer produces."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from codingwatch.ingest.x12.claims import read_claims
from codingwatch.ingest.x12.load import claim_tables
from codingwatch.synth.x12_writer import write_835, write_837i, write_837p
from tests.ingest.x12.test_x12_cross_check import pyx12_segments

ICD10CM = ["I10", "E119", "J189", "N179", "I5023", "E871", "K5900", "R6520", "A419", "Z9181"]
PCS = ["0DTJ4ZZ", "02703ZZ", "5A1955Z", "0SR9019"]
CPT = ["99213", "99214", "93000", "71046", "G0008", "J1100"]
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)


@st.composite
def inpatient_claims(draw):
    claims = []
    for number in range(draw(st.integers(1, 4))):
        diagnoses = draw(st.lists(st.sampled_from(ICD10CM), min_size=1, max_size=15, unique=True))
        poa = draw(st.lists(st.sampled_from(["Y", "N", "U", "W"]), min_size=len(diagnoses), max_size=len(diagnoses)))
        lines = [{"revenue_code": "0300", "code": draw(st.sampled_from(CPT)), "charge": draw(money), "units": 1}
                 for _ in range(draw(st.integers(0, 3)))]
        claims.append({
            "claim_id": f"IP{number}X{draw(st.integers(0, 99999))}",
            "charge": sum((line["charge"] for line in lines), Decimal("0")) or draw(money),
            "type_of_bill": "111", "sex": draw(st.sampled_from("MF")),
            "admit_date": dt.date(2026, 1, 2), "discharge_date": dt.date(2026, 1, 6),
            "diagnoses": list(zip(diagnoses, poa, strict=True)),
            "procedures": draw(st.lists(st.sampled_from(PCS), max_size=4, unique=True)),
            "drg": draw(st.sampled_from([None, 871, 291, 470])), "lines": lines,
        })
    return claims


@settings(max_examples=30, deadline=None)
@given(claims=inpatient_claims())
def test_837i_round_trips_codes_poa_and_charges(claims):
    read = read_claims(write_837i(claims))
    assert [c.patient_control_number for c in read] == [c["claim_id"] for c in claims]
    for written, got in zip(claims, read, strict=True):
        assert got.total_charge == written["charge"]
        assert got.encounter_type == "inpatient"
        dx = [(c["code"], c["poa"]) for c in got.codes if c["system"] == "ICD10CM"]
        assert dx == written["diagnoses"]
        assert [c["code"] for c in got.codes if c["system"] == "ICD10PCS"] == written["procedures"]
        assert got.drg_given == (str(written["drg"]) if written["drg"] else None)


def test_written_x12_is_valid_for_pyx12_and_loads(monkeypatch):
    monkeypatch.setenv("CODINGWATCH_SECRET_KEY", "writer")
    professional = write_837p([{"claim_id": "P1", "charge": "150.00", "diagnoses": ["J189", "I10"],
                                "lines": [{"code": "99214", "modifiers": ["25"], "charge": "150.00"}]}])
    institutional = write_837i([{"claim_id": "I1", "charge": "900.00", "diagnoses": [("A419", "Y"), ("N179", "N")],
                                 "procedures": ["5A1955Z"], "lines": [{"revenue_code": "0450", "code": "99284",
                                                                       "charge": "900.00"}]}])
    for data, clm in ((professional, "P1"), (institutional, "I1")):
        verdict: list = []
        assert [s.get_value("CLM01") for s in pyx12_segments(data, "CLM", verdict)] == [clm]
        assert verdict == [True]
        tables = claim_tables(data, "L")
        assert tables["encounters"].num_rows == 1
    remittance = write_835([{"claim_id": "P1", "charge": "150.00", "payment": "120.00",
                             "lines": [{"code": "99214", "modifiers": ["25"], "charge": "150.00", "payment": "120.00",
                                        "adjustments": [{"group": "CO", "carc": "45", "amount": "30.00"}],
                                        "remarks": ["N14"]}]}])
    verdict = []
    assert len(pyx12_segments(remittance, "CLP", verdict)) == 1 and verdict == [True]
    codes = claim_tables(institutional, "L")["code_lines"].to_pylist()
    assert [(c["code_system"], c["code"], c["poa"]) for c in codes if c["code_system"] == "ICD10CM"] == [
        ("ICD10CM", "A419", "Y"), ("ICD10CM", "N179", "N")]


def test_billed_inpatient_claims_are_grouped_and_their_stated_drg_checked(monkeypatch):
    from codingwatch.codesets import Grouper

    monkeypatch.setenv("CODINGWATCH_SECRET_KEY", "writer")
    claim = {"claim_id": "IP1", "charge": "25000.00", "type_of_bill": "111", "sex": "F",
             "birth_date": dt.date(1950, 3, 1), "admit_date": dt.date(2026, 1, 2),
             "discharge_date": dt.date(2026, 1, 6), "discharge_status": "01",
             "diagnoses": [("A419", "Y"), ("N179", "N"), ("E871", "Y")], "procedures": [], "drg": 999}
    with Grouper() as grouper:
        expected = grouper.group(discharge_date=dt.date(2026, 1, 6), age=75, sex="F", discharge_status=1,
                                 diagnoses=claim["diagnoses"], procedures=[])
    encounters = claim_tables(write_837i([claim]), "L")["encounters"].to_pylist()
    assert encounters[0]["drg"] == expected.drg and expected.grouped
    assert encounters[0]["drg_weight"] == expected.weight
    assert encounters[0]["drg_given"] == 999 and encounters[0]["drg_mismatch"] is True
