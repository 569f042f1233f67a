"""`ingest access`: each input format, the IP map, whole file or nothing, each file once."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.ingest.access import ingest_access_file
from codingwatch.ingest.ipmap import IpCountryMap
from codingwatch.lake import open_lake
from codingwatch.lake.keys import source_key

HEADER = "occurred_at,login,event,session_id,client_ip,country,device_id,work_queue,encounter_id\n"
GOOD = (
    HEADER
    + "2026-03-02T09:00:00-06:00,no0001,login,s1,10.20.1.5,,pc-1,,\n"
    + "2026-03-02T09:05:00-06:00,no0001,view,s1,10.20.1.5,US,pc-1,IP-CARD,ENC-1001\n"
    + "2026-03-02T15:10:00Z,no0001,export,s1,10.99.0.7,,pc-1,IP-CARD,ENC-1001\n"
)


def lake_rows(lake_root):
    lake = open_lake(lake_root)
    return pq.read_table(lake.files("access_events")).to_pylist() if lake.files("access_events") else []


@pytest.fixture
def ip_map(tmp_path):
    path = tmp_path / "ip_map.csv"
    path.write_text("cidr,country,latitude,longitude\n10.20.0.0/16,US,32.7767,-96.7970\n10.99.0.0/16,IN,13.08,80.27\n"
                    "10.99.0.0/24,PH,14.60,120.98\n")
    return IpCountryMap.from_csv(path)


def test_the_documented_csv_layout_loads_with_utc_times_and_keyed_encounters(tmp_path, lake_root, ip_map):
    path = tmp_path / "access.csv"
    path.write_text(GOOD)
    result = ingest_access_file(path, lake=open_lake(lake_root), ip_map=ip_map)
    assert result.status == "loaded" and result.events_loaded == 3
    rows = lake_rows(lake_root)
    assert rows[0]["occurred_at"].isoformat() == "2026-03-02T15:00:00+00:00"
    assert rows[1]["encounter_key"] == source_key("ENC-1001")
    assert not any("ENC-1001" in str(v) for row in rows for v in row.values())


def test_country_comes_from_the_event_or_else_the_most_specific_ip_range(tmp_path, lake_root, ip_map):
    path = tmp_path / "access.csv"
    path.write_text(GOOD)
    ingest_access_file(path, lake=open_lake(lake_root), ip_map=ip_map)
    rows = lake_rows(lake_root)
    assert [(r["country"], r["country_source"]) for r in rows] == [("US", "ip_map"), ("US", "event"),
                                                                   ("PH", "ip_map")]
    assert rows[2]["latitude"] == pytest.approx(14.60)


def test_the_same_file_loads_once(tmp_path, lake_root):
    path = tmp_path / "access.csv"
    path.write_text(GOOD)
    lake = open_lake(lake_root)
    assert ingest_access_file(path, lake=lake).status == "loaded"
    again = ingest_access_file(path, lake=lake)
    assert again.status == "skipped" and len(lake_rows(lake_root)) == 3


def test_a_csv_with_a_bad_timestamp_loads_nothing_and_names_the_line(tmp_path, lake_root):
    path = tmp_path / "access.csv"
    path.write_text(GOOD + "2026-03-02 09:30:00,no0001,view,s1,10.20.1.5,US,pc-1,IP-CARD,ENC-1002\n")
    result = ingest_access_file(path, lake=open_lake(lake_root), rejects_dir=tmp_path)
    assert result.status == "rejected"
    assert [(r.line, r.field) for r in result.rejects] == [(5, "occurred_at")]
    assert "offset" in result.rejects[0].reason
    assert lake_rows(lake_root) == []
    with open(result.rejects_file) as handle:
        assert handle.read().splitlines()[1].startswith("5,occurred_at,2026-03-02 09:30:00,")


def test_an_unknown_event_word_and_a_bad_country_are_rejected(tmp_path, lake_root):
    path = tmp_path / "access.csv"
    path.write_text(HEADER + "2026-03-02T09:00:00Z,no0001,screenshot,s1,10.0.0.1,USA,pc-1,,\n")
    result = ingest_access_file(path, lake=open_lake(lake_root), rejects_dir=tmp_path)
    assert sorted(r.field for r in result.rejects) == ["country", "event"]


def test_a_missing_column_is_named(tmp_path, lake_root):
    path = tmp_path / "access.csv"
    path.write_text("occurred_at,login,event\n2026-03-02T09:00:00Z,no0001,view\n")
    result = ingest_access_file(path, lake=open_lake(lake_root))
    assert result.status == "rejected" and "session_id" in result.message


def test_parquet_in_the_same_layout_loads(tmp_path, lake_root):
    import pandas as pd

    csv_path = tmp_path / "access.csv"
    csv_path.write_text(GOOD)
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    frame.to_parquet(tmp_path / "access.parquet")
    result = ingest_access_file(tmp_path / "access.parquet", lake=open_lake(lake_root))
    assert result.status == "loaded" and result.source_format == "parquet" and result.events_loaded == 3


def audit_event(recorded="2026-03-02T15:00:00Z", *, who="no0001", action="R", subtype=None, address="10.20.1.5",
                encounter="ENC-1001", outcome="0"):
    resource = {
        "resourceType": "AuditEvent",
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110",
                 "display": "Patient Record"},
        "action": action,
        "recorded": recorded,
        "outcome": outcome,
        "agent": [{"who": {"identifier": {"value": who}}, "requestor": True, "altId": "pc-1",
                   "network": {"address": address, "type": "2"}}],
        "source": {"observer": {"display": "ehr-prod"}},
        "entity": [{"what": {"reference": f"Encounter/{encounter}"}}],
        "purposeOfEvent": [{"coding": [{"code": "IP-CARD"}]}],
    }
    if subtype:
        resource["subtype"] = [{"system": "http://dicom.nema.org/resources/ontology/DCM", "code": subtype}]
    return resource


def test_a_fhir_bundle_of_audit_events_loads(tmp_path, lake_root):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": audit_event(subtype="110122", action="E")},
        {"resource": audit_event("2026-03-02T15:05:00+00:00")},
        {"resource": audit_event("2026-03-02T15:06:00+00:00", subtype="110106")},
    ]}
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(bundle))
    result = ingest_access_file(path, lake=open_lake(lake_root))
    assert result.status == "loaded" and result.source_format == "fhir"
    rows = lake_rows(lake_root)
    assert [r["event"] for r in rows] == ["login", "view", "export"]
    assert rows[1]["login"] == "no0001" and rows[1]["work_queue"] == "IP-CARD"
    assert rows[1]["encounter_key"] == source_key("ENC-1001")


def test_fhir_ndjson_loads_and_a_failed_outcome_is_kept(tmp_path, lake_root):
    path = tmp_path / "audit.ndjson"
    path.write_text("\n".join(json.dumps(audit_event(outcome=o)) for o in ("0", "8")) + "\n")
    result = ingest_access_file(path, lake=open_lake(lake_root))
    assert result.status == "loaded"
    assert [r["outcome"] for r in lake_rows(lake_root)] == ["success", "failure"]


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        ({"recorded": "2026-03-02T15:00:00"}, "recorded"),  # no offset
        ({"recorded": None}, "recorded"),
        ({"action": "X"}, "action"),
        ({"outcome": "3"}, "outcome"),
        ({"agent": []}, "agent"),
        ({"resourceType": "Patient"}, "resourceType"),
    ],
)
def test_malformed_fhir_loads_nothing_and_names_the_line_and_field(tmp_path, lake_root, broken, field):
    bad = {k: v for k, v in audit_event().items()}
    bad.update(broken)
    if bad.get("recorded") is None:
        bad.pop("recorded")
    path = tmp_path / "audit.ndjson"
    path.write_text(json.dumps(audit_event()) + "\n" + json.dumps(bad) + "\n")
    result = ingest_access_file(path, lake=open_lake(lake_root), rejects_dir=tmp_path)
    assert result.status == "rejected"
    assert [(r.line, r.field) for r in result.rejects] == [(2, field)]
    assert lake_rows(lake_root) == []


def test_an_ndjson_line_that_is_not_json_is_rejected(tmp_path, lake_root):
    path = tmp_path / "audit.ndjson"
    path.write_text(json.dumps(audit_event()) + "\n{\"resourceType\": \"AuditEvent\",\n")
    result = ingest_access_file(path, lake=open_lake(lake_root), rejects_dir=tmp_path)
    assert result.status == "rejected" and result.rejects[0].line == 2 and result.rejects[0].field == "json"


CLARITY = (
    "ACCESS_INSTANT,USER_ID,WORKSTATION_ID,PAT_ID,CSN,METRIC_ID,AUDIT_SESSION_ID\n"
    "2026-03-02T09:00:00-06:00,NO0001,WS-17,Z123,4400100,VIEW,A1\n"
    "2026-03-02T09:01:00-06:00,NO0001,WS-17,Z123,4400100,PRINT,A1\n"
)


def test_a_clarity_access_log_extract_loads_without_ip_and_keeps_no_patient_id(tmp_path, lake_root):
    path = tmp_path / "clarity.csv"
    path.write_text(CLARITY)
    result = ingest_access_file(path, lake=open_lake(lake_root))
    assert result.status == "loaded" and result.source_format == "clarity"
    rows = lake_rows(lake_root)
    assert [(r["event"], r["device_id"], r["client_ip"]) for r in rows] == [("view", "WS-17", ""),
                                                                            ("print", "WS-17", "")]
    assert rows[0]["encounter_key"] == source_key("4400100")
    assert not any("Z123" in str(v) for row in rows for v in row.values())


def test_a_clarity_action_we_do_not_know_is_rejected(tmp_path, lake_root):
    path = tmp_path / "clarity.csv"
    path.write_text(CLARITY + "2026-03-02T09:02:00-06:00,NO0001,WS-17,Z123,4400100,FROBNICATE,A1\n")
    result = ingest_access_file(path, lake=open_lake(lake_root), rejects_dir=tmp_path)
    assert [(r.line, r.field) for r in result.rejects] == [(4, "METRIC_ID")]


def test_the_command_exits_non_zero_when_nothing_loaded(tmp_path, lake_root):
    path = tmp_path / "access.csv"
    path.write_text(HEADER + "yesterday,no0001,view,s1,10.0.0.1,US,pc-1,,\n")
    result = CliRunner().invoke(app, ["ingest", "access", str(path)])
    assert result.exit_code == 1
    assert "line 2" in result.output


def test_the_command_loads_with_an_ip_map(tmp_path, lake_root):
    path = tmp_path / "access.csv"
    path.write_text(GOOD)
    ip = tmp_path / "ip.csv"
    ip.write_text("cidr,country\n10.0.0.0/8,US\n")
    result = CliRunner().invoke(app, ["ingest", "access", str(path), "--ip-map", str(ip), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["events_loaded"] == 3 and payload["files"][0]["country_from_ip_map"] == 2


def test_a_bad_ip_map_is_refused_naming_the_line(tmp_path):
    ip = tmp_path / "ip.csv"
    ip.write_text("cidr,country\n10.0.0.0/8,US\n300.1.0.0/16,US\n")
    with pytest.raises(ValueError, match="line 3"):
        IpCountryMap.from_csv(ip)
