"""Every bad input gets its own clear error: file, line (physical) or segment, field, reason;
nothing loads, and no reader ends in a traceback. One test per malformed input found by trying
the readers adversarially."""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.ingest.access import ingest_access_file
from codingwatch.ingest.encounters import COLUMNS, ingest_encounter_file
from codingwatch.lake import open_lake
from tests.ingest.conftest import outpatient, write_csv

ACCESS_HEADER = "occurred_at,login,event,session_id,client_ip,country,device_id,work_queue,encounter_id\n"


def access_line(i: int, occurred="2026-03-02T09:00:00+00:00", device="pc-1", event="view") -> str:
    return f"{occurred},no0001,{event},s1,10.20.1.5,,{device},,ENC-{i}\n"


def encounter_text(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def many_outpatients(n: int, **over) -> list[dict]:
    return [row for i in range(n) for row in outpatient(f"E{i}", [("ICD10CM", "R07.9")], **over)]


def rejects(result) -> list[list[str]]:
    return list(csv.reader(open(result.rejects_file, newline="")))[1:]


def nothing_loaded(lake_root) -> bool:
    return open_lake(lake_root).loads() == []


# ---- encounters: values ------------------------------------------------------------------

@pytest.mark.parametrize("offset", ["+23:00", "-15:00", "+1430", "+99"])
def test_an_encounter_time_offset_beyond_14_hours_is_rejected_not_shifted(tmp_path, lake_root, offset):
    rows = outpatient("E1", [("ICD10CM", "R07.9")], received_at=f"2026-01-05T10:00:00{offset}")
    result = ingest_encounter_file(write_csv(tmp_path / "enc.csv", rows), lake=open_lake(lake_root),
                                   rejects_dir=tmp_path)
    assert result.status == "rejected" and nothing_loaded(lake_root)
    assert rejects(result) == [["2", "E1", "received_at", f"2026-01-05T10:00:00{offset}",
                                "UTC offset beyond +-14:00 (the widest in use): the time would move by a day or more"]]


@pytest.mark.parametrize("offset", ["+14:00", "-12:00", "+05:45", "-0330", "Z"])
def test_every_offset_in_use_loads(tmp_path, lake_root, offset):
    rows = outpatient("E1", [("ICD10CM", "R07.9")], received_at=f"2026-01-05T10:00:00{offset}",
                      coded_at="2026-01-07T10:00:00+00:00")
    result = ingest_encounter_file(write_csv(tmp_path / "enc.csv", rows), lake=open_lake(lake_root))
    assert result.status == "loaded", result.message


def test_a_minute_field_of_60_is_not_an_offset(tmp_path, lake_root):
    rows = outpatient("E1", [("ICD10CM", "R07.9")], coded_at="2026-01-07T10:00:00+05:60")
    result = ingest_encounter_file(write_csv(tmp_path / "enc.csv", rows), lake=open_lake(lake_root),
                                   rejects_dir=tmp_path)
    assert rejects(result) == [["2", "E1", "coded_at", "2026-01-07T10:00:00+05:60",
                                "not an ISO 8601 timestamp with a UTC offset (e.g. 2026-01-05T09:30:00-05:00)"]]


def test_a_service_date_in_year_10000_is_not_a_date(tmp_path, lake_root):
    rows = outpatient("E1", [("ICD10CM", "R07.9")], service_date="10000-01-01")
    result = ingest_encounter_file(write_csv(tmp_path / "enc.csv", rows), lake=open_lake(lake_root),
                                   rejects_dir=tmp_path)
    assert result.status == "rejected" and nothing_loaded(lake_root)
    assert rejects(result) == [["2", "E1", "service_date", "10000-01-01", "not a date (YYYY-MM-DD)"]]


def test_a_timestamp_in_year_10000_is_not_iso_8601(tmp_path, lake_root):
    rows = outpatient("E1", [("ICD10CM", "R07.9")], coded_at="10000-01-07T10:00:00+00:00")
    result = ingest_encounter_file(write_csv(tmp_path / "enc.csv", rows), lake=open_lake(lake_root),
                                   rejects_dir=tmp_path)
    assert rejects(result) == [["2", "E1", "coded_at", "10000-01-07T10:00:00+00:00",
                                "not an ISO 8601 timestamp with a UTC offset (e.g. 2026-01-05T09:30:00-05:00)"]]


# ---- encounters: files, with physical line numbers -----------------------------------------

def test_a_non_utf8_byte_is_named_by_its_own_line(tmp_path, lake_root):
    lines = encounter_text(many_outpatients(20)).encode().split(b"\n")
    lines[4] = lines[4].replace(b"F1", b"F\xe9", 1)  # line 5, within the first block a reader buffers
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\n".join(lines))
    byte = lines[4].index(b"\xe9") + 1
    result = ingest_encounter_file(path, lake=open_lake(lake_root))
    assert result.message == f"latin.csv: line 5: byte {byte} is not UTF-8 text; save the file as UTF-8 CSV"
    assert nothing_loaded(lake_root)


def test_a_20_mb_field_is_named_by_its_line_and_reason(tmp_path, lake_root):
    lines = encounter_text(many_outpatients(10)).split("\n")
    lines[3] = lines[3].replace("F1", "F" + "x" * 20_000_000, 1)
    path = tmp_path / "huge.csv"
    path.write_text("\n".join(lines))
    result = ingest_encounter_file(path, lake=open_lake(lake_root))
    assert result.message == ("huge.csv: line 4: the line is longer than 2,000,000 bytes (a field that large is "
                              "not an encounter's): nothing was loaded")


def test_rejects_after_an_embedded_newline_name_the_physical_line(tmp_path, lake_root):
    rows = many_outpatients(30)
    rows[4]["facility"] = "North\nCampus"  # row 5 spans lines 6-7
    rows[19]["sex"] = "Q"  # row 20: line 22 in the file
    path = tmp_path / "newline.csv"
    path.write_text(encounter_text(rows))
    result = ingest_encounter_file(path, lake=open_lake(lake_root), rejects_dir=tmp_path)
    assert path.read_text().split("\n")[21].startswith("E19,")
    assert rejects(result) == [["22", "E19", "sex", "Q", "must be M, F or U"]]


def test_a_malformed_row_after_an_embedded_newline_and_a_blank_line_names_the_physical_line(tmp_path, lake_root):
    rows = many_outpatients(10)
    rows[1]["facility"] = "North\nCampus"
    lines = encounter_text(rows).split("\n")
    lines[6] += ",extra"  # line 7
    lines.insert(4, "")  # a blank line 5: the extra field is now on line 8
    path = tmp_path / "extra.csv"
    path.write_text("\n".join(lines))
    result = ingest_encounter_file(path, lake=open_lake(lake_root))
    assert result.message == (f"extra.csv: line 8: expected {len(COLUMNS)} fields, found {len(COLUMNS) + 1}; "
                              "the file looks truncated or a row is malformed: nothing was loaded")


def test_a_parquet_file_without_its_footer_is_refused(tmp_path, lake_root):
    path = tmp_path / "cut.parquet"
    pq.write_table(pa.table({c: ["x"] for c in COLUMNS}), path)
    path.write_bytes(path.read_bytes()[:200])
    result = ingest_encounter_file(path, lake=open_lake(lake_root))
    assert result.status == "rejected"
    assert result.message.startswith("cut.parquet: not a readable Parquet file (")


# ---- access events -----------------------------------------------------------------------

def access(tmp_path, lake_root, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return ingest_access_file(path, lake=open_lake(lake_root), rejects_dir=tmp_path)


def first_reject(result) -> tuple:
    r = result.rejects[0]
    return r.line, r.field, r.value, r.reason


def test_a_0_byte_access_file_is_refused(tmp_path, lake_root):
    result = access(tmp_path, lake_root, "empty.csv", b"")
    assert result.message == "empty.csv: the file is empty; expected a header row naming the columns; nothing loaded"


@pytest.mark.parametrize("offset", ["+23:59", "+99:00", "-1500"])
def test_an_access_offset_beyond_14_hours_is_rejected(tmp_path, lake_root, offset):
    result = access(tmp_path, lake_root, "a.csv", ACCESS_HEADER + access_line(1, f"2026-03-02T09:00:00{offset}"))
    assert first_reject(result) == (2, "occurred_at", f"2026-03-02T09:00:00{offset}",
                                    "UTC offset beyond +-14:00 (the widest in use): the time would move by a day or more")
    assert nothing_loaded(lake_root)


def test_an_access_non_utf8_byte_names_its_line(tmp_path, lake_root):
    body = (ACCESS_HEADER + "".join(access_line(i) for i in range(300))).encode()
    lines = body.split(b"\n")
    lines[250] = lines[250].replace(b"pc-1", b"pc-\xe9")
    byte = lines[250].index(b"\xe9") + 1
    result = access(tmp_path, lake_root, "a.csv", b"\n".join(lines))
    assert result.message == f"a.csv: line 251: byte {byte} is not UTF-8 text; save the file as UTF-8 CSV; nothing loaded"


def test_an_access_reject_after_an_embedded_newline_names_the_physical_line(tmp_path, lake_root):
    lines = [access_line(i) for i in range(30)]
    lines[3] = lines[3].replace("pc-1", '"pc\n1"')  # row 4: lines 5-6
    lines[10] = access_line(10, event="peek")  # row 11: line 13
    result = access(tmp_path, lake_root, "a.csv", ACCESS_HEADER + "".join(lines))
    assert first_reject(result) == (13, "event", "peek",
                                    "not one of login, logout, view, edit, export, print, download, query")


def test_an_access_20_mb_field_is_rejected_on_its_line(tmp_path, lake_root):
    lines = [access_line(i) for i in range(10)]
    lines[6] = access_line(6, device="d" * 20_000_000)
    result = access(tmp_path, lake_root, "a.csv", ACCESS_HEADER + "".join(lines))
    assert first_reject(result) == (8, "device_id", "d" * 80, "longer than 4,096 characters")


def test_an_access_row_with_an_extra_field_after_an_embedded_newline_names_its_line(tmp_path, lake_root):
    lines = [access_line(i) for i in range(10)]
    lines[1] = lines[1].replace("pc-1", '"pc\n1"')
    lines[5] = lines[5].rstrip("\n") + ",extra\n"  # row 6: line 8
    result = access(tmp_path, lake_root, "a.csv", ACCESS_HEADER + "".join(lines))
    assert result.message == "a.csv: line 8: expected 9 fields, found 10; nothing loaded"


def test_an_access_parquet_without_its_footer_is_refused(tmp_path, lake_root):
    path = tmp_path / "cut.parquet"
    pq.write_table(pa.table({"occurred_at": ["2026-03-02T09:00:00Z"]}), path)
    result = access(tmp_path, lake_root, "cut.parquet", path.read_bytes()[:100])
    assert result.status == "rejected"
    assert result.message.startswith("cut.parquet: not a readable Parquet file (")
    assert result.message.endswith("); nothing loaded")


# ---- FHIR AuditEvent ---------------------------------------------------------------------

def audit_event(**over) -> dict:
    event = {
        "resourceType": "AuditEvent",
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110"},
        "action": "R", "recorded": "2026-03-02T15:00:00Z", "outcome": "0",
        "agent": [{"who": {"identifier": {"value": "no0001"}}, "requestor": True, "altId": "pc-1",
                   "network": {"address": "10.20.1.5", "type": "2"}}],
        "source": {"observer": {"display": "ehr-prod"}},
        "entity": [{"what": {"reference": "Encounter/ENC-1"}}],
        "purposeOfEvent": [{"coding": [{"code": "IP-CARD"}]}],
    }
    event.update(over)
    return event


def ndjson(*events) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


EXPORT = {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110106"}


@pytest.mark.parametrize(("over", "expected"), [
    # an export coded as a bare object instead of an array: read as a view, it would hide a breach
    ({"subtype": EXPORT}, ("subtype", json.dumps(EXPORT)[:80],
                           "must be an array of Coding (R4: 0..*), found an object")),
    ({"extension": {"url": "http://example.org/session-id", "valueString": "s1"}},
     ("extension", json.dumps({"url": "http://example.org/session-id", "valueString": "s1"})[:80],
      "must be an array of Extension (R4: 0..*), found an object")),
    ({"purposeOfEvent": {"coding": [{"code": "IP-CARD"}]}},
     ("purposeOfEvent", '{"coding": [{"code": "IP-CARD"}]}', "must be an array of CodeableConcept (R4: 0..*), "
      "found an object")),
    ({"source": "x"}, ("source", "x", "must be an object (AuditEvent.source), found a string")),
    ({"type": "110110"}, ("type", "110110", "must be an object (Coding), found a string")),
    ({"subtype": [{"code": 110106}]}, ("subtype[0].code", "110106", "must be a string (string), found a number")),
    ({"extension": [{"url": "http://example.org/session-id", "valueString": 7}]},
     ("extension[0].valueString", "7", "must be a string (string), found a number")),
    ({"agent": [{"who": {"identifier": {"value": "no0001"}}, "requestor": "yes"}]},
     ("agent[0].requestor", "yes", "must be a boolean (boolean), found a string")),
    ({"entity": [{"what": "Encounter/ENC-1"}]},
     ("entity[0].what", "Encounter/ENC-1", "must be an object (Reference), found a string")),
])
def test_a_fhir_field_of_the_wrong_r4_type_is_rejected_naming_the_field(tmp_path, lake_root, over, expected):
    result = access(tmp_path, lake_root, "audit.ndjson", ndjson(audit_event(), audit_event(**over)))
    assert result.status == "rejected" and nothing_loaded(lake_root)
    assert [first_reject(result)] == [(2, *expected)]


def test_fhir_value_rejects_name_the_entry_not_a_row_index(tmp_path, lake_root):
    bad = audit_event(agent=[{"who": {"identifier": {"value": "no one"}}, "requestor": True}])
    result = access(tmp_path, lake_root, "audit.ndjson", ndjson(audit_event(), audit_event(), bad))
    assert first_reject(result) == (3, "login", "no one", "blank or not an identifier")


def test_latin1_fhir_is_refused_naming_the_byte(tmp_path, lake_root):
    text = json.dumps(audit_event(source={"observer": {"display": "hôpital"}}), ensure_ascii=False)
    result = access(tmp_path, lake_root, "audit.json", text.encode("latin-1"))
    byte = text.encode("latin-1").index("ô".encode("latin-1")) + 1
    assert result.message == f"audit.json: line 1: byte {byte} is not UTF-8 text (FHIR JSON is UTF-8); nothing loaded"


def test_100000_deep_json_is_refused(tmp_path, lake_root):
    result = access(tmp_path, lake_root, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert result.message == ("deep.json: JSON nested too deeply to be a FHIR resource (arrays or objects inside "
                              "one another, past Python's limit); nothing loaded")


def test_a_deep_ndjson_line_is_rejected_on_its_line(tmp_path, lake_root):
    result = access(tmp_path, lake_root, "deep.ndjson", ndjson(audit_event()) + "[" * 100_000 + "]" * 100_000 + "\n")
    assert first_reject(result)[:2] == (2, "json")


# ---- through the command line: no traceback --------------------------------------------------

@pytest.mark.parametrize(("command", "name", "content"), [
    ("access", "empty.csv", b""),
    ("access", "deep.json", b"[" * 100_000 + b"]" * 100_000),
    ("access", "latin.json", json.dumps(audit_event(source={"observer": {"display": "h\u00f4pital"}}),
                                        ensure_ascii=False).encode("latin-1")),
    ("access", "source.json", json.dumps(audit_event(source="x")).encode()),
    ("access", "cut.parquet", b"PAR1" + b"\0" * 64),
    ("encounters", "year.csv", encounter_text(outpatient("E1", [("ICD10CM", "R07.9")],
                                                         service_date="10000-01-01")).encode()),
])
def test_the_malformed_inputs_that_ended_in_tracebacks_now_end_in_one_line(tmp_path, lake_root, command, name,
                                                                             content):
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["ingest", command, str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and name in result.output
    assert nothing_loaded(lake_root)
