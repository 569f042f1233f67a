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
    return months, truth, contracts


def _verdicts(months, truth, kind):
    out = []
    for m in months:
        true = truth[m.vendor][m.month.strftime("%Y-%m")][kind]
        [result] = [r for r in m.results if r.kind == kind]
        out.append((m.vendor, m.month, result.state, true["breached"]))
    return out


def test_the_world_holds_an_amendment_and_true_breach_months_for_each_vendor(evaluated):
    months, truth, contracts = evaluated
    assert len(contracts) == 2 and all(c.amendments() == [dt.date(2026, 4, 1)] for c in contracts)
    for vendor, by_month in truth.items():
        breached = [m for m, t in by_month.items() if t["accuracy"]["breached"]]
        assert 0 < len(breached) < 12, vendor


def test_accuracy_states_never_contradict_the_truth_and_find_the_breaches(evaluated):
    months, truth, _ = evaluated
    verdicts = _verdicts(months, truth, "accuracy")
    wrong = [v for v in verdicts if (v[2] == sla.BREACHED and not v[3]) or (v[2] == sla.MET and v[3])]
    assert wrong == []
    true_breaches = [v for v in verdicts if v[3]]
    found = [v for v in true_breaches if v[2] == sla.BREACHED]
    assert len(found) >= 0.8 * len(true_breaches)


def test_turnaround_and_query_response_breach_exactly_in_the_true_months(evaluated):
    months, truth, _ = evaluated
    for kind in ("turnaround", "query_response"):
        verdicts = _verdicts(months, truth, kind)
        assert [v for v in verdicts if (v[2] == sla.BREACHED) != v[3]] == [], kind


def test_breach_months_owe_credits_with_their_inputs(evaluated):
    months, _, _ = evaluated
    breached = [m for m in months if m.breached]
    assert breached and all(m.credits.total > 0 for m in breached if any(r.kind == "accuracy" for r in m.breached))
    line = next(line for m in breached for line in m.credits.lines if line.kind == "accuracy")
    assert {"sla_percent", "upper_limit_percent", "points_below", "invoice"} <= set(line.inputs)
