"""Monthly KPIs by hand on a small world: every figure of one vendor-month worked out below."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from codingwatch.lake import open_lake
from codingwatch.lake.schema import (
    ACCESS_EVENTS,
    CLAIMS,
    ENCOUNTERS,
    QUERIES,
    REMIT_ADJUSTMENTS,
    REMIT_CLAIMS,
    REMIT_PAYMENTS,
)
from codingwatch.scorecard import kpis
from codingwatch.scorecard.kpis import AuditedChart, RosterCoder, TurnaroundAsk

NOV, DEC = dt.date(2025, 11, 1), dt.date(2025, 12, 1)
UTC = dt.UTC


def at(day: str, hour: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def table(schema: pa.Schema, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema)


# key, vendor, coder, type, service day, received, coded (hours after received), charge
ENCOUNTER_ROWS = [
    ("k1", "acme", "ac1", "outpatient", "2025-11-03", at("2025-11-03", 10), 24, "100.00"),
    ("k2", "acme", "ac1", "outpatient", "2025-11-10", at("2025-11-10", 8), 72, "200.00"),
    ("k3", "acme", "ac2", "outpatient", "2025-11-20", at("2025-11-20", 12), 12, "300.00"),
    ("k4", "acme", "ac2", "outpatient", "2025-11-26", at("2025-11-27", 0), 120, "1000.00"),
    ("k5", "bay", "bc1", "profee", "2025-11-05", at("2025-11-05", 9), 5, "50.00"),
]


@pytest.fixture(scope="module")
def world_lake(tmp_path_factory):
    lake = open_lake(tmp_path_factory.mktemp("lake"))
    encounters = table(ENCOUNTERS, [
        {"encounter_key": k, "origin": "coded", "vendor": v, "coder_id": c, "encounter_type": t, "facility": "F1",
         "specialty": "cardiology", "service_date": dt.date.fromisoformat(day), "received_at": rec,
         "coded_at": rec + dt.timedelta(hours=h)} for k, v, c, t, day, rec, h, _ in ENCOUNTER_ROWS])
    claims = table(CLAIMS, [{"encounter_key": k, "load_id": "L", "segment": i, "total_charge": Decimal(ch)}
                            for i, (k, *_, ch) in enumerate(ENCOUNTER_ROWS)]
                   + [{"encounter_key": "k1", "load_id": "L", "segment": 9, "total_charge": Decimal("100.00")}])
    # k1 paid, k2 denied for CARC 97 (coding-related), k3 paid; all remitted in November
    remit_claims = table(REMIT_CLAIMS, [
        {"load_id": "R", "payment_row": 0, "claim_row": 0, "encounter_key": "k1", "claim_status": "1",
         "charge": Decimal(100), "payment": Decimal(80), "patient_responsibility": Decimal(0)},
        {"load_id": "R", "payment_row": 1, "claim_row": 1, "encounter_key": "k2", "claim_status": "4",
         "charge": Decimal(200), "payment": Decimal(0), "patient_responsibility": Decimal(0)},
        {"load_id": "R", "payment_row": 2, "claim_row": 2, "encounter_key": "k3", "claim_status": "1",
         "charge": Decimal(300), "payment": Decimal(250), "patient_responsibility": Decimal(0)},
        # k4 (served in November) denied in December for a reason that is not coding
        {"load_id": "R", "payment_row": 3, "claim_row": 3, "encounter_key": "k4", "claim_status": "4",
         "charge": Decimal(1000), "payment": Decimal(0), "patient_responsibility": Decimal(0)},
    ])
    payments = table(REMIT_PAYMENTS, [
        {"load_id": "R", "payment_row": i, "payment_date": day, "payer_id": "P"}
        for i, day in enumerate((dt.date(2025, 11, 25), dt.date(2025, 11, 28), dt.date(2025, 11, 29),
                                 dt.date(2025, 12, 20)))])
    adjustments = table(REMIT_ADJUSTMENTS, [
        {"load_id": "R", "claim_row": 1, "service_row": None, "encounter_key": "k2", "level": "claim",
         "group_code": "CO", "carc": "97", "amount": Decimal(200)},
        {"load_id": "R", "claim_row": 3, "service_row": None, "encounter_key": "k4", "level": "claim",
         "group_code": "CO", "carc": "45", "amount": Decimal(1000)}])
    queries = table(QUERIES, [
        {"query_id": "q1", "encounter_key": "k1", "coder_id": "ac1", "kind": "cdi", "sent_at": at("2025-11-03", 12),
         "answered_at": at("2025-11-04", 12)},
        {"query_id": "q2", "encounter_key": "k2", "coder_id": "ac1", "kind": "cdi", "sent_at": at("2025-11-10", 9),
         "answered_at": at("2025-11-14", 9)},
        {"query_id": "q3", "encounter_key": "k3", "coder_id": "ac2", "kind": "physician",
         "sent_at": at("2025-11-20", 13), "answered_at": None},
    ])
    access = table(ACCESS_EVENTS, [
        {"event_id": "a1", "occurred_at": at("2025-11-03", 9), "login": "ac1", "event": "login", "session_id": "s1"},
        {"event_id": "a2", "occurred_at": at("2025-11-03", 13), "login": "ac1", "event": "logout", "session_id": "s1"},
    ])
    lake.commit_load(kind="test", source_name="world", sha256="x", tables={
        "encounters": encounters, "claims": claims, "remit_claims": remit_claims, "remit_payments": payments,
        "remit_adjustments": adjustments, "queries": queries, "access_events": access})
    return lake


@pytest.fixture(scope="module")
def sources(world_lake):
    lake = world_lake
    roster = [RosterCoder("ac1", "acme", ("CCS",), dt.date(2025, 1, 1), None),
              RosterCoder("ac2", "acme", (), dt.date(2025, 6, 1), dt.date(2025, 11, 15))]
    audited = [AuditedChart("acme", NOV, 10, 9, False, None, "ac1", "cardiology", "F1", "outpatient"),
               AuditedChart("acme", NOV, 5, 5, True, None, "ac2", "cardiology", "F1", "outpatient")]
    return kpis.Sources.from_lake(lake.connect(), audited=audited, roster=roster)


@pytest.fixture(scope="module")
def november(sources):
    ask = TurnaroundAsk("outpatient", "standard", 48.0)
    rows = kpis.monthly(sources, NOV, dt.date(2025, 11, 30), vendors=["acme"], turnaround=[ask],
                        breach_percent={ask.name: [90]}, query_hours=[72])
    [row] = rows
    return row, ask


def test_volume_and_turnaround(november):
    row, ask = november
    assert row.vendor == "acme" and row.month == NOV and row.volume == 4
    assert row.turnaround["p50"] == 48.0  # hours 12, 24, 72, 120: the median interpolates 24 and 72
    assert row.turnaround["mean"] == 57.0
    assert row.within[ask.name] == [2, 4]  # 12 h and 24 h are within 48 h


def test_breach_days_are_days_received_whose_charts_missed_the_percent(november):
    row, ask = november
    assert row.breach_days[ask.name] == {"90": 2}  # Nov 10 (72 h) and Nov 27 (120 h)


def test_coding_dnfb_at_the_month_end(november):
    row, _ = november
    # k4: served Nov 26 (on or before Nov 30 - 3 days of bill hold), received Nov 27, coded Dec 2
    assert row.dnfb["charts"] == 1 and row.dnfb["charge"] == 1000.0
    assert row.dnfb["average_daily"] == round(1600 / 30, 2)
    assert row.dnfb["days"] == round(1000 / (1600 / 30), 2)  # 18.75


def test_denials_first_pass_and_rework(november):
    row, _ = november
    assert row.denials["claims"] == 3 and row.denials["denied"] == 1 and row.denials["coding_denied"] == 1
    assert row.denials["denial_rate"] == round(1 / 3, 6) and row.denials["rework"] == 1
    # k1 was billed twice, k2 denied: only k3 passed first time
    assert row.first_pass == {"encounters": 3, "clean": 1, "rate": round(1 / 3, 6)}


def test_query_response(november):
    row, _ = november
    assert row.queries["sent"] == 3 and row.queries["answered"] == 2
    assert row.queries["median_hours"] == 60.0  # of the answered: 24 h and 96 h
    assert row.queries["within"] == {"72": 1}


def test_roster_turnover_credentials_and_productivity(november):
    row, _ = november
    assert row.roster["coders"] == 2 and row.roster["left"] == 1 and row.roster["turnover"] == 0.5
    assert row.roster["credentialed_charts"] == 2 and row.roster["credentialed_share"] == 0.5
    assert row.coder_hours == 4.0 and row.charts_with_hours == 2 and row.charts_per_coder_hour == 0.5


def test_accuracy_under_each_counting_rule(november):
    row, _ = november
    assert row.accuracy["code_over_code"].value == pytest.approx(14 / 15)
    assert row.accuracy["record"].value == pytest.approx(1 / 2)
    assert row.accuracy["drg"].value is None  # no inpatient chart


def test_drill_down_by_coder(sources):
    rows = kpis.monthly(sources, NOV, dt.date(2025, 11, 30), by=("vendor", "coder"), vendors=["acme"])
    by = {r.keys["coder"]: r for r in rows}
    assert by["ac1"].volume == 2 and by["ac2"].volume == 2
    assert by["ac1"].roster["credentialed_share"] == 1.0 and by["ac2"].roster["credentialed_share"] == 0.0
    assert by["ac1"].accuracy["code_over_code"].value == pytest.approx(0.9)


def test_another_vendor_is_not_counted(sources):
    rows = kpis.monthly(sources, NOV, dt.date(2025, 11, 30), vendors=["bay"])
    assert [r.volume for r in rows] == [1]


def test_a_remittance_counts_in_its_own_month_whatever_the_charts_service_month(sources):
    [december] = kpis.monthly(sources, DEC, dt.date(2025, 12, 31), vendors=["acme"])
    assert december.volume == 0
    assert december.denials["claims"] == 1 and december.denials["denied"] == 1
    assert december.denials["coding_denied"] == 0
    assert december.first_pass == {"encounters": 1, "clean": 0, "rate": 0.0}


def test_the_claim_outcomes_a_load_kept_give_the_same_figures(tmp_path, world_lake):
    """A load that commits remittances keeps their outcomes (`denials.kept`); the KPIs read that
    file, when it is of the loads the connection reads, and come out as when computed afresh."""
    import shutil

    from codingwatch.denials.kept import keep_linked, kept_outcomes
    from codingwatch.lake.schema import CODE_LINES

    lake = open_lake(tmp_path / "lake")
    shutil.copytree(world_lake.root, lake.root, dirs_exist_ok=True)
    ask = TurnaroundAsk("outpatient", "standard", 48.0)

    def figures(source):
        return [r.as_dict() for r in kpis.monthly(source, NOV, dt.date(2025, 12, 31), turnaround=[ask],
                                                  breach_percent={ask.name: [90]}, query_hours=[72])]

    computed = figures(kpis.Sources.from_lake(lake.connect()))
    assert kpis.Sources.from_lake(lake.connect(), lake=lake).outcomes is None  # nothing kept yet
    keep_linked(lake)
    kept = kpis.Sources.from_lake(lake.connect(), lake=lake)
    assert kept.outcomes is not None
    assert figures(kept) == computed
    acme_november = next(r for r in computed if r["vendor"] == "acme" and r["month"] == "2025-11")
    assert acme_november["denials"]["coding_denied"] == 1 and acme_november["first_pass"]["encounters"] == 3
    # a connection made before a new load never reads the file that load keeps, nor one made after it the older
    before = lake.connect()
    lake.commit_load(kind="test", source_name="more", sha256="y", tables={"code_lines": CODE_LINES.empty_table()})
    after = lake.connect()
    assert kept_outcomes(lake, after) is None
    keep_linked(lake)
    assert kept_outcomes(lake, before) is None and kept_outcomes(lake, after) is not None
