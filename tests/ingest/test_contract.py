"""Every reader keeps the one ingest contract: the same result type, the same problem shape,
the same wording for a file already loaded, the same rejects file."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib

import pytest

from codingwatch.ingest import contract
from codingwatch.ingest.access import ingest_access_file
from codingwatch.ingest.contract import IngestResult, Problem
from codingwatch.ingest.encounters import ingest_encounter_file
from codingwatch.ingest.x12.load import ingest_x12_file
from codingwatch.lake import open_lake
from codingwatch.synth.x12_writer import write_835, write_837p
from tests.ingest.conftest import outpatient, write_csv

ACCESS_HEADER = "occurred_at,login,event,session_id,client_ip,country,device_id,work_queue,encounter_id\n"


def good_file(kind: str, tmp_path):
    if kind == "encounters":
        return write_csv(tmp_path / "coded.csv", outpatient("ENC-2", [("ICD10CM", "R07.9"), ("CPT", "71046")]))
    path = tmp_path / {"access": "access.csv", "claims": "claims.837", "remits": "era.835"}[kind]
    if kind == "access":
        path.write_text(ACCESS_HEADER + "2026-03-02T09:00:00-06:00,no0001,view,s1,10.20.1.5,US,pc-1,IP-CARD,ENC-2\n")
    elif kind == "claims":
        path.write_bytes(write_837p([{"claim_id": "HAR1", "charge": "120.00", "diagnoses": ["E119"],
                                      "lines": [{"code": "99213", "charge": "120.00",
                                                 "service_date": dt.date(2026, 1, 5)}]}]))
    else:
        path.write_bytes(write_835([{"claim_id": "HAR1", "charge": "120.00", "payment": "95.00",
                                     "adjustments": [{"group": "CO", "carc": "45", "amount": "25.00"}]}]))
    return path


def load(kind: str, path, tmp_path):
    lake = open_lake()
    if kind == "encounters":
        return ingest_encounter_file(path, lake=lake, rejects_dir=tmp_path)
    if kind == "access":
        return ingest_access_file(path, lake=lake, rejects_dir=tmp_path)
    return ingest_x12_file(path, kind, lake=lake)


KINDS = ["encounters", "access", "claims", "remits"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_reader_loads_then_skips_the_same_file_in_the_same_words(kind, tmp_path, lake_root):
    path = good_file(kind, tmp_path)
    first = load(kind, path, tmp_path)
    assert isinstance(first, IngestResult)
    assert (first.kind, first.status, first.problems) == (kind, "loaded", [])
    assert first.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert first.load_id and first.message.startswith(f"{path.name}: loaded")

    again = load(kind, path, tmp_path)
    assert isinstance(again, IngestResult)
    assert (again.status, again.load_id) == ("skipped", first.load_id)
    previous = open_lake().find_load(kind, first.sha256)
    assert again.message == contract.already_loaded(path.name, previous)
    assert again.message.endswith(f"already loaded on {previous.loaded_at} (load {first.load_id}); nothing to do")


def refused_file(kind: str, tmp_path):
    """A file no reader can read: empty for the CSV readers, not X12 for the X12 ones."""
    path = tmp_path / {"encounters": "coded.csv", "access": "access.csv", "claims": "c.837", "remits": "r.835"}[kind]
    path.write_text("" if kind in ("encounters", "access") else "hello, this is not X12\n")
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_refused_whole_is_one_problem_of_the_one_shape(kind, tmp_path, lake_root):
    path = refused_file(kind, tmp_path)
    result = load(kind, path, tmp_path)
    assert isinstance(result, IngestResult) and result.status == "rejected" and result.load_id is None
    [problem] = result.problems
    assert isinstance(problem, Problem)
    assert problem.file == str(path) and problem.reason
    assert problem.describe().startswith(f"{path.name}: ")
    assert set(problem.as_dict()) <= {"file", "line", "segment", "record", "field", "value", "reason"}
    assert result.as_dict()["problems"] == [problem.as_dict()]
    assert open_lake().loads() == []


def test_the_x12_refusal_names_its_segment(tmp_path, lake_root):
    path = refused_file("claims", tmp_path)
    [problem] = load("claims", path, tmp_path).problems
    assert problem.as_dict() == {"file": str(path), "segment": 1,
                                 "reason": "not an X12 file: it does not begin with an ISA interchange header"}


@pytest.mark.parametrize("kind", ["encounters", "access"])
def test_bad_lines_are_problems_with_line_field_value_and_reason_in_the_rejects_file(kind, tmp_path, lake_root):
    if kind == "encounters":
        path = write_csv(tmp_path / "coded.csv", outpatient("E1", [("ICD10CM", "R07.9")], sex="X"))
    else:
        path = tmp_path / "access.csv"
        path.write_text(ACCESS_HEADER + "2026-03-02 09:30:00,no0001,view,s1,10.20.1.5,US,pc-1,IP-CARD,ENC-1\n")
    result = load(kind, path, tmp_path)
    assert isinstance(result, IngestResult) and result.status == "rejected"
    [problem] = result.problems
    assert isinstance(problem, Problem) and problem.file == str(path)
    expected = {"encounters": ("sex", "X"), "access": ("occurred_at", "2026-03-02 09:30:00")}[kind]
    assert (problem.line, problem.field, problem.value) == (2, *expected) and problem.reason
    assert result.problems_total == 1
    assert result.rejects_file == str(contract.rejects_path(path, result.sha256, tmp_path))
    with open(result.rejects_file, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["line"], r["field"], r["value"], r["reason"]) for r in rows] == [
        ("2", problem.field, problem.value, problem.reason)]


def test_the_rejects_writer_lists_segments_for_x12_problems(tmp_path):
    path = tmp_path / "c.837"
    path.write_text("x")
    problems = [Problem(file=str(path), segment=4, field="CLM01", value="=cmd", reason="not printable")]
    target = contract.write_rejects(path, "ab" * 32, problems, tmp_path)
    assert target.name == "c-abababab.rejects.csv"
    assert target.read_text().splitlines() == ["segment,field,value,reason", "4,CLM01,'=cmd,not printable"]
