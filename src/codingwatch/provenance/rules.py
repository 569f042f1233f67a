"""The access rules: each an ibis expression over the access events and the plain inputs.

Every rule takes ibis tables (or pyarrow/pandas, turned into memtables) and returns an ibis
table with ALERT_COLUMNS: rule, severity, login, vendor, window_start, window_end,
event_count, evidence (sorted event ids, at most `evidence_limit`), detail. Nothing is
executed until the caller asks, so the same expressions run on DuckDB (default), PySpark, or
a warehouse backend holding the logs. Time arithmetic uses epoch seconds and integer
division only (portable across backends); local times come from the tz_offsets table.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from codingwatch.provenance.inputs import (
    ALERT_COLUMNS,
    ASSIGNMENTS,
    CONTRACTS,
    ROSTER,
    Settings,
    tz_offsets,
)

LOCAL_PHI_EVENTS = ("export", "print", "download")
EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius


def as_table(value, schema: pa.Schema | None = None) -> ir.Table:
    if isinstance(value, ir.Table):
        return value
    if isinstance(value, pd.DataFrame):
        value = pa.Table.from_pandas(value, schema=schema, preserve_index=False) if schema else pa.Table.from_pandas(
            value, preserve_index=False)
    if schema is not None and isinstance(value, pa.Table) and value.schema != schema:
        value = value.select(schema.names).cast(schema)
    return ibis.memtable(value)


def epoch(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Whole seconds since 1970 (DuckDB's epoch has fractions, Spark's has none: floor both)."""
    return ts.epoch_seconds().floor().cast("int64")


def _day(ts: ir.TimestampValue) -> ir.IntegerValue:
    return epoch(ts) // 86400


def _alerts(grouped: ir.Table, rule: str, severity, detail, settings: Settings) -> ir.Table:
    """Shape an aggregate (login, vendor, window_start, window_end, event_count, evidence) into
    ALERT_COLUMNS."""
    return grouped.select(
        rule=ibis.literal(rule),
        severity=severity if isinstance(severity, ir.Value) else ibis.literal(severity),
        login=grouped.login,
        vendor=grouped.vendor.cast("string"),
        window_start=grouped.window_start,
        window_end=grouped.window_end,
        event_count=grouped.event_count.cast("int64"),
        evidence=grouped.evidence,
        detail=detail if isinstance(detail, ir.Value) else ibis.literal(detail),
    )


def _aggregate(events: ir.Table, by: list, settings: Settings, **extra) -> ir.Table:
    return events.group_by(by).aggregate(
        window_start=events.occurred_at.min(),
        window_end=events.occurred_at.max(),
        event_count=events.count(),
        evidence=events.event_id.collect().sort()[: settings.evidence_limit],
        **extra,
    )


def login_vendors(roster: ir.Table) -> ir.Table:
    return roster.select("login", "vendor").distinct()


# ---- the rules ----------------------------------------------------------------------------

def forbidden_country(events, roster, contracts, settings: Settings) -> ir.Table:
    """Access from a country the vendor's contract does not allow (the split vendor)."""
    events, roster, contracts = as_table(events), as_table(roster, ROSTER), as_table(contracts, CONTRACTS)
    joined = events.filter(events.country.notnull()).join(login_vendors(roster), "login").join(
        contracts, "vendor")
    bad = joined.filter(~joined.allowed_countries.split(",").contains(joined.country))
    bad = bad.mutate(day=_day(bad.occurred_at))
    grouped = _aggregate(bad, ["login", "vendor", "country", "allowed_countries", "day"], settings)
    detail = ("access from " + grouped.country + "; the contract allows " + grouped.allowed_countries)
    return _alerts(grouped, "forbidden_country", "high", detail, settings)


def out_of_assignment(events, assignments, roster, settings: Settings) -> ir.Table:
    """Access to a work queue or encounter that is not among the login's assignments."""
    events, assignments = as_table(events), as_table(assignments, ASSIGNMENTS)
    roster = as_table(roster, ROSTER)
    scoped = events.filter(events.work_queue.notnull() | events.encounter_key.notnull())
    queues = assignments.filter(assignments.work_queue.notnull()).select("login", "work_queue").distinct()
    encounters = assignments.filter(assignments.encounter_key.notnull()).select(
        "login", "encounter_key").distinct()
    known = scoped.semi_join(roster.select("login").distinct(), "login")
    outside = known.anti_join(queues, ["login", "work_queue"]).anti_join(encounters, ["login", "encounter_key"])
    outside = outside.mutate(day=_day(outside.occurred_at), queue=outside.work_queue.fill_null("(none)"))
    outside = outside.join(login_vendors(roster), "login")
    grouped = _aggregate(outside, ["login", "vendor", "queue", "day"], settings)
    detail = "work queue " + grouped.queue + " (or its encounters) is not assigned to this login"
    return _alerts(grouped, "out_of_assignment", "medium", detail, settings)


