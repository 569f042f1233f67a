"""The synthetic world's true breach months are recovered: no month is called breached that is
not truly breached, none met that is truly breached, and the clear ones are called."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from codingwatch.ingest.encounters import ingest_encounter_files
from codingwatch.ingest.queries import ingest_query_file
from codingwatch.lake import open_lake
from codingwatch.scorecard import audited, kpis, sla, terms
from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import generate_world


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    root = tmp_path_factory.mktemp("scorecard-world")
    world = root / "world"
    generate_world(WorldParams(encounters=20_000, seed=2026), world)
    lake = open_lake(root / "lake")
    assert [r.status for r in ingest_encounter_files([world / "encounters.csv"], lake=lake)] == ["loaded"]
    assert ingest_query_file(world / "queries.csv", lake=lake).status == "loaded"
    contracts = terms.load_yaml(world / "contracts.yaml")
    charts = audited.read_audited_csv(world / "audited_charts.csv")
    sources = kpis.Sources.from_lake(lake.connect(), audited=charts)
    months = sla.evaluate_contracts(sources, contracts, dt.date(2025, 10, 1), dt.date(2026, 9, 30))
    truth = json.loads((world / "scorecard_truth.json").read_text())["vendors"]
    return months, truth, contracts, root


def _verdicts(months, truth, kind):
    out = []
    for m in months:
        true = truth[m.vendor][m.month.strftime("%Y-%m")][kind]
        [result] = [r for r in m.results if r.kind == kind]
        out.append((m.vendor, m.month, result.state, true["breached"]))
    return out


def test_the_world_holds_an_amendment_and_true_breach_months_for_each_vendor(evaluated):
    months, truth, contracts, _ = evaluated
    assert len(contracts) == 2 and all(c.amendments() == [dt.date(2026, 4, 1)] for c in contracts)
    for vendor, by_month in truth.items():
        breached = [m for m, t in by_month.items() if t["accuracy"]["breached"]]
        assert 0 < len(breached) < 12, vendor


def test_accuracy_states_never_contradict_the_truth_and_find_the_breaches(evaluated):
    months, truth, _, _ = evaluated
    verdicts = _verdicts(months, truth, "accuracy")
    wrong = [v for v in verdicts if (v[2] == sla.BREACHED and not v[3]) or (v[2] == sla.MET and v[3])]
    assert wrong == []
    true_breaches = [v for v in verdicts if v[3]]
    found = [v for v in true_breaches if v[2] == sla.BREACHED]
    assert len(found) >= 0.8 * len(true_breaches)


def test_query_response_breaches_exactly_in_the_true_months(evaluated):
    months, truth, _, _ = evaluated
    verdicts = _verdicts(months, truth, "query_response")
    assert [v for v in verdicts if (v[2] == sla.BREACHED) != v[3]] == []


def test_turnaround_is_measured_per_priority_and_recovers_each_prioritys_truth_exactly(evaluated):
    months, truth, contracts, _ = evaluated
    for c in contracts:  # each period of each contract has a term per priority
        assert sorted(t.priority for t in c.turnaround) == ["complex", "complex", "standard", "standard", "urgent",
                                                          "urgent"]
    seen = {"standard": 0, "complex": 0, "urgent": 0}
    breaches = dict.fromkeys(seen, 0)
    for m in months:
        true = truth[m.vendor][m.month.strftime("%Y-%m")]["turnaround"]
        results = [r for r in m.results if r.kind == "turnaround"]
        assert sorted(r.key["priority"] for r in results) == sorted(true)
        for r in results:
            t = true[r.key["priority"]]
            assert r.key["encounter_type"] == t["encounter_type"]
            assert r.target == pytest.approx(t["percent"] / 100)
            assert (r.inputs["within"], r.inputs["charts"]) == (t["within"], t["charts"])
            assert round(r.value, 6) == t["true_value"]
            assert (r.state == sla.BREACHED) == t["breached"], (m.vendor, m.month, r.key)
            seen[r.key["priority"]] += 1
            breaches[r.key["priority"]] += t["breached"]
    # every priority is judged every month, and each truly breaches in some months but not all
    assert set(seen.values()) == {len(months)}
    assert all(0 < b < len(months) for b in breaches.values()), breaches


def test_urgent_charts_are_coded_fastest_and_complex_ones_slowest(evaluated):
    months, truth, _, root = evaluated
    e = open_lake(root / "lake").connect().table("encounters")
    e = e.filter(e.origin == "coded").mutate(hours=(e.coded_at.epoch_seconds() - e.received_at.epoch_seconds()) / 3600)
    for vendor, by_month in truth.items():
        terms = next(iter(by_month.values()))["turnaround"]
        assert terms["urgent"]["hours"] < terms["standard"]["hours"] < terms["complex"]["hours"]
        mine = e.filter((e.vendor == vendor) & (e.encounter_type == terms["standard"]["encounter_type"]))
        median = {r["priority"]: r["p50"] for r in
                  mine.group_by("priority").aggregate(p50=mine.hours.median()).to_pyarrow().to_pylist()}
        assert median["urgent"] < median["standard"] < median["complex"], (vendor, median)


def test_breach_months_owe_credits_with_their_inputs(evaluated):
    months, _, _, _ = evaluated
    breached = [m for m in months if m.breached]
    assert breached and all(m.credits.total > 0 for m in breached if any(r.kind == "accuracy" for r in m.breached))
    line = next(line for m in breached for line in m.credits.lines if line.kind == "accuracy")
    assert {"sla_percent", "upper_limit_percent", "points_below", "invoice"} <= set(line.inputs)


def test_the_command_gives_the_same_months(evaluated, monkeypatch):
    from typer.testing import CliRunner

    from codingwatch.cli import app

    months, _, _, root = evaluated
    monkeypatch.setenv("CODINGWATCH_LAKE", str(root / "lake"))
    world = root / "world"
    result = CliRunner().invoke(app, ["scorecard", "months", "--terms", str(world / "contracts.yaml"),
                                      "--audited", str(world / "audited_charts.csv"), "--from", "2025-10",
                                      "--to", "2025-12", "--format", "json"])
    assert result.exit_code == 0, result.output
    printed = {(m["vendor"], m["month"]): [r["state"] for r in m["results"]]
               for m in json.loads(result.stdout)["months"]}
    expected = {(m.vendor, m.month.strftime("%Y-%m")): [r.state for r in m.results]
                for m in months if m.month < dt.date(2026, 1, 1)}
    assert printed == expected
