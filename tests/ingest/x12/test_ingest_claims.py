"""837 claims into the lake: totals equal the files' own CLM segments; bad files rejected whole."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.ingest.x12.envelope import X12Reject
from codingwatch.ingest.x12.load import claim_tables, ingest_claims
from codingwatch.lake import open_lake
from tests.ingest.x12.x12_helpers import fixture_files, plain_segments, plain_totals

FILES_837 = fixture_files("837")
INVALID = fixture_files("invalid")
# imsweb's test files carry SE01 = 25 whatever the count, a GE01 that misses a transaction
# and repeated HL ids: they load only when told to be lenient about counts and numbering.
WRONG_COUNTS = [p for p in FILES_837 if p.name.startswith("imsweb-")]


# Files whose composites use another component separator than their ISA16 declares: the docs
# say "warned, loaded", without --lenient.
OTHER_COMPONENT_SEPARATOR = {"lfh-837i-out-of-network-repriced-claim.837": 20,
                             "lfh-837i-ppo-repriced-claim.837": 26, "lfh-837p-demo.cob.2ndary.example4.837": 21}


@pytest.mark.parametrize("path", FILES_837, ids=lambda p: p.name)
def test_every_837_fixture_loads_with_the_files_claim_count_and_charges(path, shared_dir, lake_root):
    expected = plain_totals(path.read_bytes())
    # only the files with wrong counts or HL numbering need --lenient
    report = ingest_claims([path], lenient=path in WRONG_COUNTS)
    assert report.rejected == []
    assert report.claims == expected["claims_837"]
    assert report.charge_total == expected["charge_837"]
    con = open_lake().connect()
    encounters = con.table("encounters").execute()
    assert len(encounters) == expected["claims_837"]
    assert set(encounters.origin) == {"billed"}


@pytest.mark.parametrize("name", sorted(OTHER_COMPONENT_SEPARATOR))
def test_another_component_separator_is_warned_and_loaded_without_lenient(name, x12_dir, lake_root):
    path = x12_dir / "837" / name
    report = ingest_claims([path])
    assert report.rejected == [] and report.files == 1
    assert report.warnings == [{
        "file": str(path), "segment": OTHER_COMPONENT_SEPARATOR[name],
        "reason": "ISA16 declares component separator ':' but the composites use '>': read with '>'",
    }]


@pytest.mark.parametrize("path", WRONG_COUNTS, ids=lambda p: p.name)
def test_a_file_whose_counts_are_wrong_is_rejected_unless_lenient(path, shared_dir, lake_root):
    report = ingest_claims([path])
    assert len(report.rejected) == 1
    assert report.rejected[0]["segment"] > 0
    assert "declares" in report.rejected[0]["reason"] or "HL" in report.rejected[0]["reason"]
    assert open_lake().loads() == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_every_invalid_fixture_is_rejected_with_a_segment_and_reason(path, shared_dir, lake_root):
    report = ingest_claims([path], lenient=True)
    assert report.files == 0
    [reject] = report.rejected
    assert reject["file"] == str(path)
    assert reject["segment"] >= 1
    assert len(reject["reason"]) > 10
    assert open_lake().loads() == []


def test_invalid_fixtures_are_rejected_for_their_own_fault(x12_dir):
    reasons = {}
    for path in sorted((x12_dir / "invalid").glob("*")):
        with pytest.raises(X12Reject) as caught:
            claim_tables(path.read_bytes(), "L", lenient=True)
        reasons[path.name] = (caught.value.segment, caught.value.reason)
    assert "ISA02" in reasons["imsweb-x12_bad_first_line.837"][1]
    assert reasons["imsweb-x12_no_isa_line.837"] == (1, reasons["imsweb-x12_no_isa_line.837"][1])
    assert "ISA" in reasons["imsweb-x12_no_isa_line.837"][1]
    assert "not a segment" in reasons["imsweb-x12_bad_segment_identifier.837"][1]
    assert reasons["imsweb-x12_missing_elements.837"][1] == "NM102 is required but missing"
    # the file's N4 of the billing provider (segment 12 counting from ISA) precedes its N3
    segment, reason = reasons["imsweb-x12_segments_out_of_order.837"]
    segs = plain_segments((x12_dir / "invalid" / "imsweb-x12_segments_out_of_order.837").read_bytes())
    assert segs[segment - 1][0] in ("N3", "N4") and "out of place" in reason


def test_the_same_file_twice_loads_once(x12_dir, lake_root):
    path = x12_dir / "837" / "lfh-837i-two-claims-single-provider.837"
    first = ingest_claims([path])
    second = ingest_claims([path])
    assert first.files == 1 and second.files == 0 and second.skipped == [str(path)]
    assert len(open_lake().loads()) == 1


def test_a_rejected_file_does_not_stop_the_others_and_the_exit_code_says_so(x12_dir, lake_root):
    good = x12_dir / "837" / "lfh-837p-demo.autoaccident.837"
    bad = x12_dir / "invalid" / "imsweb-x12_missing_elements.837"
    result = CliRunner().invoke(app, ["ingest", "claims", str(bad), str(good), "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["files"] == 1 and payload["claims"] == 1
    assert payload["rejected"][0]["file"] == str(bad)
    assert payload["rejected"][0]["segment"] == 7


def test_not_x12_is_rejected(tmp_path, lake_root):
    path = tmp_path / "notes.837"
    path.write_text("patient,charge\nA,100\n")
    report = ingest_claims([path])
    assert report.rejected[0]["reason"].startswith("not an X12 file")


@pytest.mark.parametrize(
    "old,new,fault",
    [
        ("SE*{n}*0001", "SE*{n}*0002", "SE02"),
        ("SE*{n}*0001", "SE*{m}*0001", "SE01"),
        ("GE*1*905~", "GE*1*906~", "GE02"),
        ("GE*1*905~", "GE*2*905~", "GE01"),
        ("IEA*1*000000905", "IEA*1*000000906", "IEA02"),
        ("IEA*1*000000905", "IEA*2*000000905", "IEA01"),
    ],
)
def test_a_broken_envelope_is_rejected_naming_the_element(old, new, fault):
    from codingwatch.synth.x12_writer import write_837p

    data = write_837p([{"claim_id": "C1", "charge": "100", "diagnoses": ["J189"],
                        "lines": [{"code": "99213", "charge": "100"}]}], control=905)
    text = data.decode()
    segments = [s for s in text.split("~") if s]
    n = len(segments) - 4  # ST..SE: all but ISA, GS, GE, IEA
    old, new = old.format(n=n), new.format(n=n, m=n + 1)
    assert old in text
    claim_tables(data, "L")  # the unbroken file loads
    with pytest.raises(X12Reject) as caught:
        claim_tables(text.replace(old, new).encode(), "L")
    assert fault in caught.value.reason


@pytest.mark.parametrize("path", [p for p in FILES_837 if p.stat().st_size < 10_000], ids=lambda p: p.name)
def test_truncation_at_every_segment_boundary_is_rejected(path, shared_dir):
    data = path.read_bytes()
    text = data.decode("latin-1")
    terminator = text.lstrip()[105]
    cuts = [i + 1 for i, ch in enumerate(text) if ch == terminator]
    for cut in [0, *cuts[:-1]]:
        with pytest.raises(X12Reject):
            claim_tables(text[:cut].encode("latin-1"), "L", lenient=True)


def test_billed_codes_keep_qualifiers_poa_and_service_lines(x12_dir, lake_root):
    path = x12_dir / "837" / "lfh-837i-institutional-claim.837"
    segs = plain_segments(path.read_bytes())
    ingest_claims([path])
    con = open_lake().connect()
    codes = con.table("claim_codes").execute()
    hi_composites = [e for s in segs if s[0] == "HI" for e in s[1:] if e.split(":")[0] in ("BK", "BF", "ABK", "ABF")]
    assert sorted(codes.code) == sorted(e.split(":")[1] for e in hi_composites)
    lines = con.table("claim_lines").execute()
    sv2 = [s for s in segs if s[0] == "SV2"]
    assert list(lines.revenue_code) == [s[1] for s in sv2]
    assert sum(lines.charge) == sum(Decimal(s[3]) for s in sv2)
    claims = con.table("claims").execute()
    clm05 = next(s for s in segs if s[0] == "CLM")[5].split(":")
    assert claims.type_of_bill[0] == "0" + clm05[0] + clm05[2]
    assert claims.claim_type[0] == "837I"


def test_icd10_codes_reach_code_lines_with_poa_in_sequence(lake_root, tmp_path):
    from codingwatch.synth.x12_writer import write_837p

    path = tmp_path / "c.837"
    path.write_bytes(write_837p([{"claim_id": "ENC-1", "charge": "250.00", "diagnoses": ["I10", "E119", "J189"],
                                  "lines": [{"code": "99214", "modifiers": ["25"], "charge": "150", "units": 1},
                                            {"code": "G0008", "charge": "100", "units": 2}]}]))
    report = ingest_claims([path])
    assert report.rejected == []
    con = open_lake().connect()
    lines = con.table("code_lines").execute().sort_values(["code_system", "sequence"])
    assert list(zip(lines.code_system, lines.code, lines.sequence, strict=True)) == [
        ("CPT", "99214", 1), ("HCPCS", "G0008", 2),
        ("ICD10CM", "I10", 1), ("ICD10CM", "E119", 2), ("ICD10CM", "J189", 3),
    ]
    assert lines[lines.code == "99214"].modifiers.iloc[0] == "25"
    from codingwatch.lake.keys import source_key

    assert set(lines.encounter_key) == {source_key("ENC-1")}


def test_interchanges_with_different_delimiters_in_one_file_all_load(x12_dir, lake_root, tmp_path):
    first = (x12_dir / "837" / "imsweb-x12_valid_different_separators.837").read_bytes()
    second = (x12_dir / "837" / "lfh-837p-demo.autoaccident.837").read_bytes()
    path = tmp_path / "two.837"
    path.write_bytes(first + b"\n" + second)
    report = ingest_claims([path], lenient=True)
    assert report.rejected == []
    expected = [plain_totals(first), plain_totals(second)]
    assert report.claims == sum(t["claims_837"] for t in expected)
    assert report.charge_total == sum(t["charge_837"] for t in expected)


def test_latin1_text_in_a_claim_loads(x12_dir):
    data = (x12_dir / "837" / "lfh-837p-demo.autoaccident.837").read_bytes()
    name = plain_segments(data)[[s[0] for s in plain_segments(data)].index("NM1")][3].encode()
    tables = claim_tables(data.replace(name, name[:-1] + b"\xc9", 1), "L")
    assert tables["claims"].num_rows == 1


@pytest.mark.parametrize("charge", ["1e30", "12.3.4", "ABC", "1234567890123456789"])
def test_a_charge_that_is_not_an_x12_decimal_is_rejected(charge):
    from codingwatch.synth.x12_writer import write_837p

    data = write_837p([{"claim_id": "C1", "charge": "100.00", "diagnoses": ["J189"],
                        "lines": [{"code": "99213", "charge": "100.00"}]}]).decode()
    with pytest.raises(X12Reject) as caught:
        claim_tables(data.replace("*C1*100.00*", f"*C1*{charge}*").encode(), "L")
    assert "CLM02" in caught.value.reason