def local_phi(events, roster, contracts, settings: Settings) -> ir.Table:
    """Export, print or download where the contract requires VDI with no local PHI."""
    events, roster, contracts = as_table(events), as_table(roster, ROSTER), as_table(contracts, CONTRACTS)
    moved = events.filter(events.event.isin(LOCAL_PHI_EVENTS))
    moved = moved.join(login_vendors(roster), "login").join(contracts.filter(contracts.requires_vdi), "vendor")
    moved = moved.mutate(day=_day(moved.occurred_at))
    grouped = _aggregate(moved, ["login", "vendor", "event", "day"], settings)
    detail = grouped.event + " of PHI; the contract requires VDI with no local PHI"
    return _alerts(grouped, "local_phi", "high", detail, settings)


def sessions(events) -> ir.Table:
    events = as_table(events)
    return events.group_by(["login", "session_id"]).aggregate(
        started=events.occurred_at.min(),
        ended=events.occurred_at.max(),
        device_id=events.device_id.min(),
        devices=events.device_id.nunique(),
        country=events.country.min(),
        first_event=events.event_id.argmin(events.occurred_at),
        last_event=events.event_id.argmax(events.occurred_at),
        events=events.count(),
    )


def concurrent_sessions(events, roster, settings: Settings) -> ir.Table:
    """One login with overlapping sessions from different devices or countries."""
    events, roster = as_table(events), as_table(roster, ROSTER)
    s = sessions(events.filter(events.session_id.notnull() & (events.session_id != "")))
    a = s.rename(lambda c: f"a_{c}")
    b = s.rename(lambda c: f"b_{c}")
    pairs = a.join(
        b,
        [
            a.a_login == b.b_login,
            a.a_session_id < b.b_session_id,
            a.a_started <= b.b_ended,
            b.b_started <= a.a_ended,
        ],
    )
    different = (pairs.a_device_id != pairs.b_device_id) | (
        pairs.a_country.notnull() & pairs.b_country.notnull() & (pairs.a_country != pairs.b_country))
    pairs = pairs.filter(different)
    vendors = login_vendors(roster)
    pairs = pairs.left_join(vendors, pairs.a_login == vendors.login)
    start = ibis.greatest(pairs.a_started, pairs.b_started)
    end = ibis.least(pairs.a_ended, pairs.b_ended)
    out = pairs.select(
        rule=ibis.literal("concurrent_sessions"),
        severity=ibis.ifelse(pairs.a_country.fill_null("") != pairs.b_country.fill_null(""), "high", "medium"),
        login=pairs.a_login,
        vendor=pairs.vendor.cast("string"),
        window_start=start,
        window_end=end,
        event_count=(pairs.a_events + pairs.b_events).cast("int64"),
        evidence=ibis.array([pairs.a_first_event, pairs.a_last_event, pairs.b_first_event,
                             pairs.b_last_event]).sort(),
        detail="sessions " + pairs.a_session_id + " (" + pairs.a_device_id + ", " + pairs.a_country.fill_null("?")
        + ") and " + pairs.b_session_id + " (" + pairs.b_device_id + ", " + pairs.b_country.fill_null("?")
        + ") overlap",
    )
    return out


def haversine_km(lat1, lon1, lat2, lon2) -> ir.FloatingValue:
    rad = 3.141592653589793 / 180.0
    dlat = (lat2 - lat1) * rad / 2
    dlon = (lon2 - lon1) * rad / 2
    h = dlat.sin() ** 2 + (lat1 * rad).cos() * (lat2 * rad).cos() * dlon.sin() ** 2
    return 2 * EARTH_RADIUS_KM * ibis.least(h.sqrt(), 1.0).asin()


