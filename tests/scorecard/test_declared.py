"""Declared vs observed on a small lake, by hand (codingwatch.scorecard.declared)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa

from codingwatch.lake.schema import ACCESS_EVENTS, ENCOUNTERS
from codingwatch.scorecard import declared

JAN = dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC)


def _encounter(key, coder, vendor="acme", at=JAN):
    row = {name: None for name in ENCOUNTERS.names}
    return row | {"encounter_key": key, "origin": "coded", "vendor": vendor, "coder_id": coder,
                  "received_at": at - dt.timedelta(hours=5), "coded_at": at, "load_id": "t"}


def _event(i, login, country, event="view", key="k1", at=JAN):
    row = {name: None for name in ACCESS_EVENTS.names}
    return row | {"event_id": f"e{i}", "occurred_at": at, "login": login, "event": event, "country": country,
                  "encounter_key": key, "load_id": "t"}


def tables():
    encounters = [_encounter("k1", "ac1"), _encounter("k2", "ac1"), _encounter("k3", "zz9"),
                  _encounter("k4", "ac1", at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)),  # outside the period
                  _encounter("k5", "bc1", vendor="bayside")]
    events = [_event(1, "ac1", "US"), _event(2, "ac1", "IN", key="k2"), _event(3, "zz9", "IN", key="k3"),
              _event(4, "ac1", "US", event="export"), _event(5, "bc1", "PH", key="k5")]
    return (ibis.memtable(pa.Table.from_pylist(encounters, schema=ENCOUNTERS)),
            ibis.memtable(pa.Table.from_pylist(events, schema=ACCESS_EVENTS)))


DECLARATION = declared.Declaration("acme", dt.date(2026, 1, 1), dt.date(2026, 3, 31), work_countries=("US",),
                                   coders={"ac1": ("CCS",), "ac2": ("CPC",)}, claimed_accuracy=Decimal("97.00"),
                                   vdi_only=True)


def test_each_discrepancy_is_found_with_its_evidence():
    encounters, events = tables()
    accuracy = declared.Accuracy(91.0, 85.2, 94.8, 60)
    got = declared.compare(DECLARATION, encounters=encounters, access_events=events,
                           roster={"ac1": ("CCS",), "ac2": ()}, accuracy=accuracy)
    found = {(d["kind"], d["subject"]): d for d in got["discrepancies"]}
    assert sorted(found) == [("accuracy_below_claim", "97%"), ("credential_not_on_file", "ac2"),
                             ("export_under_vdi", "1 events"), ("login_not_declared", "zz9"),
                             ("login_not_on_roster", "zz9"), ("undeclared_country", "IN")]
    assert found[("undeclared_country", "IN")]["evidence"] == ["e2", "e3"]  # ac1 and the unrostered zz9
    assert found[("export_under_vdi", "1 events")]["evidence"] == ["e4"]
    assert found[("login_not_on_roster", "zz9")]["evidence"] == ["k3"]
    assert "claimed 97%, audited 91.0% (record) with 95% limits 85.2-94.8%" in found[("accuracy_below_claim",
                                                                                      "97%")]["detail"]
    assert got["observed"]["charts"] == 3  # k4 falls outside the period, k5 is Bayside's


def test_an_honest_declaration_has_no_discrepancy():
    encounters, events = tables()
    honest = declared.Declaration("acme", dt.date(2026, 1, 1), dt.date(2026, 3, 31), work_countries=("US", "IN"),
                                  claimed_accuracy=Decimal("95.00"))
    got = declared.compare(honest, encounters=encounters, access_events=events,
                           roster={"ac1": ("CCS",), "zz9": ()}, accuracy=declared.Accuracy(96.0, 93.0, 98.0, 60))
    assert got["discrepancies"] == []  # the claim is within the limits; not VDI-only; no coders named
