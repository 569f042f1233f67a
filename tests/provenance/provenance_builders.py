"""Builders of hand-made access events and roster rows for the provenance tests."""

from __future__ import annotations

import datetime as dt

# name: (country, latitude, longitude)
PLACES = {
    "dallas": ("US", 32.7767, -96.7970),
    "irving": ("US", 32.8140, -96.9489),  # 15 km from Dallas
    "chicago": ("US", 41.8781, -87.6298),
    "manila": ("PH", 14.5995, 120.9842),
    "chennai": ("IN", 13.0827, 80.2707),
}


def event(when: str, login: str = "no0001", what: str = "view", *, session: str = "s1", place: str | None = "dallas",
          device: str = "pc-1", queue: str | None = "IP-CARD", encounter: str | None = "k1", country: str | None = "?",
          ) -> dict:
    c, lat, lon = PLACES[place] if place else (None, None, None)
    return {
        "occurred_at": dt.datetime.fromisoformat(when).astimezone(dt.UTC),
        "login": login, "event": what, "session_id": session, "client_ip": "10.0.0.1",
        "country": c if country == "?" else country, "country_source": "event", "latitude": lat,
        "longitude": lon, "device_id": device, "work_queue": queue, "encounter_key": encounter,
        "encounter_type": "inpatient", "outcome": "success", "source_format": "csv", "load_id": "t",
    }


def coder(login="no0001", vendor="northstar", place="dallas", tz="America/Chicago", hours=("08:00", "16:30"),
          workdays="Mon-Fri", start="2025-01-01", end=None) -> dict:
    c, lat, lon = PLACES[place]
    return {"login": login, "coder_id": login.upper(), "vendor": vendor, "country": c, "region": "",
            "latitude": lat, "longitude": lon, "timezone": tz, "hours_start": hours[0], "hours_end": hours[1],
            "workdays": workdays, "start_date": start, "end_date": end}


