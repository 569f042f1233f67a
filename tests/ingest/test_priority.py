"""The encounters layout's optional `priority` column: loaded into the lake and measured by the
scorecard's turnaround SLAs per priority; a file without the column still loads (as standard)."""

from __future__ import annotations

import datetime as dt

from codingwatch.ingest.encounters import COLUMNS, ingest_encounter_file
from codingwatch.ingest.layout import OPTIONAL_COLUMNS
from codingwatch.lake import open_lake
from codingwatch.scorecard import kpis
from codingwatch.scorecard.kpis import TurnaroundAsk
from tests.ingest.conftest import outpatient, write_csv

RECEIVED = "2026-02-01T08:00:00+00:00"


def chart(encounter_id: str, hours: int, priority: str) -> list[dict]:
    coded = (dt.datetime(2026, 2, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=hours)).isoformat()
    return outpatient(encounter_id, [("ICD10CM", "R07.9")], received_at=RECEIVED, coded_at=coded,
                      priority=priority)


def test_priorities_load_and_each_turnaround_sla_is_measured_on_its_own_charts(lake_root, tmp_path):
    rows = (chart("S1", 10, "standard") + chart("S2", 30, "") + chart("S3", 60, "Routine")  # blank: standard
            + chart("C1", 40, "complex") + chart("C2", 100, "CX")
            + chart("U1", 2, "STAT") + chart("U2", 20, "urgent"))
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert result.status == "loaded" and result.encounters_loaded == 7

    lake = open_lake().connect()
    stored = lake.table("encounters").select("priority").execute()["priority"].value_counts().to_dict()
    assert stored == {"standard": 3, "complex": 2, "urgent": 2}

    asks = [TurnaroundAsk("outpatient", "standard", 48.0), TurnaroundAsk("outpatient", "complex", 72.0),
            TurnaroundAsk("outpatient", "urgent", 4.0)]
    [row] = kpis.monthly(kpis.Sources.from_lake(lake), dt.date(2026, 2, 1), dt.date(2026, 2, 28),
                         turnaround=asks)
    # standard: 10 h and 30 h of 10, 30, 60 within 48 h; complex: 40 h of 40, 100 within 72 h;
    # urgent: 2 h of 2, 20 within 4 h.
    assert [row.within[a.name] for a in asks] == [[2, 3], [1, 2], [1, 2]]


def test_a_file_without_the_priority_column_loads_every_chart_as_standard(lake_root, tmp_path):
    assert OPTIONAL_COLUMNS == ("priority",)
    columns = tuple(c for c in COLUMNS if c != "priority")
    path = write_csv(tmp_path / "coded.csv", chart("S1", 10, "") + chart("S2", 60, ""), columns=columns)
    result = ingest_encounter_file(path, lake=open_lake())
    assert result.status == "loaded" and result.encounters_loaded == 2
    lake = open_lake().connect()
    assert set(lake.table("encounters").execute()["priority"]) == {"standard"}
    ask = TurnaroundAsk("outpatient", "standard", 48.0)
    [row] = kpis.monthly(kpis.Sources.from_lake(lake), dt.date(2026, 2, 1), dt.date(2026, 2, 28), turnaround=[ask])
    assert row.within[ask.name] == [1, 2]


def test_an_unknown_priority_rejects_its_encounter_naming_line_and_field(lake_root, tmp_path):
    rows = chart("S1", 10, "standard") + chart("X1", 10, "whenever")
    result = ingest_encounter_file(write_csv(tmp_path / "coded.csv", rows), lake=open_lake())
    assert result.encounters_loaded == 1 and result.encounters_rejected == 1
    import csv

    with open(result.rejects_file, newline="") as handle:
        [reject] = list(csv.DictReader(handle))
    assert reject["field"] == "priority" and "must be one of standard, complex, urgent" in reject["reason"]
    assert reject["line"] == "3"
