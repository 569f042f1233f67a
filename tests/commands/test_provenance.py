"""`codingwatch provenance check`: the rules over the lake, from roster, contract and assignment files."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from codingwatch.cli import app

ACCESS = (
    "occurred_at,login,event,session_id,client_ip,country,device_id,work_queue,encounter_id\n"
    "2026-03-03T09:00:00-06:00,no0001,login,s1,10.1.1.1,US,pc-1,,\n"
    "2026-03-03T09:05:00-06:00,no0001,view,s1,10.1.1.1,US,pc-1,IP-CARD,ENC-1\n"
    "2026-03-03T09:10:00-06:00,no0001,view,s2,10.9.9.9,IN,pc-9,IP-CARD,ENC-2\n"
    "2026-03-03T09:30:00-06:00,no0001,logout,s1,10.1.1.1,US,pc-1,,\n"
)
ROSTER = (
    "login,coder_id,vendor,country,region,latitude,longitude,timezone,hours_start,hours_end,workdays,start_date,end_date\n"
    "no0001,C1,northstar,US,TX,32.78,-96.80,America/Chicago,08:00,16:30,Mon-Fri,2025-01-01,\n"
)


def test_check_reports_each_alert_with_its_evidence(tmp_path, lake_root):
    (tmp_path / "access.csv").write_text(ACCESS)
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "contracts.csv").write_text("vendor,allowed_countries,requires_vdi\nnorthstar,US,true\n")
    (tmp_path / "assignments.csv").write_text("login,work_queue,encounter_key\nno0001,IP-CARD,\n")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "access", str(tmp_path / "access.csv")]).exit_code == 0
    result = runner.invoke(app, ["provenance", "check", "--roster", str(tmp_path / "roster.csv"),
                                 "--contracts", str(tmp_path / "contracts.csv"),
                                 "--assignments", str(tmp_path / "assignments.csv"), "--no-takeover",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["events"] == 4
    assert payload["alerts_by_rule"] == {"forbidden_country": 1, "concurrent_sessions": 1}
    forbidden = next(a for a in payload["alerts"] if a["rule"] == "forbidden_country")
    assert forbidden["login"] == "no0001" and forbidden["vendor"] == "northstar"
    assert len(forbidden["evidence"]) == 1 and forbidden["evidence"][0].endswith(":4")


def test_check_refuses_a_roster_with_an_unknown_time_zone(tmp_path, lake_root):
    (tmp_path / "roster.csv").write_text(ROSTER.replace("America/Chicago", "Texas/Dallas"))
    (tmp_path / "contracts.csv").write_text("vendor,allowed_countries,requires_vdi\nnorthstar,US,true\n")
    (tmp_path / "assignments.csv").write_text("login,work_queue,encounter_key\n")
    result = CliRunner().invoke(app, ["provenance", "check", "--roster", str(tmp_path / "roster.csv"),
                                      "--contracts", str(tmp_path / "contracts.csv"),
                                      "--assignments", str(tmp_path / "assignments.csv")])
    assert result.exit_code != 0
    assert "Texas/Dallas" in str(result.exception)
