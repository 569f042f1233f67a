"""The codes are real: valid on their date by the CMS Medicare Code Editor, grouped by the CMS grouper."""

import csv
import datetime as dt
import json
from collections import defaultdict

from codingwatch.codesets import CodeValidator, Grouper
from codingwatch.synth.catalog import FY_CHECK_DAYS, _all_catalog_dx, derive_dx_variants, load_dx_variants


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _day(row):
    return dt.date.fromisoformat(row["discharge_date"] or row["service_date"])


def test_every_code_as_coded_and_as_audited_is_valid_on_its_date(small_world):
    _, outdir = small_world
    seen = set()
    with CodeValidator() as validator:
        for name in ("encounters.csv", "audited.csv"):
            for row in _rows(outdir / name):
                key = (row["code_system"], row["code"], _day(row))
                if key in seen:
                    continue
                seen.add(key)
                check = validator.check(*key)
                assert check.ok, (name, row["encounter_id"], check.reason)
    assert {k[0] for k in seen} == {"ICD10CM", "ICD10PCS", "CPT", "HCPCS"}


def _stays(path):
    stays = defaultdict(lambda: {"dx": [], "px": [], "row": None})
    for row in _rows(path):
        if row["encounter_type"] != "inpatient":
            continue
        stay = stays[row["encounter_id"]]
        stay["row"] = row
        if row["code_system"] == "ICD10CM":
            stay["dx"].append((int(row["sequence"]), row["code"], row["poa"]))
        elif row["code_system"] == "ICD10PCS":
            stay["px"].append((int(row["sequence"]), row["code"]))
    return stays


def test_the_drg_column_is_what_the_cms_grouper_returns_for_both_versions(small_world):
    _, outdir = small_world
    checked = 0
    with Grouper() as grouper:
        for name in ("encounters.csv", "audited.csv"):
            for stay in _stays(outdir / name).values():
                row = stay["row"]
                result = grouper.group(
                    discharge_date=dt.date.fromisoformat(row["discharge_date"]), age=int(row["age"]), sex=row["sex"],
                    discharge_status=int(row["discharge_status"]),
                    diagnoses=[(c, p) for _, c, p in sorted(stay["dx"])], procedures=[c for _, c in sorted(stay["px"])],
                )
                assert int(row["drg"]) == result.drg, (name, row["encounter_id"])
                # The auditor's version always groups; a coder's omission (a delivery without its
                # outcome code) may leave the coded version ungroupable, as it would in life.
                assert result.grouped or name == "encounters.csv", (name, row["encounter_id"], result.return_code)
                checked += 1
    assert checked > 200


def test_coded_and_audited_drgs_differ_both_ways(mid_world):
    _, outdir = mid_world
    summary = json.loads((outdir / "world.json").read_text())
    vendors = summary["counts"]["by_vendor"].values()
    assert sum(v["drg_changed_up"] for v in vendors) > 0
    assert sum(v["drg_changed_down"] for v in vendors) > 0
    coded = {k: s["row"]["drg"] for k, s in _stays(outdir / "encounters.csv").items()}
    audited = {k: s["row"]["drg"] for k, s in _stays(outdir / "audited.csv").items()}
    assert coded.keys() == audited.keys()
    assert sum(coded[k] != audited[k] for k in coded) == sum(v["drg_changed_up"] + v["drg_changed_down"] for v in vendors)


def test_the_shipped_near_misses_are_what_the_tabular_list_gives():
    with CodeValidator() as validator:
        derived = derive_dx_variants(
            sorted(_all_catalog_dx()), lambda c: all(validator.check("ICD10CM", c, d).ok for d in FY_CHECK_DAYS)
        )
    assert load_dx_variants(sorted(_all_catalog_dx())) == derived
