"""Hand-made access events for the provenance pages, over the web tests' roster (conftest.py).

Bayside (coder bc1, declared US-TX) may access PHI from the US only; Acme (ac1, ac2, declared
IN) from its declared countries (IN, US) and only through the VDI.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pyarrow as pa
import pytest
from django_scopes import scopes_disabled

from codingwatch.lake import open_lake
from codingwatch.lake.schema import ACCESS_EVENTS
from codingwatch.web.accounts import roles
from tests.web.conftest import make_user

PLACES = {"dallas": ("US", 32.7767, -96.7970), "manila": ("PH", 14.5995, 120.9842),
          "chennai": ("IN", 13.0827, 80.2707)}
QUEUE = "NORTH/cardiology/inpatient"  # the roster's one queue, as the app names it


def event(event_id: str, when: str, login: str, what: str = "view", *, place: str = "dallas", device: str = "pc-1",
          session: str = "s1", queue: str | None = QUEUE) -> dict:
    country, lat, lon = PLACES[place]
    return {"event_id": event_id, "occurred_at": dt.datetime.fromisoformat(when).astimezone(dt.UTC), "login": login,
            "event": what, "session_id": session, "client_ip": "10.0.0.1", "country": country,
            "country_source": "event", "latitude": lat, "longitude": lon, "device_id": device, "work_queue": queue,
            "encounter_key": None, "encounter_type": "inpatient", "outcome": "success", "source_format": "csv",
            "load_id": "t"}


def session(prefix: str, day: str, login: str, *, place: str, device: str, start="09:00", tz="-06:00", n=4,
            extra: str | None = None) -> list[dict]:
    """A short session: login, n views a minute apart (one of them `extra`, e.g. export), logout."""
    t0 = dt.datetime.fromisoformat(f"{day}T{start}:00{tz}")
    words = ["login"] + ["view"] * n + ["logout"]
    if extra:
        words[2] = extra
    return [event(f"{prefix}:{i}", (t0 + dt.timedelta(minutes=i)).isoformat(), login, w, place=place, device=device,
                  session=f"{prefix}", queue=None if w in ("login", "logout") else QUEUE)
            for i, w in enumerate(words)]


def load(lake, rows: list[dict], name: str) -> None:
    sha = hashlib.sha256(name.encode()).hexdigest()
    lake.commit_load(kind="access", source_name=name, sha256=sha,
                     tables={"access_events": pa.Table.from_pylist(rows, schema=ACCESS_EVENTS)})


def first_week() -> list[dict]:
    """bc1 works from Dallas on Monday, from Manila (on another device) on Tuesday and Wednesday;
    ac1 works from Chennai on Monday and exports a chart."""
    return (session("bc1-mon", "2026-03-02", "bc1", place="dallas", device="bc1-vdi")
            + session("bc1-tue", "2026-03-03", "bc1", place="manila", device="bc1-ph")
            + session("bc1-wed", "2026-03-04", "bc1", place="manila", device="bc1-ph")
            + session("ac1-mon", "2026-03-02", "ac1", place="chennai", device="ac1-vdi", start="10:00", tz="+05:30",
                      extra="export"))


# Fixtures: the provenance test modules import them (`from tests.web.provenance_fixtures import ...`).

@pytest.fixture
def compliance(roster):
    return make_user("cora", roles.COMPLIANCE)


@pytest.fixture
def access_lake(lake_root, roster):
    """The roster's contracts (Bayside: US only; Acme: its declared countries, VDI only) and
    the first week of access events."""
    from codingwatch.web.vendors.models import Contract, QueueAssignment

    with scopes_disabled():
        QueueAssignment.objects.create(coder=roster["coders"]["bc1"], work_queue=roster["queue"],
                                       from_date=dt.date(2025, 1, 1))
        Contract.objects.create(vendor=roster["bayside"], start_date=dt.date(2025, 1, 1), pricing="per_chart",
                                price="5.00", allowed_countries=["US"], requires_vdi=True)
        Contract.objects.create(vendor=roster["acme"], start_date=dt.date(2025, 1, 1), pricing="per_chart",
                                price="4.00", requires_vdi=True)
    store = open_lake(lake_root)
    load(store, first_week(), "week-1.csv")
    return store


@pytest.fixture
def scanned(access_lake):
    """The first week scanned once (rules only: a week is too short for the takeover baseline)."""
    from codingwatch.web.provenance import services

    return services.scan(takeover=False, lake=access_lake)
