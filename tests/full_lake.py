"""A lake as the demo fills it: a small synthetic health system's encounters, claims (837),
remittances (835) and access logs, loaded through the real ingest functions.

`in_scope` and `coding_denied` read the world's own files (encounters.csv, claims_truth.csv)
with the csv module, independently of the lake and of the frame engine, so that frame sizes
can be checked against them.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from codingwatch.ingest.access import ingest_access_file
from codingwatch.ingest.encounters import ingest_encounter_files
from codingwatch.ingest.ipmap import IpCountryMap
from codingwatch.ingest.x12.load import ingest_claims, ingest_remits
from codingwatch.lake import open_lake
from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import generate_world

QUARTER = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


@dataclass(frozen=True)
class WorldLake:
    world: Path  # the synth output folder
    lake_root: Path


def build_world_lake(folder: Path, *, encounters: int = 2_000, seed: int = 5) -> WorldLake:
    world, root = folder / "world", folder / "lake"
    generate_world(WorldParams(encounters=encounters, seed=seed), world)
    lake = open_lake(root)
    loaded = ingest_encounter_files([world / "encounters.csv"], lake=lake)
    assert [r.status for r in loaded] == ["loaded"], [r.message for r in loaded]
    for ingest, pattern in ((ingest_claims, "claims/*.837"), (ingest_remits, "remits/*.835")):
        report = ingest(sorted(world.glob(pattern)), lake=lake)
        assert report.rejected == [] and report.files, (pattern, report.rejected)
    access = ingest_access_file(world / "access_events.csv", lake=lake,
                                ip_map=IpCountryMap.from_csv(world / "access_ip_map.csv"))
    assert access.status == "loaded", access.message
    return WorldLake(world=world, lake_root=root)


@functools.cache
def encounters(world: Path) -> dict[str, dict]:
    """encounter_id -> its encounter fields (the first line of each encounter in encounters.csv)."""
    out: dict[str, dict] = {}
    with open(world / "encounters.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["encounter_id"], row)
    return out


def frame_date(row: dict) -> dt.date:
    text = row["discharge_date"] if row["encounter_type"] == "inpatient" else row["service_date"]
    return dt.date.fromisoformat(text)


def in_scope(world: Path, *, date_from: dt.date, date_to: dt.date, vendor: str | None = None,
             specialties=(), encounter_types=(), coders=()) -> dict[str, dict]:
    """The world's encounters an audit of this scope covers: encounter_id -> fields."""
    return {
        eid: row for eid, row in encounters(world).items()
        if date_from <= frame_date(row) <= date_to
        and (vendor is None or row["vendor"] == vendor)
        and (not specialties or row["specialty"] in specialties)
        and (not encounter_types or row["encounter_type"] in encounter_types)
        and (not coders or row["coder_id"] in coders)
    }


def coding_denied(world: Path) -> set[str]:
    """Encounter ids whose claim the payer denied for a coding reason (claims_truth.csv)."""
    with open(world / "claims_truth.csv", newline="", encoding="utf-8") as handle:
        return {row["encounter_id"] for row in csv.DictReader(handle) if row["coding_related"] == "yes"}


def vendors(world: Path) -> list[str]:
    return sorted({row["vendor"] for row in encounters(world).values()})
