"""The synthetic world's ground truth: auditing it recovers each vendor's injected error rate.

`codingwatch synth` writes the charts as coded (encounters.csv), as the auditor would code
them (audited.csv) and every injected error (errors.csv) with each vendor's counts
(world.json). Code-over-code accuracy counts an auditor's code as missed when the coder has
no identical code: exactly the injected errors that change or leave out a true line (a
missed, changed or re-specified diagnosis, a changed principal diagnosis, a missed or
changed procedure, an E/M level). Over every chart the engine must find exactly that many;
on a RAT-STATS sample per vendor the Wilson 95% limits must hold the vendor's true rate.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict

import pytest

from codingwatch.audit import compare_case, score
from codingwatch.audit.reader import match_cases, read_encounters
from codingwatch.codesets import Grouper
from codingwatch.sampling.frames import Frame, FrameEncounter, draw_sample
from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import build_world, write_world

# Injected kinds (errors.csv) that leave one of the auditor's codes without an identical coded code.
MISSING_A_TRUE_CODE = {
    "dx_added", "dx_changed_category", "dx_changed_laterality", "dx_changed_seventh_character",
    "dx_changed_specificity", "principal_dx_changed", "procedure_added", "procedure_changed",
    "em_level_up", "em_level_down",
}
SEED = "4967669.23"
PER_VENDOR = 150


@pytest.fixture(scope="module")
def audited_world(tmp_path_factory):
    """A 4,000-encounter world, every chart compared by the audit engine: (results by vendor, folder)."""
    folder = tmp_path_factory.mktemp("synth_world")
    write_world(build_world(WorldParams(encounters=4_000, seed=11)), folder)
    cases = match_cases(read_encounters(folder / "encounters.csv"), read_encounters(folder / "audited.csv"))
    by_vendor = defaultdict(list)
    with Grouper() as grouper:
        for case in cases:
            by_vendor[case.encounter.vendor].append(compare_case(case, grouper))
    return by_vendor, folder


def true_miss_rates(folder) -> dict[str, float]:
    with open(folder / "errors.csv", newline="") as handle:
        missed = Counter(row["vendor"] for row in csv.DictReader(handle) if row["kind"] in MISSING_A_TRUE_CODE)
    counts = json.loads((folder / "world.json").read_text())["counts"]["by_vendor"]
    return {vendor: missed[vendor] / c["audited_code_lines"] for vendor, c in counts.items()}


def code_over_code(results):
    s = score(results)
    audited = s.dx_codes_audited + s.px_codes_audited
    return audited - (s.dx_codes_matched + s.px_codes_matched), audited


def test_over_every_chart_the_engine_finds_exactly_the_injected_misses(audited_world):
    by_vendor, folder = audited_world
    truth = true_miss_rates(folder)
    counts = json.loads((folder / "world.json").read_text())["counts"]["by_vendor"]
    assert set(by_vendor) == set(truth)
    for vendor, results in by_vendor.items():
        missed, audited = code_over_code(results)
        assert audited == counts[vendor]["audited_code_lines"], vendor
        assert missed / audited == pytest.approx(truth[vendor], abs=1e-12), vendor


def test_a_rat_stats_sample_per_vendor_holds_the_true_rate_within_its_limits(audited_world):
    from codingwatch.audit import wilson

    by_vendor, folder = audited_world
    truth = true_miss_rates(folder)
    results = {r.encounter.encounter_id: r for rs in by_vendor.values() for r in rs}
    rows = []
    for vendor, rs in sorted(by_vendor.items()):
        for number, r in enumerate(sorted(rs, key=lambda r: r.encounter.encounter_id), start=1):
            rows.append(FrameEncounter(vendor, number, r.encounter.encounter_id, r.encounter.encounter_type,
                                       r.encounter.specialty, vendor, r.encounter.facility, r.encounter.coder_id,
                                       "", "", ""))
    sample = draw_sample(Frame(rows), SEED, {vendor: PER_VENDOR for vendor in by_vendor})
    for vendor in by_vendor:
        drawn = [results[e.encounter_key] for e in sample.encounters if e.stratum == vendor and e.kind == "sample"]
        assert len(drawn) == PER_VENDOR
        missed, audited = code_over_code(drawn)
        low, high = wilson(missed, audited)
        assert low <= truth[vendor] <= high, (vendor, missed / audited, (low, high), truth[vendor])


def test_the_audit_ranks_the_vendors_as_the_world_made_them(audited_world):
    by_vendor, _ = audited_world
    accuracy = {vendor: score(rs).record.value for vendor, rs in by_vendor.items()}
    assert accuracy["In-house HIM"] > accuracy["Summit Coding Solutions"]
    assert accuracy["Heartland Coding Partners"] > accuracy["Summit Coding Solutions"]
