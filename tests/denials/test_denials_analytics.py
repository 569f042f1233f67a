"""Denials analytics on a small hand-built lake: coded encounters + 835s written and ingested."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from codingwatch import denials
from codingwatch.ingest.x12.load import ingest_remits
from codingwatch.lake import keys, open_lake
from codingwatch.lake.schema import ENCOUNTERS
from codingwatch.synth.x12_writer import write_835

# Four encounters coded by two vendors; claim B is denied for a bundling (coding) reason,
# C for eligibility (not coding), D for CARC 16 with a coding RARC; B is paid on resubmission.
CODED = [
    ("A", "acme", "c1", "cardiology"),
    ("B", "acme", "c1", "cardiology"),
    ("C", "zenith", "c2", "oncology"),
    ("D", "zenith", "c3", "oncology"),
]


@pytest.fixture
def lake(lake_root, monkeypatch, tmp_path):
    monkeypatch.setenv("CODINGWATCH_SECRET_KEY", "denials-test")
    lake = open_lake()
    rows = [{"encounter_key": keys.source_key(pcn), "origin": "coded", "vendor": vendor, "coder_id": coder,
             "specialty": specialty, "encounter_type": "outpatient", "load_id": "coded-1"}
            for pcn, vendor, coder, specialty in CODED]
    lake.commit_load(kind="encounters", source_name="coded.csv", sha256="0" * 64,
                     tables={"encounters": pa.Table.from_pylist(rows, schema=ENCOUNTERS)})
    first = write_835([
        {"claim_id": "A", "charge": "100.00", "payment": "80.00",
         "adjustments": [{"group": "CO", "carc": "45", "amount": "20.00"}]},
        {"claim_id": "B", "status": "4", "charge": "200.00", "payment": "0",
         "adjustments": [{"group": "CO", "carc": "97", "amount": "200.00"}]},
        {"claim_id": "C", "status": "4", "charge": "300.00", "payment": "0",
         "adjustments": [{"group": "CO", "carc": "27", "amount": "300.00"}]},
        {"claim_id": "D", "status": "4", "charge": "400.00", "payment": "0", "remarks": ["M76"],
         "adjustments": [{"group": "CO", "carc": "16", "amount": "400.00"}]},
    ], payer_id="PAYER1", payment_date=dt.date(2026, 1, 20), control=1)
    later = write_835([
        {"claim_id": "B", "charge": "200.00", "payment": "150.00", "frequency": "7",
         "adjustments": [{"group": "CO", "carc": "45", "amount": "50.00"}]},
    ], payer_id="PAYER1", payment_date=dt.date(2026, 2, 25), control=2, trace_number="TRACE0002")
    (tmp_path / "jan.835").write_bytes(first)
    (tmp_path / "feb.835").write_bytes(later)
    report = ingest_remits([tmp_path / "jan.835", tmp_path / "feb.835"], lake=lake)
    assert report.rejected == []
    return lake


def _tables(lake):
    con = lake.connect()
    return con, denials.from_lake(con)


def test_denial_and_coding_denial_rates_by_vendor(lake):
    _, t = _tables(lake)
    rates = denials.denial_rates(t["linked"], ["vendor"]).execute().set_index("vendor")
    # acme: A paid, B denied (97, coding), B paid later -> 3 remitted claims, 1 denied, 1 coding
    assert rates.loc["acme", "claims"] == 3
    assert rates.loc["acme", "denied"] == 1 and rates.loc["acme", "coding_denied"] == 1
    # zenith: C denied (27, eligibility), D denied (16 + M76 -> coding)
    assert rates.loc["zenith", "denied"] == 2 and rates.loc["zenith", "coding_denied"] == 1
    assert rates.loc["zenith", "coding_denial_rate"] == pytest.approx(0.5)


def test_coding_adjustments_on_paid_claims_are_counted_apart(lake, tmp_path):
    partial = write_835([
        {"claim_id": "A", "charge": "300.00", "payment": "200.00",
         "lines": [{"code": "99214", "charge": "200.00", "payment": "200.00"},
                   {"code": "93000", "charge": "100.00", "payment": "0",
                    "adjustments": [{"group": "CO", "carc": "97", "amount": "100.00"}]}]},
    ], payer_id="PAYER2", payment_date=dt.date(2026, 3, 2), control=3, trace_number="TRACE0003")
    (tmp_path / "mar.835").write_bytes(partial)
    assert ingest_remits([tmp_path / "mar.835"], lake=lake).rejected == []
    _, t = _tables(lake)
    march = denials.denial_rates(t["linked"], ["payer_id"]).execute().set_index("payer_id").loc["PAYER2"]
    assert march.denied == 0 and march.coding_denied == 0
    assert Decimal(str(march.coding_adjusted)) == Decimal("100.00")


def test_zero_pay_to_the_deductible_predeterminations_and_reversals_are_not_denials(lake, tmp_path):
    others = write_835([
        {"claim_id": "A", "charge": "100.00", "payment": "0", "patient_responsibility": "100.00",
         "adjustments": [{"group": "PR", "carc": "1", "amount": "100.00"}]},
        {"claim_id": "C", "status": "25", "charge": "100.00", "payment": "0",
         "adjustments": [{"group": "CO", "carc": "45", "amount": "100.00"}]},
        {"claim_id": "D", "status": "22", "charge": "-400.00", "payment": "0"},
    ], payer_id="PAYER3", payment_date=dt.date(2026, 4, 1), control=4, trace_number="TRACE0004")
    (tmp_path / "apr.835").write_bytes(others)
    assert ingest_remits([tmp_path / "apr.835"], lake=lake).rejected == []
    _, t = _tables(lake)
    april = denials.denial_rates(t["linked"], ["payer_id"]).execute().set_index("payer_id").loc["PAYER3"]
    assert april.claims == 3 and april.denied == 0


def test_rates_by_coder_specialty_payer_and_month(lake):
    _, t = _tables(lake)
    by = denials.denial_rates(t["linked"], ["coder_id", "specialty", "payer_id", "month"]).execute()
    jan = by[by.month.astype(str).str.startswith("2026-01")]
    assert set(jan.payer_id) == {"PAYER1"}
    assert dict(zip(jan.coder_id, jan.coding_denied, strict=True)) == {"c1": 1, "c2": 0, "c3": 1}


def test_carc_pareto_orders_the_codes_behind_denials(lake):
    con, t = _tables(lake)
    pareto = denials.carc_pareto(t["outcomes"], con.table("remit_adjustments")).execute()
    assert set(pareto.carc) == {"97", "27", "16"}
    assert pareto.cumulative_share.iloc[-1] == pytest.approx(1.0)
    coding = denials.carc_pareto(t["outcomes"], con.table("remit_adjustments"), coding_only=True).execute()
    assert set(coding.carc) == {"97", "16"}


def test_rework_cost_is_coding_denials_times_the_rate(lake):
    _, t = _tables(lake)
    cost = denials.rework_cost(t["linked"], Decimal("35.50"), ["vendor"]).execute().set_index("vendor")
    assert Decimal(str(cost.loc["acme", "rework_cost"])) == Decimal("35.50")
    assert Decimal(str(cost.loc["zenith", "rework_cost"])) == Decimal("35.50")


def test_rework_cost_comes_from_the_setting_when_no_contract_figure_is_given(lake, monkeypatch):
    _, t = _tables(lake)
    monkeypatch.setenv("CODINGWATCH_DENIAL_REWORK_COST", "12.25")
    cost = denials.rework_cost(t["linked"], by=["vendor"]).execute().set_index("vendor")
    assert Decimal(str(cost.loc["acme", "rework_cost"])) == Decimal("12.25")
    monkeypatch.setenv("CODINGWATCH_DENIAL_REWORK_COST", "")
    with pytest.raises(ValueError, match="CODINGWATCH_DENIAL_REWORK_COST"):
        denials.rework_cost(t["linked"], by=["vendor"])


def test_amount_recovered_on_resubmission(lake):
    _, t = _tables(lake)
    recovered = denials.recoveries(t["outcomes"]).execute()
    assert list(recovered.encounter_key) == [keys.source_key("B")]
    assert Decimal(str(recovered.recovered.iloc[0])) == Decimal("150.00")


def test_a_denial_leads_to_its_encounter_and_findings(lake):
    con, t = _tables(lake)
    key = keys.source_key("D")
    findings = con.create_table("findings", pa.table({"encounter_key": [key], "finding": ["principal dx changed"]}))
    trace = denials.denial_trace(t["outcomes"], con.table("encounters"), key, findings).execute()
    assert list(trace.vendor) == ["zenith"] and list(trace.coder_id) == ["c3"]
    assert list(trace.finding) == ["principal dx changed"]


def test_coding_denial_keys_feed_sampling_frames(lake):
    con, t = _tables(lake)
    frame = denials.coding_denial_keys(t["outcomes"]).execute()
    assert set(frame.encounter_key) == {keys.source_key("B"), keys.source_key("D")}
    assert set(denials.coding_denial_keys_from_lake(con).execute().encounter_key) == set(frame.encounter_key)


def test_the_denials_command_prints_rates_as_json(lake):
    import json

    from typer.testing import CliRunner

    from codingwatch.cli import app

    result = CliRunner().invoke(app, ["denials", "rates", "--by", "vendor", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["vendor"]: row for row in json.loads(result.stdout)["rows"]}
    assert rows["zenith"]["coding_denied"] == 1 and rows["zenith"]["denied"] == 2
    assert rows["zenith"]["coding_denial_rate"] == pytest.approx(0.5)
