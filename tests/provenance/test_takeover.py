"""A login used by someone else: profiles, change points, calibration, charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import ibis
import pandas as pd
import pytest

from codingwatch.provenance import inputs, takeover
from codingwatch.synth import access_logs as al

START = dt.date(2026, 1, 5)
NONE = dict(offshore=0, out_of_queue=0, local_phi=0, shared_login=0, takeover=0, off_hours=0, not_on_roster=0,
            after_end_date=0, vpn_moves=6)


def world(seed: int, takeovers: int):
    w = al.example_world(24, seed=seed, start=START, days=120)
    s = al.generate(w["roster"], w["contracts"], w["assignments"], seed=seed, start=START, days=120,
                    injections=al.Injections(**{**NONE, "takeover": takeovers}))
    events = ibis.duckdb.connect().create_table("access_events", s.event_table())
    return w, s, events


@pytest.fixture(scope="module")
def with_takeovers():
    return world(21, 3)


@pytest.fixture(scope="module")
def without_takeovers():
    return world(22, 0)


def test_each_takeover_is_found_within_a_few_days_of_its_date(with_takeovers):
    w, s, events = with_takeovers
    result = takeover.detect_takeovers(events, roster=inputs.roster_table(w["roster"]), charts=False)
    found = {a.login: a.window_start.date() for a in result.alerts}
    for login, at in s.meta["takeover_at"].items():
        assert login in found, f"takeover of {login} on {at} not found"
        assert abs((found[login] - at).days) <= 5


def test_a_world_without_takeovers_raises_about_the_set_rate_of_alerts(without_takeovers):
    w, s, events = without_takeovers
    result = takeover.detect_takeovers(events, roster=inputs.roster_table(w["roster"]), charts=False)
    login_months = 24 * 120 / 30.44
    # the setting is 0.01 per login-month: about 1 here; 3 would be a rate three times too high
    assert len(result.alerts) <= max(3, 3 * 0.01 * login_months)


def test_the_achieved_false_alarm_rate_does_not_exceed_the_setting(without_takeovers):
    _, _, events = without_takeovers
    settings = inputs.Settings()
    sig = takeover.build_signals(events, settings)
    calibration = takeover.calibrate(sig, settings)
    assert calibration.achieved_rate <= settings.false_alarm_rate
    assert calibration.expected_alerts_per_1000_logins_month == pytest.approx(1000 * calibration.achieved_rate)


def test_a_higher_false_alarm_rate_never_needs_a_higher_penalty(without_takeovers):
    _, _, events = without_takeovers
    settings = inputs.Settings()
    sig = takeover.build_signals(events, settings)
    strict = takeover.calibrate(sig, replace(settings, false_alarm_rate=0.002))
    loose = takeover.calibrate(sig, replace(settings, false_alarm_rate=0.05))
    assert loose.penalty <= strict.penalty


def test_an_alert_names_the_signals_and_carries_a_chart_of_each(with_takeovers):
    w, s, events = with_takeovers
    result = takeover.detect_takeovers(events, roster=inputs.roster_table(w["roster"]))
    alert = result.alerts[0]
    assert alert.rule == "takeover" and alert.vendor is not None and alert.evidence
    signals = result.findings[0].signals
    assert len(signals) >= inputs.Settings().min_signals
    assert set(alert.charts) == set(signals)
    spec = alert.charts[signals[0]]
    assert "vega-lite" in spec["$schema"] and spec["layer"][1]["mark"]["type"] == "rule"


def test_one_habit_changing_alone_is_not_a_takeover():
    # a new laptop from day 60: the device share drops, nothing else moves
    days = list(range(20000, 20120))
    rows = []
    for d in days:
        rows.append({"login": "a", "day": d, "throughput": 20.0 + (d % 3), "charts_per_hour": 4.0 + (d % 2) * 0.3,
                     "hour_sin": 0.5, "hour_cos": 0.1 + (d % 5) * 0.01,
                     "known_device_share": 1.0 if d < 20060 else 0.0})
    sig = pd.DataFrame(rows)
    assert takeover.detect_frame(sig, penalty=10.0, settings=inputs.Settings()) == []


def test_code_mix_and_audit_error_rate_join_the_profile_when_given(events):
    from provenance_builders import event

    e = events(event("2026-03-02T15:00:00+00:00", encounter="k1"), event("2026-03-02T15:10:00+00:00", encounter="k2"))
    code_lines = pd.DataFrame({"encounter_key": ["k1", "k1", "k1", "k2"], "code": ["A", "B", "C", "D"]})
    audits = pd.DataFrame({"login": ["no0001"], "audited_on": [dt.date(2026, 3, 2)], "error_rate": [0.04]})
    profile = takeover.daily_profile(e, code_lines=code_lines, audits=audits).to_pandas()
    assert profile["codes_per_chart"].tolist() == [2.0]
    assert profile["audit_error_rate"].tolist() == [0.04]
