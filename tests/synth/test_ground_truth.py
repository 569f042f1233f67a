"""The ground truth holds: error rates, the takeover, the split vendor, the taxonomy."""

import csv
import datetime as dt
import json
import math
from collections import Counter, defaultdict

import numpy as np

from codingwatch.synth.errors import KINDS


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _encounters(path):
    out = {}
    for row in _rows(path):
        out.setdefault(row["encounter_id"], row)
    return out


def test_injected_error_rates_per_vendor_recover_the_configured_rates(mid_world):
    world, _ = mid_world
    rates = np.array([p.error_rate for p in world.roster.persons])
    login_vendor = np.array([lg.vendor for lg in world.roster.logins])
    line_person = world.encounters.person[world.truth.enc]
    line_vendor = login_vendor[world.encounters.login[world.truth.enc]]
    err_vendor = login_vendor[world.encounters.login[world.errors.enc]]
    for vendor in world.params.vendors:
        p = rates[line_person[line_vendor == vendor.key]]
        expected, sd = p.sum(), math.sqrt((p * (1 - p)).sum())
        observed = int((err_vendor == vendor.key).sum())
        assert abs(observed - expected) < 4 * sd, (vendor.name, observed, expected, sd)


def test_vendor_error_rates_rank_in_house_then_domestic_then_offshore(mid_world):
    _, outdir = mid_world
    lines = Counter(r["vendor"] for r in _rows(outdir / "audited.csv"))
    errors = Counter(r["vendor"] for r in _rows(outdir / "errors.csv"))
    rate = {v: errors[v] / lines[v] for v in lines}
    assert rate["In-house HIM"] < rate["Heartland Coding Partners"] < rate["Summit Coding Solutions"]
    assert 0.02 < rate["In-house HIM"] < 0.06
    assert 0.07 < rate["Summit Coding Solutions"] < 0.12


def test_every_kind_of_the_error_taxonomy_appears(mid_world):
    _, outdir = mid_world
    kinds = Counter(r["kind"] for r in _rows(outdir / "errors.csv"))
    assert set(kinds) == set(KINDS)


def test_each_error_row_names_a_real_difference_between_coded_and_audited(mid_world):
    _, outdir = mid_world
    for row in _rows(outdir / "errors.csv"):
        assert row["coded"] != row["audited"], row


def test_the_takeover_login_changes_throughput_error_rate_and_hours_at_the_stated_date(mid_world):
    _, outdir = mid_world
    truth = json.loads((outdir / "world.json").read_text())["takeover"]
    login, date = truth["login_id"], dt.date.fromisoformat(truth["date"])
    encounters = {k: r for k, r in _encounters(outdir / "audited.csv").items() if r["coder_id"] == login}
    lines = Counter(r["encounter_id"] for r in _rows(outdir / "audited.csv") if r["coder_id"] == login)
    errors = Counter(r["encounter_id"] for r in _rows(outdir / "errors.csv") if r["coder_id"] == login)
    stats = defaultdict(lambda: {"charts": 0, "lines": 0, "errors": 0, "hours": Counter(), "days": set()})
    margin = dt.timedelta(days=5)
    for eid, row in encounters.items():
        coded = dt.datetime.fromisoformat(row["coded_at"])
        when = coded.date()
        if abs(when - date) < margin:
            continue
        side = stats["before" if when < date else "after"]
        side["charts"] += 1
        side["lines"] += lines[eid]
        side["errors"] += errors[eid]
        side["hours"][coded.astimezone(dt.UTC).hour] += 1
    start = dt.date.fromisoformat(json.loads((outdir / "world.json").read_text())["period"][0])
    end = dt.date.fromisoformat(json.loads((outdir / "world.json").read_text())["period"][1])
    before, after = stats["before"], stats["after"]
    per_day_before = before["charts"] / ((date - margin) - start).days
    per_day_after = after["charts"] / (end - (date + margin)).days
    assert per_day_after > 1.3 * per_day_before, (per_day_before, per_day_after)
    rate_before, rate_after = before["errors"] / before["lines"], after["errors"] / after["lines"]
    assert rate_before < 0.07 and rate_after > 0.10, (rate_before, rate_after)
    busiest_before = before["hours"].most_common(1)[0][0]
    assert after["hours"][busiest_before] < 0.05 * after["charts"]


