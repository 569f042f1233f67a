"""On the synthetic world (`codingwatch synth`), the scan finds what world.json says happened:
the split vendor's offshore access and the login taken over at the world's takeover date."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from django_scopes import scopes_disabled

from codingwatch.ingest.access import ingest_access_file
from codingwatch.ingest.ipmap import IpCountryMap
from codingwatch.lake import open_lake
from codingwatch.web.provenance import services
from codingwatch.web.provenance.models import ProvenanceAlert

pytestmark = [pytest.mark.django_db]


@pytest.fixture(scope="module")
def world(synth_world_600):
    return synth_world_600


@pytest.fixture
def scanned_world(world, lake_root):
    """The world's roster imported, one contract per vendor (VDI for outside vendors, allowed
    countries left to the declared locations), its access logs loaded and scanned."""
    from codingwatch.web.vendors.models import Contract, Vendor
    from codingwatch.web.vendors.services.roster import import_roster

    import_roster(world, organization="Synth Health")
    with scopes_disabled():
        for vendor in Vendor.objects.all():
            Contract.objects.create(vendor=vendor, start_date=dt.date(2025, 10, 1), pricing="per_chart",
                                    price="6.50", requires_vdi=vendor.delivery_model != "in-house")
    lake = open_lake(lake_root)
    loaded = ingest_access_file(world / "access_events.csv", lake=lake,
                                ip_map=IpCountryMap.from_csv(world / "access_ip_map.csv"))
    assert loaded.status == "loaded", loaded.message
    return services.scan(lake=lake), json.loads((world / "world.json").read_text())


def test_the_split_vendors_offshore_coders_raise_forbidden_country_alerts(world, scanned_world):
    _, facts = scanned_world
    split = facts["split_vendor"]["name"]
    truth = pd.read_csv(world / "access_truth.csv")
    offshore = set(truth[truth.kind == "offshore"].login)
    assert offshore, "the world has offshore coders under the split vendor"
    flagged = set(ProvenanceAlert.objects.filter(rule="forbidden_country").values_list("login", flat=True))
    assert offshore <= flagged
    assert set(ProvenanceAlert.objects.filter(rule="forbidden_country").values_list("vendor_code", flat=True)) == {split}


def test_the_taken_over_login_raises_a_takeover_alert_at_the_worlds_date(scanned_world):
    _, facts = scanned_world
    login, date = facts["takeover"]["login_id"], dt.date.fromisoformat(facts["takeover"]["date"])
    alerts = ProvenanceAlert.objects.filter(rule="takeover", login=login)
    assert alerts.exists()
    assert min(abs((a.window_start.date() - date).days) for a in alerts) <= 7
    assert alerts.first().charts  # a chart of each signal that moved