def impossible_travel(events, roster, settings: Settings) -> ir.Table:
    """Consecutive places of one login farther apart than `min_travel_km` and reached faster
    than `max_speed_kmh`. Events are first collapsed into stays (login, session, place), so
    the window runs over stays, not over every event."""
    events, roster = as_table(events), as_table(roster, ROSTER)
    located = events.filter(events.latitude.notnull() & events.longitude.notnull())
    located = located.mutate(lat=located.latitude.round(2), lon=located.longitude.round(2))
    stays = located.group_by(["login", "session_id", "lat", "lon"]).aggregate(
        started=located.occurred_at.min(),
        ended=located.occurred_at.max(),
        first_event=located.event_id.argmin(located.occurred_at),
        last_event=located.event_id.argmax(located.occurred_at),
        country=located.country.min(),
    )
    w = ibis.window(group_by=stays.login, order_by=[stays.started, stays.first_event])
    moves = stays.mutate(
        p_lat=stays.lat.lag().over(w),
        p_lon=stays.lon.lag().over(w),
        p_ended=stays.ended.lag().over(w),
        p_last_event=stays.last_event.lag().over(w),
        p_country=stays.country.lag().over(w),
    )
    moves = moves.filter(moves.p_lat.notnull())
    km = haversine_km(moves.p_lat, moves.p_lon, moves.lat, moves.lon)
    seconds = ibis.greatest(epoch(moves.started) - epoch(moves.p_ended), 1)
    moves = moves.mutate(km=km, hours=seconds.cast("float64") / 3600.0)
    moves = moves.mutate(kmh=moves.km / moves.hours)
    fast = moves.filter((moves.km >= settings.min_travel_km) & (moves.kmh > settings.max_speed_kmh))
    fast = fast.mutate(day=_day(fast.started))
    # one alert per login and day: a shared login flips back and forth many times
    grouped = fast.group_by(["login", "day"]).aggregate(
        window_start=fast.p_ended.min(),
        window_end=fast.started.max(),
        moves=fast.count(),
        max_kmh=fast.kmh.max(),
        max_km=fast.km.max(),
        route=(fast.p_country.fill_null("?") + "->" + fast.country.fill_null("?")).argmax(fast.kmh),
        evidence=fast.p_last_event.collect().concat(fast.first_event.collect()).sort()[: settings.evidence_limit],
    )
    vendors = login_vendors(roster)
    grouped = grouped.left_join(vendors, grouped.login == vendors.login)
    return grouped.select(
        rule=ibis.literal("impossible_travel"),
        severity=ibis.ifelse(grouped.max_kmh > 2 * settings.max_speed_kmh, "high", "medium"),
        login=grouped.login,
        vendor=grouped.vendor.cast("string"),
        window_start=grouped.window_start,
        window_end=grouped.window_end,
        event_count=(grouped.moves * 2).cast("int64"),
        evidence=grouped.evidence,
        detail=grouped.moves.cast("string") + " move(s) faster than " + str(int(settings.max_speed_kmh))
        + " km/h, fastest " + grouped.route + ": " + grouped.max_km.round(0).cast("int64").cast("string")
        + " km at " + grouped.max_kmh.round(0).cast("int64").cast("string") + " km/h",
    )


