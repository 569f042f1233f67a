"""Each provenance rule on small hand-built logs: one case that must fire, one that must not."""

from __future__ import annotations

from provenance_builders import coder, event

from codingwatch.provenance import inputs, rules


def alerts(table):
    return inputs.to_alerts(table.to_pyarrow())


# ---- forbidden country ----------------------------------------------------------------------

def test_access_from_a_country_the_contract_forbids_fires(events, roster, contracts, settings):
    e = events(event("2026-03-02T15:00:00+00:00", place="chennai"), event("2026-03-02T15:05:00+00:00"))
    found = alerts(rules.forbidden_country(e, roster(), contracts, settings))
    assert [(a.rule, a.login, a.evidence) for a in found] == [("forbidden_country", "no0001", ("e0",))]
    assert "IN" in found[0].detail and found[0].severity == "high"


def test_access_from_an_allowed_country_does_not_fire(events, roster, contracts, settings):
    e = events(event("2026-03-02T03:00:00+00:00", login="ba0001", place="manila"),
               event("2026-03-02T04:00:00+00:00", login="ba0001", place="chennai"))
    r = roster(coder("ba0001", vendor="bayshore", place="chennai", tz="Asia/Kolkata"))
    assert alerts(rules.forbidden_country(e, r, contracts, settings)) == []


def test_events_without_a_known_country_are_not_called_forbidden(events, roster, contracts, settings):
    e = events(event("2026-03-02T15:00:00+00:00", place=None))
    assert alerts(rules.forbidden_country(e, roster(), contracts, settings)) == []


# ---- work queues and encounters -------------------------------------------------------------

def test_access_to_an_unassigned_work_queue_fires(events, roster, assignments, settings):
    e = events(event("2026-03-02T15:00:00+00:00", queue="PF-RAD", encounter="k9"))
    found = alerts(rules.out_of_assignment(e, assignments, roster(), settings))
    assert [(a.rule, a.evidence) for a in found] == [("out_of_assignment", ("e0",))]
    assert "PF-RAD" in found[0].detail


def test_access_inside_the_assigned_queue_or_to_an_assigned_encounter_does_not_fire(events, roster, assignments,
                                                                                     settings):
    e = events(event("2026-03-02T15:00:00+00:00", queue="IP-CARD"),
               event("2026-03-02T15:01:00+00:00", queue="PF-RAD", encounter="k-special"),
               event("2026-03-02T15:02:00+00:00", what="login", queue=None, encounter=None))
    assert alerts(rules.out_of_assignment(e, assignments, roster(), settings)) == []


# ---- local PHI ------------------------------------------------------------------------------

def test_export_print_or_download_under_a_vdi_only_contract_fires(events, roster, contracts, settings):
    e = events(event("2026-03-02T15:00:00+00:00", what="export"), event("2026-03-02T15:01:00+00:00", what="print"),
               event("2026-03-02T15:02:00+00:00", what="view"))
    found = alerts(rules.local_phi(e, roster(), contracts, settings))
    assert sorted(a.evidence for a in found) == [("e0",), ("e1",)]


def test_printing_is_not_flagged_where_the_contract_allows_local_phi(events, roster, contracts, settings):
    e = events(event("2026-03-02T15:00:00+00:00", login="in0001", what="print"))
    assert alerts(rules.local_phi(e, roster(coder("in0001", vendor="inhouse")), contracts, settings)) == []


# ---- concurrent sessions --------------------------------------------------------------------

def test_overlapping_sessions_from_two_devices_fire(events, roster, settings):
    e = events(event("2026-03-02T15:00:00+00:00", session="a"), event("2026-03-02T17:00:00+00:00", session="a"),
               event("2026-03-02T16:00:00+00:00", session="b", device="laptop-9", place="manila"),
               event("2026-03-02T16:30:00+00:00", session="b", device="laptop-9", place="manila"))
    found = alerts(rules.concurrent_sessions(e, roster(), settings))
    assert len(found) == 1 and found[0].severity == "high"
    assert found[0].evidence == ("e0", "e1", "e2", "e3")


def test_sessions_one_after_another_do_not_fire(events, roster, settings):
    e = events(event("2026-03-02T15:00:00+00:00", session="a"), event("2026-03-02T16:00:00+00:00", session="a"),
               event("2026-03-02T16:05:00+00:00", session="b", device="laptop-9"),
               event("2026-03-02T17:00:00+00:00", session="b", device="laptop-9"))
    assert alerts(rules.concurrent_sessions(e, roster(), settings)) == []


# ---- impossible travel ----------------------------------------------------------------------

def test_dallas_to_manila_in_an_hour_is_impossible_travel(events, roster, settings):
    e = events(event("2026-03-02T15:00:00+00:00", session="a"),
               event("2026-03-02T16:00:00+00:00", session="b", place="manila"))
    found = alerts(rules.impossible_travel(e, roster(), settings))
    assert len(found) == 1 and found[0].evidence == ("e0", "e1")
    assert "US->PH" in found[0].detail


def test_a_vpn_looking_move_under_the_minimum_distance_does_not_fire(events, roster, settings):
    e = events(event("2026-03-02T15:00:00+00:00", session="a"),
               event("2026-03-02T15:01:00+00:00", session="b", place="irving"),
               event("2026-03-02T15:02:00+00:00", session="c"))
    assert alerts(rules.impossible_travel(e, roster(), settings)) == []


