"""The scorecard months are evaluated when a load commits and kept for the lake's new generation;
a database input changed after the load (a contract term, a final audit) is evaluated afresh."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from django.core.cache import cache
from django.core.management import call_command

from codingwatch.ingest import contract
from codingwatch.lake.schema import ENCOUNTERS
from codingwatch.lake.store import DERIVED_DIR
from codingwatch.web.lake_cache import KEPT_PREFIX
from tests.web.conftest import encounter_row
from tests.web.scorecard.test_scorecard import TERMS

pytestmark = [pytest.mark.django_db]

QUERIES = """query_id,encounter_id,coder_id,sent_at,answered_at,kind
Q1,E1,ac1,2026-01-05T14:30:00-05:00,2026-01-06T09:00:00-05:00,cdi
"""
BAYSIDE = TERMS.replace("vendor: acme", "vendor: bayside").replace("percent: 90, hours: 12",
                                                                    "percent: 80, hours: 6")


@pytest.fixture
def terms(roster, tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text(TERMS + BAYSIDE.split("contracts:\n", 1)[1])
    call_command("import_contract_terms", str(path))


def kept_files(lake) -> dict[str, set[str]]:
    folder = lake.root / DERIVED_DIR
    return {p.name[len(KEPT_PREFIX):]: {f.name for f in p.iterdir()} for p in folder.glob(f"{KEPT_PREFIX}*")}


def months_of(vendor):
    from codingwatch.web.scorecard import services

    first, last = services.default_period()
    return [m.as_dict() for m in services.scorecard(vendor, first, last)]


def test_a_load_keeps_the_months_of_its_generation_and_the_first_visit_reads_them(
        roster, lake, terms, tmp_path, login, director):
    from codingwatch.ingest.queries import ingest_query_file

    path = tmp_path / "queries.csv"
    path.write_text(QUERIES)
    assert ingest_query_file(path, lake=lake).status == "loaded"  # the load commits, then warms
    kept = kept_files(lake)
    assert list(kept) == [lake.snapshot()] and kept[lake.snapshot()]  # the new generation's, only
    cache.clear()  # another process: only the files beside the lake
    client = login(director)
    for page in ("/home/", "/scorecard/", "/scorecard/vendors/acme/", "/diligence/"):
        assert client.get(page).status_code == 200
    assert kept_files(lake) == kept  # every answer was found: none computed on the visits
    # and the kept months are those evaluated afresh
    warmed = months_of(roster["acme"])
    for folder in (lake.root / DERIVED_DIR).glob(f"{KEPT_PREFIX}*"):
        for f in folder.iterdir():
            f.unlink()
    cache.clear()
    assert months_of(roster["acme"]) == warmed and warmed


def test_a_new_load_is_never_answered_from_the_months_kept_before_it(roster, lake, terms):
    from codingwatch.scorecard.terms import month_end

    contract.after_commit(lake)  # as the loaders do once a load commits
    before = {m["month"]: m for m in months_of(roster["acme"])}
    assert before["2026-01"]["kpi"]["volume"] == 2
    old = lake.snapshot()
    more = [encounter_row("a9", vendor="acme", coder="ac1", drg=291, hours=5)]
    lake.commit_load(kind="encounters", source_name="more.csv", sha256="more",
                     tables={"encounters": pa.Table.from_pylist(more, schema=ENCOUNTERS)})
    contract.after_commit(lake)
    assert list(kept_files(lake)) == [lake.snapshot()] and lake.snapshot() != old
    after = {m["month"]: m for m in months_of(roster["acme"])}
    assert after["2026-01"]["kpi"]["volume"] == 3
    assert month_end(dt.date(2026, 2, 1)).isoformat() == "2026-02-28"


def test_a_term_edited_after_the_load_is_evaluated_afresh(roster, lake, terms, login, director):
    from codingwatch.web.vendors.models import TurnaroundSLA

    contract.after_commit(lake)
    client = login(director)
    label = "turnaround, inpatient (standard): 90% within {} h"
    page = client.get("/scorecard/vendors/acme/?from=2026-01&to=2026-01").content.decode()
    assert label.format(12) in page
    term = TurnaroundSLA.objects.get(contract__vendor=roster["acme"], maximum_hours=12)
    term.maximum_hours = 24
    term.save()
    page = client.get("/scorecard/vendors/acme/?from=2026-01&to=2026-01").content.decode()
    assert label.format(24) in page and label.format(12) not in page
    # the home page's SLA months are the ones after the edit too
    months = {m["month"]: m for m in months_of(roster["acme"])}
    assert any("within 24 h" in r["label"] for r in months["2026-01"]["results"])


def test_several_vendors_evaluated_together_give_each_vendor_its_months_alone(roster, lake, terms):
    from codingwatch.web.scorecard import services

    first, last = dt.date(2025, 12, 1), dt.date(2026, 2, 28)
    together = services.scorecards([roster["acme"], roster["bayside"]], first, last)
    for folder in (lake.root / DERIVED_DIR).glob(f"{KEPT_PREFIX}*"):
        for f in folder.iterdir():
            f.unlink()
    cache.clear()
    for vendor in (roster["acme"], roster["bayside"]):
        alone = services.scorecards([vendor], first, last)[vendor.code]
        assert [m.as_dict() for m in together[vendor.code]] == [m.as_dict() for m in alone] and alone
        # a vendor's figures never name the other vendor's terms
        for m in together[vendor.code]:
            hours = {name.split("|")[2] for name in m.kpi.within} if m.kpi else set()
            assert hours <= ({"12", "48"} if vendor.code == "acme" else {"6", "48"})


def test_a_failed_warm_never_fails_the_load(roster, lake, terms, tmp_path, monkeypatch):
    from codingwatch.ingest.queries import ingest_query_file

    def broken(_lake):
        raise OSError("the disk is full")

    monkeypatch.setattr(contract, "AFTER_COMMIT", [broken, *contract.AFTER_COMMIT])
    path = tmp_path / "queries.csv"
    path.write_text(QUERIES)
    assert ingest_query_file(path, lake=lake).status == "loaded"
    assert lake.loads()[-1].kind == "queries"
    assert list(kept_files(lake)) == [lake.snapshot()]  # the steps after the failing one still ran


def test_an_audit_made_final_after_the_load_is_evaluated_afresh(reviewed_audit, auditor, acme_user, lake_root):
    from codingwatch.lake import open_lake
    from codingwatch.scorecard.terms import month_end
    from codingwatch.web.audits.models import Finding
    from codingwatch.web.audits.services.workflow import act_on_finding, transition
    from codingwatch.web.scorecard import services

    lake = open_lake(lake_root)
    cases = {c.encounter_key for c in reviewed_audit.cases.all()}
    encounters = lake.connect().table("encounters").to_pyarrow().to_pylist()
    days = [r["discharge_date"] or r["service_date"] for r in encounters if r["encounter_key"] in cases]
    first, last = min(days).replace(day=1), month_end(max(days))
    acme = reviewed_audit.vendor
    contract.after_commit(lake)  # as after a load: the months kept for this generation

    def charts_audited():
        months = services.scorecard(acme, first, last)
        assert months
        return sum(m.kpi.accuracy["record"].charts for m in months if m.kpi and m.kpi.accuracy)

    assert charts_audited() == 0  # a draft is no evidence
    transition(reviewed_audit, auditor, "route")
    for f in Finding.objects.filter(case__audit=reviewed_audit):
        act_on_finding(f, acme_user, "agree")
    transition(reviewed_audit, acme_user, "submit_responses")
    transition(reviewed_audit, auditor, "finalize")
    assert charts_audited() == reviewed_audit.cases.count() == len(services.audited_charts(acme)) > 0


def test_a_batch_of_files_runs_the_steps_after_its_last_load_only(lake_root, tmp_path, monkeypatch):
    import csv

    from codingwatch.ingest.encounters import ingest_encounter_files
    from codingwatch.lake import open_lake
    from tests.web.audit_fixtures import CODED

    with open(CODED, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["encounter_id"] == "IP-1001"]
    other = tmp_path / "other.csv"
    with open(other, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(rows[0] | {"encounter_id": "OTHER-1"})
    seen = []
    monkeypatch.setattr(contract, "AFTER_COMMIT", [lambda lake: seen.append(lake.snapshot())])
    lake = open_lake(lake_root)
    results = ingest_encounter_files([CODED, other], lake=lake)
    assert [r.status for r in results] == ["loaded", "loaded"]
    assert seen == [lake.snapshot()]  # once, for the lake with both loads
