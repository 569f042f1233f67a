"""On the synthetic world, due diligence finds what diligence.json's truth says: the split
vendor's undeclared offshore work, its PHI access before the BAA, the expired documents, the
coder working after their credential lapsed, and who is disqualified."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django_scopes import scopes_disabled

from codingwatch.ingest.access import ingest_access_file
from codingwatch.ingest.encounters import ingest_encounter_files
from codingwatch.ingest.ipmap import IpCountryMap
from codingwatch.lake import open_lake

pytestmark = [pytest.mark.django_db]

YEAR_END = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def world(synth_world_600):
    return synth_world_600


@pytest.fixture
def loaded(world, lake_root):
    from codingwatch.web.diligence.services import import_diligence
    from codingwatch.web.organizations.models import Organization
    from codingwatch.web.vendors.services.roster import import_roster

    import_roster(world, organization="Synth Health")
    lake = open_lake(lake_root)
    assert ingest_encounter_files([world / "encounters.csv"], lake=lake)[0].status == "loaded"
    access = ingest_access_file(world / "access_events.csv", lake=lake,
                                ip_map=IpCountryMap.from_csv(world / "access_ip_map.csv"))
    assert access.status == "loaded", access.message
    with scopes_disabled():
        counts = import_diligence(world / "diligence.json", organization=Organization.objects.get(name="Synth Health"))
    return counts, json.loads((world / "diligence.json").read_text())["truth"]


def _vendor(code):
    from codingwatch.web.vendors.models import Vendor

    return Vendor.objects.get(code=code)


def test_importing_the_same_file_twice_changes_nothing(world, loaded):
    from codingwatch.web.diligence.services import import_diligence
    from codingwatch.web.organizations.models import Organization

    counts, _ = loaded
    assert counts["documents"] > 0 and counts["declarations"] == 8 and counts["vendors"] == 2
    again = import_diligence(world / "diligence.json", organization=Organization.objects.get(name="Synth Health"))
    assert again == {"vendors": 0, "documents": 0, "credentials": 0, "declarations": 0}


def test_the_split_vendors_undeclared_countries_are_found_and_no_other_vendors(loaded):
    from codingwatch.web.diligence import services
    from codingwatch.web.diligence.models import Declaration

    _, truth = loaded
    for code, expected in truth.items():
        if not Declaration.objects.filter(vendor__code=code).exists():
            continue
        vendor = _vendor(code)
        found = set()
        for declaration in Declaration.objects.filter(vendor=vendor):
            comparison = services.declared_vs_observed(vendor, declaration)
            found |= {d["subject"] for d in comparison["discrepancies"] if d["kind"] == "undeclared_country"}
            for d in comparison["discrepancies"]:
                if d["kind"] == "undeclared_country":
                    assert d["evidence"], d  # the access events behind it
        assert sorted(found) == expected["undeclared_countries"], code
    assert any(t["undeclared_countries"] for t in truth.values() if "undeclared_countries" in t)


def test_the_alerts_are_the_true_ones(loaded):
    from codingwatch.web.diligence import services
    from codingwatch.web.vendors.models import Vendor

    _, truth = loaded
    alerts = services.alerts(list(Vendor.objects.all()), YEAR_END)
    for code, expected in truth.items():
        if "expired_kinds" not in expected:
            continue
        mine = [a for a in alerts if a["vendor"] == code]
        expired = sorted(d for a in mine if a["rule"] == "expired_document"
                         for d in [services.EvidenceDocument.objects.get(pk=a["subject"]).kind])
        assert expired == expected["expired_kinds"], code
        assert any(a["rule"] == "phi_before_baa" for a in mine) == expected["phi_before_baa"], code
        lapsed = {a["subject"] for a in mine if a["rule"] == "coder_after_end" and "credential" in a["detail"]}
        assert lapsed == ({expected["credential_lapses"]} if expected["credential_lapses"] else set()), code


def test_disqualification_follows_the_truth(loaded):
    from codingwatch.web.diligence import services

    _, truth = loaded
    for code, expected in truth.items():
        score = services.vendor_score(_vendor(code), YEAR_END)
        assert score["disqualified"] == expected["disqualified"], (code, score["disqualified_by"])


def test_the_discrepancy_is_a_finding_on_the_vendors_scorecard(loaded, login):
    from urllib.parse import quote

    from codingwatch.web.accounts import roles
    from tests.web.conftest import make_user

    director = make_user("dana", roles.DIRECTOR)  # the world's only organization's
    _, truth = loaded
    split = next(code for code, t in truth.items() if t.get("undeclared_countries"))
    html = login(director).get(f"/scorecard/vendors/{quote(split)}/?from=2025-10&to=2026-09").content.decode()
    assert 'data-testid="declared-findings"' in html
    assert 'data-kind="undeclared_country"' in html
    assert "/diligence/vendors/" in html  # the evidence link for staff
