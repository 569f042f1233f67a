"""Frames from the lake: filters, stable numbering, sidecar, and draws that reproduce."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from codingwatch.lake.keys import source_key
from codingwatch.sampling import random_numbers
from codingwatch.sampling.frames import FrameError, draw_sample, read_frame, write_frame
from tests.lake_frames import build_frame

JAN = dt.date(2026, 1, 1)


def _frame(lake, **filters):
    filters.setdefault("date_from", JAN)
    filters.setdefault("date_to", dt.date(2026, 12, 31))
    return build_frame(lake, **filters)


def test_the_frame_holds_only_the_matching_encounters(encounter_lake):
    frame = _frame(encounter_lake, vendor="Acme", specialty="cardiology")
    assert len(frame.encounters) == 70
    assert {e.vendor for e in frame.encounters} == {"Acme"}
    assert {e.specialty for e in frame.encounters} == {"cardiology"}


def test_inpatient_encounters_are_dated_by_discharge_and_others_by_service(encounter_lake):
    frame = _frame(encounter_lake, vendor="Acme", specialty="cardiology", date_to=dt.date(2026, 1, 10))
    inpatient = [e for e in frame.encounters if e.encounter_type == "inpatient"]
    outpatient = [e for e in frame.encounters if e.encounter_type == "outpatient"]
    assert len(inpatient) == 10 and len(outpatient) == 10
    assert max(e.frame_date for e in inpatient) == "2026-01-10"


def test_encounters_are_numbered_1_to_n_by_encounter_key(encounter_lake):
    frame = _frame(encounter_lake, vendor="Acme")
    keys = [e.encounter_key for e in frame.encounters]
    assert keys == sorted(keys)
    assert [e.frame_number for e in frame.encounters] == list(range(1, len(keys) + 1))


def test_strata_are_numbered_each_from_one(encounter_lake):
    frame = _frame(encounter_lake, vendor="Acme", specialty="cardiology", strata="encounter_type")
    assert frame.strata == {"inpatient": 30, "outpatient": 40}
    assert frame.meta["strata"]["inpatient"] == {"low": 1, "high": 30}


def test_drg_bands_group_by_relative_weight(encounter_lake):
    frame = _frame(encounter_lake, vendor="Acme", encounter_type="inpatient", strata="drg_band")
    assert frame.strata == {"weight_0-1": 6, "weight_1-2": 6, "weight_2-4": 12, "weight_4+": 6}


def test_an_encounter_loaded_twice_is_numbered_once(encounter_lake, lake_writer):
    encounter, commit = lake_writer
    commit(encounter_lake, [encounter("OP1", service_date=JAN + dt.timedelta(days=1))], "b")
    frame = _frame(encounter_lake, vendor="Acme", specialty="cardiology", encounter_type="outpatient")
    assert len(frame.encounters) == 40


def test_a_later_load_that_moves_an_encounter_out_of_the_filters_removes_it(encounter_lake, lake_writer):
    encounter, commit = lake_writer
    commit(encounter_lake, [encounter("OP1", vendor="Other", service_date=JAN)], "b")
    frame = _frame(encounter_lake, vendor="Acme", specialty="cardiology", encounter_type="outpatient")
    assert len(frame.encounters) == 39


def test_the_same_lake_gives_the_same_frame(encounter_lake):
    first = _frame(encounter_lake, vendor="Acme")
    second = _frame(encounter_lake, vendor="Acme")
    assert first.encounters == second.encounters
    assert first.meta["lake_snapshot"] == second.meta["lake_snapshot"] == encounter_lake.snapshot()


def test_the_frame_file_round_trips_with_its_sidecar(encounter_lake, tmp_path):
    frame = _frame(encounter_lake, vendor="Acme", strata="encounter_type")
    path = tmp_path / "frame.csv"
    sidecar = write_frame(frame, path)
    meta = json.loads(sidecar.read_text())
    assert meta["lake_snapshot"] == encounter_lake.snapshot()
    assert meta["filters"]["vendor"] == "Acme" and meta["order"].startswith("encounter_key")
    again = read_frame(path)
    assert again.encounters == frame.encounters


def test_a_changed_frame_file_is_refused(encounter_lake, tmp_path):
    path = tmp_path / "frame.csv"
    write_frame(_frame(encounter_lake, vendor="Acme"), path)
    path.write_text(path.read_text().replace(",1,", ",2,", 1))
    with pytest.raises(FrameError, match="changed since it was made"):
        read_frame(path)


def test_a_draw_from_a_frame_is_the_rat_stats_draw_over_its_numbers(encounter_lake, tmp_path):
    path = tmp_path / "frame.csv"
    write_frame(_frame(encounter_lake, vendor="Acme", specialty="cardiology"), path)
    sample = draw_sample(path, "4967669.23", 12, spares=2)
    numbers = random_numbers("4967669.23", 12, 1, 70, 2)
    frame = read_frame(path)
    assert [e.frame_number for e in sample.encounters] == [r.value for r in numbers.rows]
    assert sample.sample_keys == [frame.lookup("all", r.value).encounter_key for r in numbers.sample]
    assert len(sample.spare_keys) == 2


def test_a_stratified_frame_takes_a_size_per_stratum(encounter_lake):
    frame = _frame(encounter_lake, vendor="Acme", specialty="cardiology", strata="encounter_type")
    sample = draw_sample(frame, "7.5", {"inpatient": 5, "outpatient": 8})
    assert sum(1 for e in sample.encounters if e.stratum == "inpatient") == 5
    assert sum(1 for e in sample.encounters if e.stratum == "outpatient") == 8
    with pytest.raises(FrameError, match="per stratum"):
        draw_sample(frame, "7.5", 5)


def test_sampled_keys_are_the_lakes_encounter_keys(encounter_lake):
    frame = _frame(encounter_lake, vendor="Other")
    sample = draw_sample(frame, "1", 10)
    assert set(sample.sample_keys) == {source_key(f"OTHER{i}") for i in range(10)}


def test_to_before_from_is_refused(encounter_lake):
    with pytest.raises(FrameError, match="before"):
        _frame(encounter_lake, date_from=dt.date(2026, 2, 1), date_to=JAN)
