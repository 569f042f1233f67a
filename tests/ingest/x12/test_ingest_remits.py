"""835 remittances into the lake: totals equal the files' own CLP segments; bad files rejected."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.codesets import carc
from codingwatch.ingest.x12.envelope import X12Reject
from codingwatch.ingest.x12.load import ingest_remits, remit_tables
from codingwatch.lake import open_lake
from codingwatch.synth.x12_writer import write_835
from tests.ingest.x12.x12_helpers import fixture_files, plain_totals

FILES_835 = fixture_files("835")


@pytest.mark.parametrize("path", FILES_835, ids=lambda p: p.name)
def test_every_835_fixture_loads_with_the_files_clp_counts_and_money(path, shared_dir, lake_root):
    expected = plain_totals(path.read_bytes())
    report = ingest_remits([path])
    assert report.rejected == []
    assert report.claims == expected["claims_835"]
    assert report.charge_total == expected["charge_835"]
    assert report.paid_total == expected["paid_835"]
    assert report.service_lines == expected["service_lines_835"]
    assert report.adjustments == expected["adjustments_835"]


def test_remits_json_output_has_the_promised_keys(x12_dir, lake_root, tmp_path):
    good = sorted((x12_dir / "835").glob("*"))
    bad = tmp_path / "broken.835"
    bad.write_bytes(good[0].read_bytes()[:-40])
    result = CliRunner().invoke(app, ["ingest", "remits", *map(str, good), str(bad), "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    for key in ("files", "claims", "service_lines", "adjustments", "charge_total", "paid_total", "rejected"):
        assert key in payload
    assert payload["files"] == len(good)
    totals = [plain_totals(p.read_bytes()) for p in good]
    assert Decimal(payload["paid_total"]) == sum(t["paid_835"] for t in totals)
    assert payload["rejected"][0]["file"] == str(bad)
    assert payload["rejected"][0]["segment"] > 0


def test_the_same_remittance_twice_loads_once(x12_dir, lake_root):
    path = x12_dir / "835" / "tigershark-5010-example-1.835"
    assert ingest_remits([path]).files == 1
    again = ingest_remits([path])
    assert again.files == 0 and again.skipped == [str(path)]


@pytest.mark.parametrize("path", FILES_835, ids=lambda p: p.name)
def test_truncation_at_every_segment_boundary_is_rejected(path, shared_dir):
    text = path.read_bytes().decode("latin-1")
    terminator = text.lstrip()[105]
    cuts = [i + 1 for i, ch in enumerate(text) if ch == terminator]
    for cut in [0, *cuts[:-1]]:
        with pytest.raises(X12Reject):
            remit_tables(text[:cut].encode("latin-1"), "L")


@pytest.mark.parametrize(
    "old,new,fault",
    [
        ("SE*26*112233", "SE*25*112233", "SE01"),
        ("SE*26*112233", "SE*26*112234", "SE02"),
        ("GE*1*1~", "GE*2*1~", "GE01"),
        ("IEA*1*000000907", "IEA*1*000000908", "IEA02"),
        ("N3*10 SOUTH", "N9*10 SOUTH", "N9"),
        ("CLP*5554555444*1*800.00", "CLP*5554555444*1*8X0.00", "CLP"),
    ],
)
def test_a_broken_835_is_rejected_with_its_segment(old, new, fault, x12_dir):
    data = (x12_dir / "835" / "lfh-managed-care.835").read_bytes()
    assert old.encode() in data
    with pytest.raises(X12Reject) as caught:
        remit_tables(data.replace(old.encode(), new.encode()), "L")
    assert fault in caught.value.reason
    assert caught.value.segment >= 1


def test_an_837_given_as_a_remittance_is_rejected(x12_dir):
    with pytest.raises(X12Reject) as caught:
        remit_tables((x12_dir / "837" / "lfh-837i-institutional-claim.837").read_bytes(), "L")
    assert "not an 835" in caught.value.reason


def test_unknown_adjustment_codes_are_kept_and_reported(x12_dir, lake_root):
    report = ingest_remits(sorted((x12_dir / "835").glob("*")))
    adjustments = open_lake().connect().table("remit_adjustments").execute()
    codes = set(adjustments.carc)
    unknown = carc.unknown_codes("CARC", codes)
    assert unknown  # the public files use codes outside our catalog ...
    assert set(unknown) <= codes  # ... and they are in the lake, not dropped ...
    assert report.as_dict()["unknown_carcs"] == unknown  # ... and the ingest reports them


def test_remark_codes_and_provider_adjustments_are_kept(x12_dir, lake_root):
    ingest_remits([x12_dir / "835" / "lfh-medicare-part-a.835", x12_dir / "835" / "pyx12-mult-loops.835"])
    con = open_lake().connect()
    remarks = con.table("remit_remarks").execute()
    assert {("MOA", "MA02"), ("LQ", "N14")} <= set(zip(remarks.source, remarks.code, strict=True))
    assert con.table("remit_provider_adjustments").count().execute() == 1


money = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def remittance(draw):
    claims = []
    for number in range(draw(st.integers(1, 6))):
        charge = draw(money)
        payment = draw(st.decimals(min_value=0, max_value=charge, places=2))
        adjustment = charge - payment
        carc_code = draw(st.sampled_from(["45", "97", "16", "4", "B7", "253", "999"]))
        claims.append({
            "claim_id": f"PCN{number}-{draw(st.integers(0, 10**6))}",
            "status": "4" if payment == 0 else "1",
            "charge": charge, "payment": payment,
            "adjustments": [{"group": "CO", "carc": carc_code, "amount": adjustment}] if adjustment else [],
        })
    return claims


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=remittance())
def test_hypothesis_built_835s_round_trip_their_totals(claims):
    data = write_835(claims, payment_date=dt.date(2026, 2, 3))
    tables = remit_tables(data, "L")
    remit_claims = tables["remit_claims"].to_pylist()
    assert len(remit_claims) == len(claims)
    assert sum(c["charge"] for c in remit_claims) == sum(Decimal(str(c["charge"])) for c in claims)
    assert sum(c["payment"] for c in remit_claims) == sum(Decimal(str(c["payment"])) for c in claims)
    assert tables["remit_payments"].to_pylist()[0]["total_payment"] == sum(
        Decimal(str(c["payment"])) for c in claims)
    adjustments = tables["remit_adjustments"].to_pylist()
    assert sum(a["amount"] for a in adjustments) == sum(
        Decimal(str(a["amount"])) for c in claims for a in c["adjustments"])
    assert plain_totals(data)["claims_835"] == len(claims)


def test_interchanges_with_different_delimiters_in_one_file_all_load(x12_dir, lake_root, tmp_path):
    first = (x12_dir / "835" / "lfh-managed-care.835").read_bytes()
    second = (x12_dir / "835" / "pyx12-mult-loops.835").read_bytes()
    assert b"|" not in second and b"!" not in second
    other_delimiters = second.replace(b"*", b"|").replace(b"~", b"!")
    path = tmp_path / "two.835"
    path.write_bytes(first + other_delimiters)
    report = ingest_remits([path])
    assert report.rejected == []
    expected = [plain_totals(first), plain_totals(other_delimiters)]
    assert report.claims == sum(t["claims_835"] for t in expected)
    assert report.paid_total == sum(t["paid_835"] for t in expected)
    con = open_lake().connect()
    lines = con.table("remit_lines").execute()
    claims = con.table("remit_claims").execute()
    # every service line still points at a claim of the same load
    assert set(lines.claim_row) <= set(claims.claim_row)
    assert claims.claim_row.is_unique


def test_latin1_text_in_a_remittance_loads(x12_dir):
    data = (x12_dir / "835" / "lfh-managed-care.835").read_bytes().replace(b"RUSHMORE LIFE", b"RUSHMOR\xc9 LIFE")
    payments = remit_tables(data, "L")["remit_payments"].to_pylist()
    assert payments[0]["payer_name"] == "RUSHMORÉ LIFE"


def test_an_amount_too_large_for_the_lake_is_rejected_not_crashed(x12_dir):
    data = (x12_dir / "835" / "lfh-managed-care.835").read_bytes()
    data = data.replace(b"CLP*5554555444*1*800.00", b"CLP*5554555444*1*80000000000000000000.00")
    with pytest.raises(X12Reject):
        remit_tables(data, "L")
