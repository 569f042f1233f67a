"""The world's access logs: same seed, same bytes; the ingest layout, loadable as is."""

from __future__ import annotations

import csv

from codingwatch.ingest.access import ingest_access_file
from codingwatch.ingest.ipmap import IpCountryMap
from codingwatch.lake import open_lake
from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import build_world, write_world

FILES = ("access_events.csv", "access_ip_map.csv", "access_truth.csv")


def test_the_same_seed_gives_byte_identical_access_logs(tmp_path):
    for name in ("a", "b"):
        write_world(build_world(WorldParams(encounters=800, seed=42)), tmp_path / name)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_the_access_logs_load_whole_and_name_the_world_takeover(small_world, lake_root):
    world, outdir = small_world
    result = ingest_access_file(outdir / "access_events.csv", lake=open_lake(lake_root),
                                ip_map=IpCountryMap.from_csv(outdir / "access_ip_map.csv"))
    assert result.status == "loaded" and result.events_loaded > 10_000, result.message
    with (outdir / "access_truth.csv").open() as fh:
        truth = list(csv.DictReader(fh))
    takeover = world.roster.logins[world.roster.takeover_login].login_id
    assert [t["login"] for t in truth if t["kind"] == "takeover"] == [takeover]
    assert {t["kind"] for t in truth} >= {"offshore", "out_of_queue", "local_phi", "takeover"}
