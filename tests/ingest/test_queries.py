"""`codingwatch ingest queries`: the query log layout, whole file or nothing, each file once."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.ingest.queries import ingest_query_file
from codingwatch.lake import open_lake
from codingwatch.lake.keys import source_key

GOOD = """query_id,encounter_id,coder_id,sent_at,answered_at,kind
Q1,E000000001,hcp001,2026-01-05T09:30:00-05:00,2026-01-06T10:00:00-05:00,cdi
Q2,E000000002,hcp001,2026-01-05T10:00:00+00:00,,physician
"""


def test_a_query_log_loads_keyed_and_in_utc(tmp_path):
    path = tmp_path / "queries.csv"
    path.write_text(GOOD)
    lake = open_lake(tmp_path / "lake")
    result = ingest_query_file(path, lake=lake)
    assert result.status == "loaded" and result.queries_loaded == 2 and result.open_queries == 1
    rows = lake.connect().table("queries").order_by("query_id").to_pyarrow().to_pylist()
    assert rows[0]["encounter_key"] == source_key("E000000001")
    assert rows[0]["sent_at"].isoformat() == "2026-01-05T14:30:00+00:00"
    assert rows[1]["answered_at"] is None and rows[1]["kind"] == "physician"
    again = ingest_query_file(path, lake=lake)
    assert again.status == "skipped" and lake.connect().table("queries").count().execute() == 2


def test_a_bad_line_loads_nothing_and_names_line_field_and_reason(tmp_path):
    path = tmp_path / "queries.csv"
    path.write_text(GOOD + "Q3,E000000003,hcp002,2026-01-07T09:00:00Z,2026-01-06T09:00:00Z,cdi\n"
                    "Q1,E000000004,hcp002,yesterday,,\n")
    lake = open_lake(tmp_path / "lake")
    result = ingest_query_file(path, lake=lake)
    assert result.status == "rejected" and not lake.files("queries")
    found = {(r.line, r.field): r.reason for r in result.rejects}
    assert found[(4, "answered_at")] == "is before sent_at"
    assert found[(5, "query_id")].startswith("repeats the query of line 2")
    assert "ISO 8601" in found[(5, "sent_at")]
    assert "line 4 field answered_at" in result.message


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "queries.csv"
    path.write_text("query_id,encounter_id,sent_at\nQ1,E1,2026-01-05T09:30:00Z\n")
    result = ingest_query_file(path, lake=open_lake(tmp_path / "lake"))
    assert result.status == "rejected" and "missing column(s) coder_id, answered_at" in result.message
    assert result.message.startswith("queries.csv line 1")


def test_the_command_prints_what_it_loaded_and_fails_on_a_rejected_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CODINGWATCH_LAKE", str(tmp_path / "lake"))
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text(GOOD.replace("cdi", "nurse"))
    result = CliRunner().invoke(app, ["ingest", "queries", str(good), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["queries_loaded"] == 2
    result = CliRunner().invoke(app, ["ingest", "queries", str(bad)])
    assert result.exit_code == 1 and "kind" in result.output
