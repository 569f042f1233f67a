"""The files are what ingest reads and what the roster importer expects."""

import csv
import datetime as dt
import json
import re
from collections import defaultdict
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.vocabulary import CREDENTIALS, ENCOUNTER_TYPES, SPECIALTIES

INGEST_COLUMNS = [
    "encounter_id", "facility", "encounter_type", "specialty", "admit_date", "discharge_date", "service_date",
    "sex", "age", "discharge_status", "coder_id", "vendor", "received_at", "coded_at", "code_system", "code",
    "sequence", "poa", "modifiers", "units", "drg", "priority",
]
ENCOUNTER_FIELDS = INGEST_COLUMNS[:14] + ["drg", "priority"]


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def test_encounters_and_audited_files_have_exactly_the_ingest_layout(small_world):
    _, outdir = small_world
    for name in ("encounters.csv", "audited.csv"):
        with (outdir / name).open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == INGEST_COLUMNS


def test_a_share_of_charts_is_complex_or_urgent(small_world):
    _, outdir = small_world
    priority = {row["encounter_id"]: row["priority"] for row in _rows(outdir / "encounters.csv")}
    counts = {p: sum(1 for v in priority.values() if v == p) for p in ("standard", "complex", "urgent")}
    assert sum(counts.values()) == len(priority)  # every chart has one of the three
    assert 0.05 < counts["urgent"] / len(priority) < 0.15 and 0.10 < counts["complex"] / len(priority) < 0.20


def test_encounter_fields_agree_on_every_line_and_sequences_count_from_one(small_world):
    _, outdir = small_world
    for name in ("encounters.csv", "audited.csv"):
        first, sequences = {}, defaultdict(list)
        for row in _rows(outdir / name):
            seen = first.setdefault(row["encounter_id"], row)
            assert all(row[f] == seen[f] for f in ENCOUNTER_FIELDS), row["encounter_id"]
            sequences[(row["encounter_id"], row["code_system"])].append(int(row["sequence"]))
        for key, seq in sequences.items():
            assert seq == list(range(1, len(seq) + 1)), key


def test_required_fields_and_dates_follow_the_layout(small_world):
    world, outdir = small_world
    start, end = world.params.fiscal_year_start(), world.params.fiscal_year_end()
    for row in _rows(outdir / "encounters.csv"):
        assert row["encounter_type"] in ENCOUNTER_TYPES and row["specialty"] in SPECIALTIES
        assert row["sex"] in ("M", "F") and 0 <= int(row["age"]) <= 124
        if row["encounter_type"] == "inpatient":
            discharge = dt.date.fromisoformat(row["discharge_date"])
            assert start <= discharge <= end
            assert dt.date.fromisoformat(row["admit_date"]) <= discharge
            assert len(row["discharge_status"]) == 2 and row["drg"]
            if row["code_system"] == "ICD10CM":
                assert row["poa"] in ("Y", "N")
        else:
            assert start <= dt.date.fromisoformat(row["service_date"]) <= end
            assert row["drg"] == "" and row["poa"] == ""
        received, coded = dt.datetime.fromisoformat(row["received_at"]), dt.datetime.fromisoformat(row["coded_at"])
        assert received.utcoffset() == dt.timedelta(0) and received < coded
        assert int(row["units"]) >= 1


