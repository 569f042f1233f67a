"""Drawing audits in the web app from a lake as the demo fills it (encounters, claims, remits,
access logs): every coded encounter in the audit's scope is in its frame, checked against the
world's own encounters.csv (tests/full_lake.py); a scope that matches nothing says why."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.lake.keys import source_key
from codingwatch.sampling.frames import read_frame
from codingwatch.web.accounts import roles
from codingwatch.web.audits.models import Audit
from codingwatch.web.audits.services.draw import DrawRefused, draw
from codingwatch.web.vendors.models import Vendor
from tests.full_lake import QUARTER, encounters, in_scope, vendors
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(full_lake, monkeypatch, tmp_path, db):
    """The full lake as the app's lake, its roster imported; the world folder."""
    from codingwatch.web.vendors.services.roster import import_roster

    monkeypatch.setenv("CODINGWATCH_LAKE", str(full_lake.lake_root))
    monkeypatch.setenv("CODINGWATCH_VAR", str(tmp_path / "var"))
    import_roster(full_lake.world, organization="Synth Health")
    return full_lake.world


@pytest.fixture
def auditor(world):
    return make_user("aud", roles.AUDITOR)


def plan(auditor, vendor: str, **fields) -> Audit:
    with scopes_disabled():
        values = dict(title=f"{vendor} Q1", vendor=Vendor.objects.get(code=vendor), period_from=QUARTER[0],
                      period_to=QUARTER[1], seed="4967669.23", sample_size=5, created_by=auditor)
        return Audit.objects.create(**(values | fields))


def drawn(audit, auditor) -> Audit:
    with scopes_disabled():
        draw(audit, auditor)
        return Audit.objects.get(pk=audit.pk)


def frame_keys(audit) -> set[str]:
    return {e.encounter_key for e in read_frame(audit.frame_file).encounters}


@pytest.mark.parametrize("encounter_type", ["inpatient", "profee"])
def test_an_audit_frame_holds_every_encounter_in_scope(world, auditor, encounter_type):
    tried = 0
    for vendor in vendors(world):
        expected = in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor,
                            encounter_types=[encounter_type])
        if not expected:  # the in-house team codes no professional fees
            continue
        tried += 1
        audit = drawn(plan(auditor, vendor, encounter_types=[encounter_type]), auditor)
        assert audit.frame_size == len(expected), (vendor, encounter_type)
        assert frame_keys(audit) == {source_key(e) for e in expected}
        with scopes_disabled():
            assert audit.cases.count() == min(5, len(expected))
    assert tried >= 2


def test_several_specialties_and_coders_narrow_the_frame_exactly(world, auditor):
    vendor = vendors(world)[-1]
    everyone = in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor)
    specialties = sorted(Counter(r["specialty"] for r in everyone.values()))[:2]
    coders = sorted({r["coder_id"] for r in everyone.values()})[:3]
    audit = drawn(plan(auditor, vendor, specialties=specialties, coders=coders), auditor)
    expected = in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor, specialties=specialties,
                        coders=coders)
    assert audit.frame_size == len(expected) > 0
    assert frame_keys(audit) == {source_key(e) for e in expected}


@pytest.mark.parametrize("strata_by", ["specialty", "encounter_type"])
def test_a_stratified_audit_counts_every_encounter_of_each_stratum(world, auditor, strata_by):
    vendor = vendors(world)[0]
    audit = drawn(plan(auditor, vendor, design="stratified", strata_by=strata_by, sample_size=2), auditor)
    expected = Counter(r[strata_by] for r in in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1],
                                                      vendor=vendor).values())
    assert {name: n_h for name, (n_h, _) in audit.frame_strata.items()} == dict(expected)
    assert all(n == min(2, n_h) for n_h, n in audit.frame_strata.values())


def test_a_per_coder_audit_counts_every_encounter_of_each_coder(world, auditor):
    vendor = vendors(world)[1]
    audit = drawn(plan(auditor, vendor, design="per_coder", sample_size=1), auditor)
    expected = Counter(r["coder_id"] for r in in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1],
                                                       vendor=vendor).values())
    assert {name: n_h for name, (n_h, _) in audit.frame_strata.items()} == dict(expected)


def test_the_draw_page_draws_the_whole_scope(world, auditor, client):
    vendor = vendors(world)[0]
    audit = plan(auditor, vendor, encounter_types=["inpatient"], sample_size=3)
    client.force_login(auditor)
    page = client.post(reverse("audit-draw", args=[audit.pk]), follow=True).content.decode()
    expected = in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor,
                        encounter_types=["inpatient"])
    assert "Drew 3 encounters with seed 4967669.23." in page
    assert f"{len(expected)} encounters; SHA-256" in page


def test_a_draw_that_finds_nothing_says_how_many_each_filter_left(world, auditor, client):
    vendor = vendors(world)[0]
    audit = plan(auditor, vendor, specialties=["cardiology"], encounter_types=["inpatient"], coders=["nobody"])
    client.force_login(auditor)
    page = client.post(reverse("audit-draw", args=[audit.pk]), follow=True).content.decode()
    dated = in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1])
    scoped = in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor)
    cardiology = in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor, specialties=["cardiology"])
    inpatient = in_scope(world, date_from=QUARTER[0], date_to=QUARTER[1], vendor=vendor, specialties=["cardiology"],
                         encounter_types=["inpatient"])
    assert (f"no encounter in the lake matches the audit&#x27;s scope; encounters left after each filter: "
            f"in the lake (as coded): {len(encounters(world)):,}; dated 2026-01-01 to 2026-03-31: {len(dated):,}; "
            f"vendor {vendor}: {len(scoped):,}; specialty cardiology: {len(cardiology):,}; "
            f"encounter type inpatient: {len(inpatient):,}; coder nobody: 0") in page
    with scopes_disabled():
        assert not Audit.objects.get(pk=audit.pk).drawn
        with pytest.raises(DrawRefused, match="coder nobody: 0"):
            draw(audit, auditor)


def test_an_audit_period_outside_the_lake_says_so(world, auditor):
    audit = plan(auditor, vendors(world)[0], period_from=dt.date(2030, 1, 1), period_to=dt.date(2030, 3, 31))
    with scopes_disabled(), pytest.raises(DrawRefused, match=r"dated 2030-01-01 to 2030-03-31: 0$"):
        draw(audit, auditor)
