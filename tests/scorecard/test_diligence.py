"""Due-diligence scoring and its alerts, by hand (codingwatch.scorecard.diligence)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from codingwatch.scorecard import diligence as dd

ON = dt.date(2026, 6, 30)
CATALOGUE = (
    dd.Criterion("baa", "BAA signed", Decimal(20), "document", ("baa",), disqualifier=True),
    dd.Criterion("security", "SOC 2 Type II or HITRUST", Decimal(20), "document", ("soc2_type2", "hitrust"),
                 disqualifier=True),
    dd.Criterion("offshore", "No undisclosed offshore work", Decimal(20), "observed", disqualifier=True,
                 discrepancies=("undeclared_country",)),
    dd.Criterion("insurance", "Cyber insurance >= $5M", Decimal(15), "minimum", ("cyber_insurance",),
                 minimum=Decimal(5_000_000)),
    dd.Criterion("pentest", "Penetration test", Decimal(15), "document", ("pentest",)),
    dd.Criterion("references", "References", Decimal(10), "rating"),
)


def doc(i, kind, issued, **kw):
    return dd.Document(str(i), kind, issued=issued, **kw)


def test_a_complete_vendor_scores_by_hand():
    documents = [doc(1, "baa", dt.date(2025, 1, 1)),
                 doc(2, "soc2_type2", dt.date(2025, 12, 15), period_start=dt.date(2025, 1, 1),
                     period_end=dt.date(2025, 12, 1)),
                 doc(3, "cyber_insurance", dt.date(2026, 1, 1), expires=dt.date(2026, 12, 31), amount=Decimal(5_000_000)),
                 doc(4, "pentest", dt.date(2025, 3, 1))]  # 12 months: lapsed 2026-03-01
    score = dd.score_vendor("v", CATALOGUE, documents, on=ON, ratings={"references": 4})
    # met: baa 20 + security 20 + offshore 20 + insurance 15; pentest 0; references 10 x 4/5 = 8
    assert score.earned == Decimal(83)
    assert score.total_weight == Decimal(100)
    assert score.score == Decimal("83.0")
    assert score.disqualified_by == []
    points = {p.criterion.key: p for p in score.points}
    assert not points["pentest"].met and "expired" in points["pentest"].reason
    assert points["security"].reason == "SOC 2 Type II report, valid until 2026-12-01"  # period end + 365 days
    assert points["security"].evidence[0]["id"] == "2"


def test_a_disqualifier_not_met_disqualifies_whatever_the_score():
    documents = [doc(1, "baa", dt.date(2025, 1, 1)), doc(2, "hitrust", dt.date(2025, 1, 1)),
                 doc(3, "cyber_insurance", dt.date(2026, 1, 1), amount=Decimal(9_000_000)),
                 doc(4, "pentest", dt.date(2026, 1, 1))]
    found = [{"kind": "undeclared_country", "detail": "412 access events from IN, declared US"}]
    score = dd.score_vendor("v", CATALOGUE, documents, on=ON, discrepancies=found, ratings={"references": 5})
    assert score.score == Decimal("80.0")  # 100 less the 20 of the offshore criterion
    assert score.disqualified_by == ["No undisclosed offshore work"]
    assert score.as_dict()["disqualified"] is True
    assert {p.criterion.key: p for p in score.points}["offshore"].evidence == found


def test_no_evidence_is_not_met_and_says_so():
    score = dd.score_vendor("v", CATALOGUE, [], on=ON)
    assert score.earned == Decimal(20)  # only "no undisclosed offshore work", nothing observed against it
    reasons = {p.criterion.key: p.reason for p in score.points}
    assert reasons["baa"] == "no Business associate agreement (BAA) on file"
    assert reasons["references"] == "not rated"
    assert score.disqualified_by == ["BAA signed", "SOC 2 Type II or HITRUST"]


def test_insurance_below_the_minimum_is_not_met():
    documents = [doc(1, "cyber_insurance", dt.date(2026, 1, 1), amount=Decimal(2_000_000))]
    point = {p.criterion.key: p for p in dd.score_vendor("v", CATALOGUE, documents, on=ON).points}["insurance"]
    assert not point.met and point.reason == "$2,000,000, below the $5,000,000 minimum"


def test_a_bad_criterion_is_refused_with_the_reason():
    with pytest.raises(dd.DiligenceError, match="criterion x: unknown document kind soc3"):
        dd.Criterion("x", "X", Decimal(1), "document", ("soc3",))
    with pytest.raises(dd.DiligenceError, match="a minimum criterion needs its minimum"):
        dd.Criterion("x", "X", Decimal(1), "minimum", ("cyber_insurance",))


def test_document_states_and_usual_validity():
    screening = doc(1, "exclusion_screening", dt.date(2026, 5, 1))
    assert screening.expiry() == dt.date(2026, 6, 1)  # OIG: monthly
    assert screening.state(ON) == "expired"
    assert doc(2, "hipaa_training", dt.date(2025, 8, 1)).state(ON) == "expiring"  # lapses 2026-08-01, within 60 days
    assert doc(3, "baa", dt.date(2026, 7, 1)).state(ON) == "not yet in force"
    assert doc(4, "baa", dt.date(2020, 1, 1)).state(ON) == "valid"  # a BAA lasts as long as the contract


def test_an_expired_document_raises_an_alert_unless_a_newer_one_is_current():
    old = doc(1, "pentest", dt.date(2024, 1, 1))
    alerts = dd.expired_documents("v", [old], ON)
    assert [(a.rule, a.subject, a.on) for a in alerts] == [("expired_document", "1", dt.date(2024, 12, 31))]
    assert dd.expired_documents("v", [old, doc(2, "pentest", dt.date(2026, 2, 1))], ON) == []


def test_phi_access_before_the_baa_date_raises_an_alert():
    def at(i, day, login="c1", key="k1"):
        return {"event_id": f"e{i}", "occurred_at": dt.datetime(2026, 1, day, 9, tzinfo=dt.UTC), "login": login,
                "encounter_key": key}

    events = [at(1, 3), at(2, 4, "c2", "k2"), at(3, 20)]
    alerts = dd.phi_before_baa("v", dt.date(2026, 1, 10), events)
    assert len(alerts) == 1
    assert alerts[0].evidence == ("e1", "e2") and alerts[0].on == dt.date(2026, 1, 3)
    assert alerts[0].detail == ("2 access events on 2 charts by 2 logins before the BAA signed 2026-01-10, "
                                "the first on 2026-01-03")
    assert dd.phi_before_baa("v", dt.date(2026, 1, 2), events) == []
    assert "with no BAA on file" in dd.phi_before_baa("v", None, events)[0].detail


def test_a_coder_working_after_their_roster_or_credential_end_raises_an_alert():
    roster = [dd.RosterEntry("c1", "v", end_date=dt.date(2026, 3, 31)),
              dd.RosterEntry("c2", "v", credential_expires=dt.date(2026, 2, 28)),
              dd.RosterEntry("c3", "v", end_date=dt.date(2026, 3, 31))]
    work = [{"login": "c1", "at": dt.datetime(2026, 3, 31, 23, tzinfo=dt.UTC), "encounter_key": "k0"},
            {"login": "c1", "at": dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC), "encounter_key": "k1"},
            {"login": "c2", "at": dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), "encounter_key": "k2"},
            {"login": "c3", "at": dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC), "encounter_key": "k3"}]
    alerts = dd.coders_after_end(roster, work)
    assert [(a.subject, a.evidence) for a in alerts] == [("c1", ("k1",)), ("c2", ("k2",))]
    assert "roster end date (2026-03-31)" in alerts[0].detail and "credential expiry" in alerts[1].detail