def test_turnaround_follows_the_published_ranges(mid_world):
    _, outdir = mid_world
    hours = defaultdict(list)
    by_priority = defaultdict(list)
    seen = set()
    for row in _rows(outdir / "encounters.csv"):
        if row["encounter_id"] in seen:
            continue
        seen.add(row["encounter_id"])
        delta = dt.datetime.fromisoformat(row["coded_at"]) - dt.datetime.fromisoformat(row["received_at"])
        hours[row["encounter_type"]].append(delta.total_seconds() / 3600)
        by_priority[row["encounter_type"], row["priority"]].append(delta.total_seconds() / 3600)
    median = {t: sorted(v)[len(v) // 2] for t, v in hours.items()}
    assert 24 <= median["outpatient"] <= 48, median
    assert median["inpatient"] >= 72, median
    # urgent charts are coded fastest, complex ones slowest (docs/synth.md, Timing)
    for etype in hours:
        p50 = {p: sorted(by_priority[etype, p])[len(by_priority[etype, p]) // 2] for p in ("urgent", "standard", "complex")}
        assert p50["urgent"] < p50["standard"] < p50["complex"], (etype, p50)


def test_charts_are_coded_inside_the_coders_working_hours(small_world):
    _, outdir = small_world
    summary = json.loads((outdir / "world.json").read_text())
    people = defaultdict(list)
    for c in summary["coders"]:
        people[c["login_id"]].append(c)
    checked = 0
    seen = set()
    for row in _rows(outdir / "encounters.csv"):
        if row["encounter_id"] in seen or len(people[row["coder_id"]]) != 1:
            continue
        seen.add(row["encounter_id"])
        person = people[row["coder_id"]][0]
        local = dt.datetime.fromisoformat(row["coded_at"]).astimezone(ZoneInfo(person["timezone"]))
        start = person["shift_start_local"]
        hour = local.hour + local.minute / 60 + local.second / 3600
        since_start = (hour - start) % 24
        assert since_start <= 8 + 1e-6, (row["encounter_id"], person, local)
        shift_day = (local - dt.timedelta(hours=start)).weekday()
        assert shift_day < 5, (row["encounter_id"], local)
        checked += 1
    assert checked > 1000


def test_the_roster_files_use_the_vocabulary(small_world):
    _, outdir = small_world
    vendors = {r["name"] for r in _rows(outdir / "vendors.csv")}
    queues = {r["code"] for r in _rows(outdir / "work_queues.csv")}
    logins = set()
    for r in _rows(outdir / "coders.csv"):
        logins.add(r["login_id"])
        assert r["vendor"] in vendors
        assert r["credentials"] and set(r["credentials"].split(";")) <= set(CREDENTIALS)
        assert r["specialties"] and set(r["specialties"].split(";")) <= set(SPECIALTIES)
        assert len(r["declared_location"].split("-")) == 2
        if r["end_date"]:
            assert r["start_date"] <= r["end_date"]
    for r in _rows(outdir / "queue_assignments.csv"):
        assert r["login_id"] in logins and r["queue"] in queues
    used = {r["coder_id"] for r in _rows(outdir / "encounters.csv")}
    assert used <= logins
    assert any(r["end_date"] for r in _rows(outdir / "coders.csv")), "some turnover"


def test_each_chart_is_coded_by_a_login_assigned_to_its_queue_on_that_day(small_world):
    world, outdir = small_world
    assigned = defaultdict(list)
    for r in _rows(outdir / "queue_assignments.csv"):
        assigned[(r["login_id"], r["queue"])].append((r["start_date"], r["end_date"] or "9999-12-31"))
    type_code = {"inpatient": "IP", "outpatient": "OP", "ed": "ED", "profee": "PF"}
    lines = {q.facility + q.service_line + q.encounter_type: q.code for q in world.roster.queues}
    seen = set()
    for row in _rows(outdir / "encounters.csv"):
        if row["encounter_id"] in seen:
            continue
        seen.add(row["encounter_id"])
        queue = lines[row["facility"] + row["specialty"] + row["encounter_type"]]
        assert queue.endswith(type_code[row["encounter_type"]])
        windows = assigned[(row["coder_id"], queue)]
        assert windows, (row["encounter_id"], queue)
        # Routed on the day the chart was ready: after it was received, before it was coded.
        assert any(lo <= row["coded_at"][:10] and row["received_at"][:10] <= hi for lo, hi in windows)


def test_the_command_writes_the_files_and_prints_a_summary(tmp_path):
    result = CliRunner().invoke(app, ["synth", str(tmp_path / "w"), "--encounters", "800", "--seed", "3",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["counts"]["encounters"] == 800
    assert sum(v["encounters"] for v in payload["counts"]["by_vendor"].values()) == 800
    for name in payload["files"]:
        assert (tmp_path / "w" / name).is_file()


def test_a_year_outside_the_installed_code_sets_is_refused_clearly(tmp_path):
    result = CliRunner().invoke(app, ["synth", str(tmp_path / "w"), "--year", "2031"])
    assert result.exit_code != 0
    assert not (tmp_path / "w").exists()


def test_no_coder_codes_more_in_a_shift_than_their_productivity_allows(mid_world):
    """Charts coded in one shift add up to at most about 8 hours at the published charts per hour."""
    _, outdir = mid_world
    summary = json.loads((outdir / "world.json").read_text())
    per_hour = dict(summary["parameters"]["charts_per_hour"])
    people = defaultdict(list)
    for c in summary["coders"]:
        people[c["login_id"]].append(c)
    minutes = defaultdict(float)
    charts = defaultdict(int)
    seen = set()
    for row in _rows(outdir / "encounters.csv"):
        if row["encounter_id"] in seen or len(people[row["coder_id"]]) != 1:
            continue
        seen.add(row["encounter_id"])
        person = people[row["coder_id"]][0]
        local = dt.datetime.fromisoformat(row["coded_at"]).astimezone(ZoneInfo(person["timezone"]))
        shift_day = (local - dt.timedelta(hours=person["shift_start_local"])).date()
        key = (row["coder_id"], shift_day)
        minutes[key] += 60 / per_hour[row["encounter_type"]] / person["speed"]
        charts[key] += 1
    busy = [k for k in charts if charts[k] >= 10]
    assert busy
    assert max(minutes[k] for k in busy) <= 8 * 60 * 1.5


def test_the_summary_prints_counts_and_error_shares_as_the_figures_do(tmp_path):
    result = CliRunner().invoke(app, ["synth", str(tmp_path / "w"), "--encounters", "1200", "--seed", "3"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "1,200 encounters, " in result.stdout
    assert re.search(r"\d+\.\d\d%", result.stdout)  # each vendor's error share, percent(rate, 2)
