"""The world's 837s and 835s: they load, and the denials engine finds the coding-denial
pattern that was injected (claims_truth.csv and world.json are the ground truth)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from scipy.stats import spearmanr

from codingwatch import denials
from codingwatch.ingest.encounters import ingest_encounter_files
from codingwatch.ingest.x12.load import ingest_claims, ingest_remits
from codingwatch.lake import open_lake
from codingwatch.synth.claims import PAYMENT_RELEVANT
from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import generate_world


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def loaded_world(tmp_path_factory):
    """A 6,000-encounter world with its encounters, 837s and 835s in a lake."""
    outdir = tmp_path_factory.mktemp("claims_world")
    generate_world(WorldParams(encounters=6_000, seed=21), outdir)
    lake = open_lake(tmp_path_factory.mktemp("claims_lake"))
    [coded] = ingest_encounter_files([outdir / "encounters.csv"], lake=lake)
    assert coded.status == "loaded", coded.message
    claims = ingest_claims(sorted((outdir / "claims").glob("*.837")), lake=lake)
    remits = ingest_remits(sorted((outdir / "remits").glob("*.835")), lake=lake)
    con = lake.connect()
    return outdir, claims, remits, denials.from_lake(con)


def test_the_same_seed_gives_byte_identical_claims_and_remits(tmp_path):
    for name in ("a", "b"):
        generate_world(WorldParams(encounters=1_200, seed=8), tmp_path / name)
    for sub, pattern in (("claims", "*.837"), ("remits", "*.835"), (".", "claims_truth.csv")):
        a = sorted((tmp_path / "a" / sub).glob(pattern))
        b = sorted((tmp_path / "b" / sub).glob(pattern))
        assert a and [p.name for p in a] == [p.name for p in b]
        for left, right in zip(a, b, strict=True):
            assert left.read_bytes() == right.read_bytes(), left.name


def test_every_synthetic_837_and_835_loads_with_nothing_rejected(loaded_world):
    outdir, claims, remits, _ = loaded_world
    truth = _rows(outdir / "claims_truth.csv")
    assert claims.rejected == [] and remits.rejected == []
    assert claims.warnings_total == 0 and remits.warnings_total == 0
    assert claims.claims == len(truth)
    assert remits.claims == len(truth) + sum(1 for r in truth if r["recovered_on"])
    assert claims.charge_total == sum(Decimal(r["charge"]) for r in truth)


def test_every_coding_denial_follows_an_injected_error_of_a_payment_relevant_kind(loaded_world):
    outdir, *_ = loaded_world
    errors: dict[str, set[str]] = {}
    for row in _rows(outdir / "errors.csv"):
        errors.setdefault(row["encounter_id"], set()).add(row["kind"])
    coding = [r for r in _rows(outdir / "claims_truth.csv") if r["coding_related"] == "yes"]
    assert coding
    for row in coding:
        assert row["error_kind"] in PAYMENT_RELEVANT
        assert row["error_kind"] in errors.get(row["encounter_id"], set()), row["encounter_id"]
        assert row["carc"] == PAYMENT_RELEVANT[row["error_kind"]][0]


def test_the_denials_engine_counts_the_injected_coding_denials_by_vendor(loaded_world):
    outdir, _, _, tables = loaded_world
    vendor_of = {}
    for row in _rows(outdir / "encounters.csv"):
        vendor_of[row["encounter_id"]] = row["vendor"]
    expected: dict[str, list[int]] = {}
    for row in _rows(outdir / "claims_truth.csv"):
        counts = expected.setdefault(vendor_of[row["encounter_id"]], [0, 0])
        counts[0] += row["outcome"] == "denied"
        counts[1] += row["coding_related"] == "yes"
    # the engine sees each remittance: a recovered claim is one denied CLP plus one paid CLP
    rates = denials.denial_rates(tables["linked"], ["vendor"]).execute()
    got = {r.vendor: [int(r.denied), int(r.coding_denied)] for r in rates.itertuples()}
    assert got == expected


def test_coders_with_more_injected_errors_have_more_coding_denials(loaded_world):
    outdir, _, _, tables = loaded_world
    relevant: dict[str, int] = {}
    for row in _rows(outdir / "errors.csv"):
        relevant[row["coder_id"]] = relevant.get(row["coder_id"], 0) + (row["kind"] in PAYMENT_RELEVANT)
    rates = denials.denial_rates(tables["linked"], ["coder_id"]).execute()
    rates = rates[rates.claims >= 40]
    errors_per_claim = [relevant.get(c, 0) / n for c, n in zip(rates.coder_id, rates.claims, strict=True)]
    assert len(rates) >= 15
    rho, p_value = spearmanr(errors_per_claim, rates.coding_denial_rate)
    assert rho > 0.6 and p_value < 0.001


def test_vendors_with_more_injected_errors_have_more_coding_denials(loaded_world):
    outdir, _, _, tables = loaded_world
    world = json.loads((outdir / "world.json").read_text())
    error_rate = {name: v["observed_error_rate"] for name, v in world["counts"]["by_vendor"].items()}
    rates = denials.denial_rates(tables["linked"], ["vendor"]).execute()
    by_denials = list(rates.sort_values("coding_denial_rate").vendor)
    assert by_denials == sorted(error_rate, key=error_rate.get)


def test_amounts_recovered_on_resubmission_match_the_truth(loaded_world):
    outdir, _, _, tables = loaded_world
    truth = _rows(outdir / "claims_truth.csv")
    recovered = denials.recoveries(tables["outcomes"]).execute()
    assert len(recovered) == sum(1 for r in truth if r["recovered_on"])
    assert sum(Decimal(str(v)) for v in recovered.recovered) == sum(
        Decimal(r["recovered"]) for r in truth if r["recovered"])
