"""Frames on a lake that holds what the demo's holds: encounters, claims, remits, access logs.

The 837s load every billed claim as an encounter of origin 'billed' under the same key as the
coded encounter, later. A frame counts the coded encounters in scope, every one of them: the
sizes are checked against the world's own encounters.csv and claims_truth.csv, read with the
csv module (tests/full_lake.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.commands.common import UserError
from codingwatch.denials import coding_denial_keys_from_lake
from codingwatch.lake import open_lake
from codingwatch.lake.keys import source_key
from codingwatch.sampling.frames import draw_sample, empty_frame_reason, read_frame
from tests.full_lake import QUARTER, coding_denied, encounters, in_scope, vendors
from tests.lake_frames import build_frame

YEAR = (dt.date(2025, 10, 1), dt.date(2026, 9, 30))


@pytest.fixture
def lake(full_lake, monkeypatch, tmp_path):
    monkeypatch.setenv("CODINGWATCH_LAKE", str(full_lake.lake_root))
    monkeypatch.setenv("CODINGWATCH_VAR", str(tmp_path / "var"))
    return open_lake(full_lake.lake_root)


def keys(scope: dict) -> set[str]:
    return {source_key(eid) for eid in scope}


def test_the_lake_holds_encounters_claims_remits_and_access_logs(lake, full_lake):
    con = lake.connect()
    counts = con.table("encounters").group_by("origin").aggregate(n=lambda t: t.encounter_key.nunique())
    by_origin = {r["origin"]: r["n"] for r in counts.to_pyarrow().to_pylist()}
    assert by_origin["coded"] == len(encounters(full_lake.world))
    assert by_origin["billed"] > 0.9 * by_origin["coded"]  # nearly every encounter billed, under the same key
    assert con.table("remit_claims").count().execute() > 0
    assert con.table("access_events").count().execute() > 0


@pytest.mark.parametrize(("vendors_of", "encounter_type"), [
    ("none", None), ("each", "inpatient"), ("each", "profee"), ("none", "outpatient"), ("none", "ed")])
def test_a_frame_counts_every_coded_encounter_in_scope(lake, full_lake, vendors_of, encounter_type):
    for vendor in vendors(full_lake.world) if vendors_of == "each" else [None]:
        frame = build_frame(lake, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor,
                            encounter_type=encounter_type)
        expected = in_scope(full_lake.world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor,
                            encounter_types=[encounter_type] if encounter_type else ())
        assert {e.encounter_key for e in frame.encounters} == keys(expected), (vendor, encounter_type)
        assert frame.meta["encounters"] == len(expected)


def test_the_funnel_counts_what_each_filter_leaves(lake, full_lake):
    vendor = vendors(full_lake.world)[0]
    frame = build_frame(lake, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor, specialty="cardiology",
                        encounter_type="inpatient", coders=["nobody"])
    world = full_lake.world
    expected = [
        len(encounters(world)),
        len(in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1])),
        len(in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor)),
        len(in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor, specialties=["cardiology"])),
        len(in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor, specialties=["cardiology"],
                     encounter_types=["inpatient"])),
        0,
    ]
    assert [step["encounters"] for step in frame.meta["funnel"]] == expected
    assert [step["filter"] for step in frame.meta["funnel"]] == [
        "lake", "dates", "vendor", "specialty", "encounter_type", "coder"]
    assert frame.encounters == []
    reason = empty_frame_reason(frame)
    assert reason.startswith(f"in the lake (as coded): {expected[0]:,}; dated 2026-01-01 to 2026-03-31: "
                             f"{expected[1]:,}; vendor {vendor}: {expected[2]:,};")
    assert reason.endswith(f"coder nobody: 0 (the {expected[4]:,} before it have coder "
                           + ", ".join(sorted({r["coder_id"] for r in in_scope(
                               world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor,
                               specialties=["cardiology"], encounter_types=["inpatient"]).values()})) + ")")


@pytest.mark.parametrize("strata", ["specialty", "encounter_type"])
def test_stratified_frames_count_every_encounter_of_each_stratum(lake, full_lake, strata):
    vendor = vendors(full_lake.world)[-1]
    frame = build_frame(lake, date_from=YEAR[0], date_to=YEAR[1], vendor=vendor, strata=strata)
    expected = Counter(r[strata] for r in in_scope(full_lake.world, date_from=YEAR[0], date_to=YEAR[1],
                                                   vendor=vendor).values())
    assert frame.strata == dict(expected)


@pytest.mark.parametrize("mode", ["only", "exclude", "stratum"])
def test_coding_denial_frames_count_every_encounter_in_scope(lake, full_lake, mode):
    denied = coding_denied(full_lake.world)
    for vendor in vendors(full_lake.world)[-1:]:
        scope = in_scope(full_lake.world, date_from=YEAR[0], date_to=YEAR[1], vendor=vendor)
        frame = build_frame(lake, date_from=YEAR[0], date_to=YEAR[1], vendor=vendor, coding_denials=mode,
                            coding_denial_keys=coding_denial_keys_from_lake)
        got = {e.encounter_key for e in frame.encounters}
        if mode == "only":
            assert got == keys({e: r for e, r in scope.items() if e in denied})
        elif mode == "exclude":
            assert got == keys({e: r for e, r in scope.items() if e not in denied})
        else:
            assert frame.strata == {name: n for name, n in (
                ("coding_denied", len(scope.keys() & denied)),
                ("no_coding_denial", len(scope.keys() - denied))) if n}
        assert any(scope.keys() & denied), vendor  # the world has coding denials for every vendor


def test_the_cli_frame_and_draw_count_every_encounter_in_scope(lake, full_lake, tmp_path):
    vendor = vendors(full_lake.world)[-1]
    expected = in_scope(full_lake.world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor,
                        encounter_types=["profee"])
    out = tmp_path / "frame.csv"
    runner = CliRunner()
    made = runner.invoke(app, ["sample", "frame", "--from", "2026-01-01", "--to", "2026-03-31", "--vendor", vendor,
                               "--encounter-type", "profee", "--out", str(out), "--format", "json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["encounters"] == len(expected) > 0
    assert {e.encounter_key for e in read_frame(out).encounters} == keys(expected)
    drawn = runner.invoke(app, ["sample", "draw", "--frame", str(out), "--seed", "4967669.23", "--count", "10",
                                "--format", "json"])
    assert drawn.exit_code == 0, drawn.output
    chosen = [e["encounter_key"] for e in json.loads(drawn.output)["encounters"]]
    assert chosen == draw_sample(read_frame(out), "4967669.23", 10).sample_keys
    assert set(chosen) <= keys(expected) and len(chosen) == 10


def test_the_cli_says_why_a_frame_is_empty(lake, full_lake, tmp_path):
    world = full_lake.world
    done = CliRunner().invoke(app, ["sample", "frame", "--from", "2026-01-01", "--to", "2026-03-31",
                                    "--vendor", "acme", "--out", str(tmp_path / "f.csv")])
    assert isinstance(done.exception, UserError)
    dated = len(in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1]))
    text = str(done.exception)
    assert (f"no encounters match these filters: nothing to number (no frame written); encounters left after each "
            f"filter: in the lake (as coded): {len(encounters(world)):,}; dated 2026-01-01 to 2026-03-31: "
            f"{dated:,}; vendor acme: 0 (the {dated:,} before it have vendor {', '.join(vendors(world))})") in text
    assert not (tmp_path / "f.csv").exists()