def test_the_takeover_shows_in_the_code_mix(mid_world):
    """After the takeover the login's charts carry more codes the auditor had to make more specific."""
    _, outdir = mid_world
    truth = json.loads((outdir / "world.json").read_text())["takeover"]
    login, date = truth["login_id"], dt.date.fromisoformat(truth["date"])
    coded = {k: r for k, r in _encounters(outdir / "encounters.csv").items() if r["coder_id"] == login}
    side = {eid: "before" if dt.date.fromisoformat(r["coded_at"][:10]) < date else "after" for eid, r in coded.items()}
    dx_lines = Counter(side[r["encounter_id"]] for r in _rows(outdir / "encounters.csv")
                       if r["coder_id"] == login and r["code_system"] == "ICD10CM")
    vague = Counter(side[r["encounter_id"]] for r in _rows(outdir / "errors.csv")
                    if r["coder_id"] == login and r["kind"] == "dx_changed_specificity")
    assert vague["after"] / dx_lines["after"] > 2 * vague["before"] / dx_lines["before"]


def test_the_split_vendor_declares_us_locations_while_most_of_its_people_are_offshore(small_world):
    _, outdir = small_world
    summary = json.loads((outdir / "world.json").read_text())
    split = summary["split_vendor"]
    vendors = {r["name"]: r for r in _rows(outdir / "vendors.csv")}
    assert vendors[split["name"]]["delivery_model"] == "onshore"
    assert split["true_delivery_model"] == "offshore"
    declared = [r["declared_location"] for r in _rows(outdir / "coders.csv") if r["vendor"] == split["name"]]
    assert declared and all(loc.startswith("US-") for loc in declared)
    people = [c for c in summary["coders"] if c["vendor"] == split["name"]]
    offshore = [c for c in people if not c["true_location"].startswith("US-")]
    assert len(offshore) > len(people) / 2
    assert all(c["declared_location"] != c["true_location"] for c in offshore)


def test_honest_vendors_declare_where_their_people_are(small_world):
    _, outdir = small_world
    summary = json.loads((outdir / "world.json").read_text())
    for c in summary["coders"]:
        if c["vendor"] != summary["split_vendor"]["name"]:
            assert c["declared_location"] == c["true_location"]


def test_each_error_row_is_visible_in_the_coded_and_audited_files(mid_world):
    _, outdir = mid_world
    coded, audited = defaultdict(set), defaultdict(set)
    for name, into in (("encounters.csv", coded), ("audited.csv", audited)):
        for r in _rows(outdir / name):
            into[r["encounter_id"]].add(r["code"])
    code_kinds = {"dx_changed_specificity", "dx_changed_category", "dx_changed_laterality",
                  "dx_changed_seventh_character", "principal_dx_changed", "procedure_changed",
                  "em_level_up", "em_level_down"}
    checked = Counter()
    for r in _rows(outdir / "errors.csv"):
        eid, kind = r["encounter_id"], r["kind"]
        if kind in ("dx_added", "procedure_added"):
            assert r["audited"] in audited[eid] and r["audited"] not in coded[eid], r
        elif kind in ("dx_deleted", "procedure_deleted"):
            assert r["coded"] in coded[eid] and r["coded"] not in audited[eid], r
        elif kind in code_kinds:
            assert r["coded"] in coded[eid] and r["coded"] not in audited[eid], r
            assert r["audited"] in audited[eid] and r["audited"] not in coded[eid], r
        else:
            continue
        checked[kind] += 1
    assert len(checked) == 12