def off_hours(events, roster, settings: Settings, *, offsets=None) -> ir.Table:
    """Work outside the coder's declared hours and days at every one of their declared
    locations, in local time (daylight saving from the IANA database). Events are bucketed in
    15-minute slots (declared hours are quarter hours), each slot checked once, and the events
    of off-hours slots on a day form one alert when there are at least `off_hours_min_events`."""
    events, roster = as_table(events), as_table(roster, ROSTER)
    if offsets is None:
        bounds = events.aggregate(lo=events.occurred_at.min(), hi=events.occurred_at.max()).to_pandas()
        zones = roster.select("timezone").distinct().to_pandas()["timezone"].tolist()
        if bounds.empty or pd.isna(bounds.lo.iat[0]) or not zones:
            offsets = tz_offsets([], pd.Timestamp("2000-01-01", tz="UTC"), pd.Timestamp("2000-01-01", tz="UTC"))
        else:
            offsets = tz_offsets(zones, bounds.lo.iat[0], bounds.hi.iat[0])
    offsets = as_table(offsets)
    rostered = events.semi_join(roster.select("login").distinct(), "login")
    rostered = rostered.mutate(slot=epoch(rostered.occurred_at) // 900)
    slots = rostered.group_by(["login", "slot"]).aggregate(n=rostered.count())
    places = slots.join(roster, "login")
    places = places.mutate(epoch_hour=(places.slot // 4).cast("int64"))
    places = places.join(offsets, ["timezone", "epoch_hour"])
    grace = settings.off_hours_grace_min
    local_min = places.slot * 15 + places.offset_min  # minutes since the epoch, local wall clock
    minute = local_min % 1440
    weekday = ((local_min // 1440) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    bit = ibis.cases(*[(weekday == k, 1 << k) for k in range(7)], else_=0)
    workday = ((places.workday_mask // bit) % 2) == 1
    s, e = places.hours_start_min - grace, places.hours_end_min + grace
    day_shift = s <= e
    in_hours = ibis.ifelse(day_shift, (minute >= s) & (minute < e), (minute >= s) | (minute < e))
    places = places.mutate(ok=(workday & in_hours).cast("int32"))
    verdict = places.group_by(["login", "slot"]).aggregate(ok=places.ok.max())
    off_slots = verdict.filter(verdict.ok == 0).select("login", "slot")
    off = rostered.semi_join(off_slots, ["login", "slot"])
    off = off.mutate(day=_day(off.occurred_at)).join(login_vendors(roster), "login")
    grouped = _aggregate(off, ["login", "vendor", "day"], settings)
    grouped = grouped.filter(grouped.event_count >= settings.off_hours_min_events)
    detail = (grouped.event_count.cast("string")
              + " events outside the declared hours and days at every declared location")
    return _alerts(grouped, "off_hours", "low", detail, settings)


def roster_breaches(events, roster, settings: Settings) -> ir.Table:
    """Logins that are not on the roster, and logins used after their end date (or before their
    start date)."""
    events, roster = as_table(events), as_table(roster, ROSTER)
    unknown = events.anti_join(roster.select("login").distinct(), "login")
    unknown = unknown.mutate(vendor=ibis.null().cast("string"))
    g1 = _aggregate(unknown, ["login", "vendor"], settings)
    a1 = _alerts(g1, "not_on_roster", "high", "login is not on the roster of any vendor", settings)
    spans = roster.group_by(["login", "vendor"]).aggregate(
        first_day=roster.start_date.min(),
        last_day=ibis.ifelse(roster.end_date.isnull().any(), ibis.null().cast("date"), roster.end_date.max()),
    )
    joined = events.join(spans, "login")
    day = _day(joined.occurred_at)
    after = joined.last_day.notnull() & (day > joined.last_day.epoch_days())
    before = joined.first_day.notnull() & (day < joined.first_day.epoch_days())
    flagged = joined.filter(after | before).mutate(
        which=ibis.ifelse(after, "after the end date ", "before the start date ")
        + ibis.ifelse(after, joined.last_day.cast("string"), joined.first_day.cast("string")))
    g2 = _aggregate(flagged, ["login", "vendor", "which"], settings)
    a2 = _alerts(g2, "outside_roster_dates", "high", "login used " + g2.which, settings)
    return a1.union(a2)


def run_rules(events, *, roster, contracts, assignments, settings: Settings | None = None,
              offsets=None, rules: tuple[str, ...] | None = None) -> ir.Table:
    """Every rule's alerts as one table (an unexecuted ibis expression)."""
    settings = settings or Settings()
    events = as_table(events)
    roster, contracts = as_table(roster, ROSTER), as_table(contracts, CONTRACTS)
    assignments = as_table(assignments, ASSIGNMENTS)
    built = {
        "forbidden_country": lambda: forbidden_country(events, roster, contracts, settings),
        "out_of_assignment": lambda: out_of_assignment(events, assignments, roster, settings),
        "local_phi": lambda: local_phi(events, roster, contracts, settings),
        "concurrent_sessions": lambda: concurrent_sessions(events, roster, settings),
        "impossible_travel": lambda: impossible_travel(events, roster, settings),
        "off_hours": lambda: off_hours(events, roster, settings, offsets=offsets),
        "roster": lambda: roster_breaches(events, roster, settings),
    }
    chosen = [built[name]() for name in (rules or tuple(built))]
    out = chosen[0]
    for table in chosen[1:]:
        out = out.union(table)
    return out.select(*ALERT_COLUMNS)


RULES = ("forbidden_country", "out_of_assignment", "local_phi", "concurrent_sessions", "impossible_travel",
         "off_hours", "roster")