def test_a_long_trip_at_airliner_speed_does_not_fire(events, roster, settings):
    # Dallas -> Chicago is about 1,290 km; 3 hours is 430 km/h, under the 900 km/h threshold
    e = events(event("2026-03-02T15:00:00+00:00", session="a"),
               event("2026-03-02T18:00:00+00:00", session="b", place="chicago"))
    assert alerts(rules.impossible_travel(e, roster(), settings)) == []


def test_the_speed_threshold_is_a_setting(events, roster):
    e = events(event("2026-03-02T15:00:00+00:00", session="a"),
               event("2026-03-02T18:00:00+00:00", session="b", place="chicago"))
    strict = inputs.Settings(max_speed_kmh=250.0)
    assert len(alerts(rules.impossible_travel(e, roster(), strict))) == 1


# ---- off hours ------------------------------------------------------------------------------

def test_work_at_two_in_the_morning_local_time_fires(events, roster, settings):
    e = events(event("2026-03-03T08:00:00+00:00"))  # 02:00 CST
    found = alerts(rules.off_hours(e, roster(), settings))
    assert [a.evidence for a in found] == [("e0",)]


def test_work_inside_declared_hours_does_not_fire(events, roster, settings):
    e = events(event("2026-03-03T15:00:00+00:00"))  # 09:00 CST, a Tuesday
    assert alerts(rules.off_hours(e, roster(), settings)) == []


def test_a_saturday_fires_for_a_monday_to_friday_coder(events, roster, settings):
    e = events(event("2026-03-07T16:00:00+00:00"))  # Saturday 10:00 CST
    assert len(alerts(rules.off_hours(e, roster(), settings))) == 1


def test_daylight_saving_start_moves_the_utc_hours(events, roster, settings):
    # 13:15 UTC is 07:15 CST on Friday 6 March 2026 (before 08:00 less 30 min grace: off hours)
    # and 08:15 CDT on Monday 9 March 2026, the day after the clocks went forward (in hours).
    e = events(event("2026-03-06T13:15:00+00:00"), event("2026-03-09T13:15:00+00:00"))
    found = alerts(rules.off_hours(e, roster(), settings))
    assert [a.evidence for a in found] == [("e0",)]


def test_daylight_saving_end_moves_the_utc_hours_back(events, roster, settings):
    # 22:45 UTC: 17:45 CDT on Friday 30 October 2026 (after 16:30 + 30 min: off hours),
    # 16:45 CST on Monday 2 November 2026, after the clocks went back (inside the grace: in hours).
    e = events(event("2026-10-30T22:45:00+00:00"), event("2026-11-02T22:45:00+00:00"))
    found = alerts(rules.off_hours(e, roster(), settings))
    assert [a.evidence for a in found] == [("e0",)]


def test_a_coder_with_two_approved_locations_is_in_hours_at_either(events, roster, settings):
    two = roster(coder("ba0001", vendor="bayshore", place="chennai", tz="Asia/Kolkata", hours=("09:00", "17:00")),
                 coder("ba0001", vendor="bayshore", place="dallas", tz="America/Chicago", hours=("09:00", "17:00")))
    # 05:00 UTC is 10:30 IST (Chennai hours); 16:00 UTC is 10:00 CST (Dallas hours); 01:00 UTC is neither
    e = events(event("2026-03-03T05:00:00+00:00", login="ba0001"), event("2026-03-03T16:00:00+00:00", login="ba0001"),
               event("2026-03-04T01:00:00+00:00", login="ba0001"))
    found = alerts(rules.off_hours(e, two, settings))
    assert [a.evidence for a in found] == [("e2",)]


def test_an_overnight_shift_is_in_hours_after_midnight(events, roster, settings):
    night = roster(coder("ba0002", vendor="bayshore", place="chennai", tz="Asia/Kolkata", hours=("19:00", "04:00"),
                         workdays="Mon-Sat"))
    e = events(event("2026-03-03T20:00:00+00:00", login="ba0002"))  # 01:30 IST Wednesday
    assert alerts(rules.off_hours(e, night, settings)) == []


# ---- roster ---------------------------------------------------------------------------------

def test_a_login_not_on_the_roster_fires(events, roster, settings):
    e = events(event("2026-03-02T15:00:00+00:00", login="ghost"), event("2026-03-02T15:00:00+00:00"))
    found = alerts(rules.roster_breaches(e, roster(), settings))
    assert [(a.rule, a.login, a.evidence) for a in found] == [("not_on_roster", "ghost", ("e0",))]


def test_a_login_used_after_its_end_date_fires_but_not_on_the_last_day(events, roster, settings):
    r = roster(coder(end="2026-03-02"))
    e = events(event("2026-03-02T20:00:00+00:00"), event("2026-03-03T15:00:00+00:00"))
    found = alerts(rules.roster_breaches(e, r, settings))
    assert [(a.rule, a.evidence) for a in found] == [("outside_roster_dates", ("e1",))]
    assert "2026-03-02" in found[0].detail


# ---- all together ---------------------------------------------------------------------------

def test_run_rules_returns_every_rules_alerts_in_one_table(events, roster, contracts, assignments, settings):
    e = events(event("2026-03-03T08:00:00+00:00", place="chennai", what="export", queue="PF-RAD"),
               event("2026-03-03T08:00:00+00:00", login="ghost"))
    table = rules.run_rules(e, roster=roster(), contracts=contracts, assignments=assignments, settings=settings)
    assert tuple(table.columns) == inputs.ALERT_COLUMNS
    assert {a.rule for a in alerts(table)} == {"forbidden_country", "out_of_assignment", "local_phi", "off_hours",
                                               "not_on_roster"}
