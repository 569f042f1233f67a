"""Synthetic PHI access logs with known ground truth.

Given a roster (plain rows: login, vendor, declared locations, hours, time zone, dates), the
contracts and the work-queue assignments, `generate` writes in-policy behavior for every
coder (sessions inside declared hours on workdays, charts from assigned queues, VDI only)
and injects, at known dates, what the provenance rules and the takeover detector must find:
offshore access under an onshore login, out-of-queue access, export/print/download, a login
shared at the same time from elsewhere, a takeover (another person working the login from a
date on), off-hours work, a login not on the roster and a login used after its end date.
Benign look-alikes are included on purpose: VPN-looking moves under 50 km, coders with two
approved locations, periods that cross daylight-saving changes.

Everything is vectorized with numpy (sessions are expanded to events with np.repeat), so a
year of 200 coders at 50 million events is written chunk by chunk straight to Parquet.
`example_world` builds a small roster, contracts and assignments for tests and benchmarks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from codingwatch.lake.schema import ACCESS_EVENTS

# name: (country, region, latitude, longitude, time zone)
PLACES: dict[str, tuple[str, str, float, float, str]] = {
    "chicago": ("US", "IL", 41.8781, -87.6298, "America/Chicago"),
    "dallas": ("US", "TX", 32.7767, -96.7970, "America/Chicago"),
    "irving": ("US", "TX", 32.8140, -96.9489, "America/Chicago"),  # 15 km from Dallas
    "atlanta": ("US", "GA", 33.7490, -84.3880, "America/New_York"),
    "phoenix": ("US", "AZ", 33.4484, -112.0740, "America/Phoenix"),
    "denver": ("US", "CO", 39.7392, -104.9903, "America/Denver"),
    "manila": ("PH", "NCR", 14.5995, 120.9842, "Asia/Manila"),
    "cebu": ("PH", "CEB", 10.3157, 123.8854, "Asia/Manila"),
    "chennai": ("IN", "TN", 13.0827, 80.2707, "Asia/Kolkata"),
    "bengaluru": ("IN", "KA", 12.9716, 77.5946, "Asia/Kolkata"),
}
PLACE_NAMES = tuple(PLACES)
US_PLACES = ("chicago", "dallas", "atlanta", "phoenix", "denver")
QUEUE_TYPES = {"IP": "inpatient", "OP": "outpatient", "ED": "ed", "PF": "profee"}
QUEUES = ("IP-CARD", "IP-MED", "OP-ORTHO", "OP-SURG", "ED-ALL", "PF-RAD", "PF-ANES", "PF-CARD")
NEAR = {"dallas": "irving"}


def place_network(place: str) -> str:
    """The /16 the synthetic world gives a place (private space: never a real network)."""
    return f"10.{PLACE_NAMES.index(place) + 10}.0.0/16"


def ip_map_rows() -> pd.DataFrame:
    """The organization's CIDR-to-country table for the synthetic world."""
    return pd.DataFrame(
        [{"cidr": place_network(p), "country": c, "latitude": lat, "longitude": lon}
         for p, (c, _r, lat, lon, _tz) in PLACES.items()]
    )


def example_world(n_coders: int = 40, *, seed: int = 0, start: dt.date = dt.date(2026, 2, 2),
                  days: int = 120) -> dict[str, pd.DataFrame]:
    """A small roster, contracts and assignments: an onshore vendor, an offshore vendor, a
    'split' vendor contracted as US-only, and in-house coders (no VDI requirement)."""
    rng = np.random.default_rng(10_000 + seed)
    vendors = ("northstar", "bayshore", "splitcode", "inhouse")
    contracts = pd.DataFrame(
        [
            {"vendor": "northstar", "allowed_countries": "US", "requires_vdi": True},
            {"vendor": "bayshore", "allowed_countries": "IN,PH", "requires_vdi": True},
            {"vendor": "splitcode", "allowed_countries": "US", "requires_vdi": True},
            {"vendor": "inhouse", "allowed_countries": "US", "requires_vdi": False},
        ]
    )
    roster, assignments = [], []
    for i in range(n_coders):
        vendor = vendors[i % len(vendors)]
        login = f"{vendor[:2]}{i:04d}"
        if vendor == "bayshore":
            homes = [("chennai", "bengaluru")[i % 2]] if i % 3 else ["chennai", "bengaluru"]
            hours = ("08:00", "17:00") if i % 2 else ("19:00", "04:00")  # some cover US days
        else:
            first = US_PLACES[int(rng.integers(len(US_PLACES)))]
            homes = [first] if i % 5 else [first, US_PLACES[(US_PLACES.index(first) + 1) % len(US_PLACES)]]
            hours = ("08:00", "16:30") if i % 2 else ("07:00", "15:30")
        end = start + dt.timedelta(days=days + 30)
        for home in homes:
            country, region, lat, lon, tz = PLACES[home]
            roster.append({"login": login, "coder_id": f"C{i:04d}", "vendor": vendor, "country": country,
                           "region": region, "latitude": lat, "longitude": lon, "timezone": tz,
                           "hours_start": hours[0], "hours_end": hours[1], "workdays": "Mon-Fri",
                           "start_date": start - dt.timedelta(days=30), "end_date": end if i % 11 else None,
                           "place": home})
        for q in rng.choice(len(QUEUES), size=2, replace=False):
            assignments.append({"login": login, "work_queue": QUEUES[q], "encounter_key": None})
    return {"roster": pd.DataFrame(roster), "contracts": contracts, "assignments": pd.DataFrame(assignments)}


@dataclass
class Injections:
    """How many of each incident to inject (per world)."""

    offshore: int = 2
    out_of_queue: int = 3
    local_phi: int = 3
    shared_login: int = 2
    takeover: int = 3
    off_hours: int = 3
    not_on_roster: int = 1
    after_end_date: int = 1
    vpn_moves: int = 6  # benign: moves under the minimum distance


@dataclass
class Noise:
    """Benign behavior that looks like an incident to a careless rule (shares of coders,
    days or sessions). Set all to 0 for a noise-free world."""

    device_refresh: float = 0.15  # coders who get a new device at some date
    faster_after_training: float = 0.10  # coders whose throughput rises at some date
    late_day: float = 0.02  # days a coder stays 75 minutes late
    vpn_exit: float = 0.01  # afternoon sessions whose VPN exits in another US city


@dataclass
class SynthAccess:
    sessions: pd.DataFrame
    truth: pd.DataFrame  # kind, login, start, end, primary_rule, implied_rules
    meta: dict = field(default_factory=dict)

    def events(self, chunk_events: int = 5_000_000) -> Iterator[pa.Table]:
        yield from expand(self.sessions, self.meta, chunk_events=chunk_events)

    def event_table(self) -> pa.Table:
        return pa.concat_tables(list(self.events()))

    def write_parquet(self, directory: Path, chunk_events: int = 5_000_000) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for i, table in enumerate(self.events(chunk_events)):
            path = directory / f"part-{i:04d}.parquet"
            pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
            paths.append(path)
        return paths


IMPLIED = {
    "offshore": "forbidden_country,impossible_travel,concurrent_sessions,off_hours,takeover",
    "out_of_queue": "out_of_assignment",
    "local_phi": "local_phi",
    "shared_login": "concurrent_sessions,impossible_travel,forbidden_country,off_hours,takeover",
    "takeover": "takeover,forbidden_country,impossible_travel,off_hours,concurrent_sessions,out_of_assignment",
    "off_hours": "off_hours",
    "not_on_roster": "not_on_roster",
    "after_end_date": "outside_roster_dates,off_hours",
}
PRIMARY = {"offshore": "forbidden_country", "out_of_queue": "out_of_assignment", "local_phi": "local_phi",
           "shared_login": "concurrent_sessions", "takeover": "takeover", "off_hours": "off_hours",
           "not_on_roster": "not_on_roster", "after_end_date": "outside_roster_dates"}


def _weekday(day: dt.date) -> dt.date:
    """The day itself, or the Monday after when it falls on a weekend (incidents need a workday)."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _utc(day: dt.date, minutes: float, tz: str) -> pd.Timestamp:
    local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=float(minutes))
    return pd.Timestamp(local.replace(tzinfo=ZoneInfo(tz))).tz_convert("UTC")


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def generate(roster: pd.DataFrame, contracts: pd.DataFrame, assignments: pd.DataFrame, *, seed: int,
             start: dt.date, days: int, events_per_hour: float = 20.0,
             injections: Injections | None = None, noise: Noise | None = None,
             takeovers: dict[str, tuple[dt.date, str]] | None = None) -> SynthAccess:
    """Sessions for every coder on the roster over `days` days from `start`, with injections.

    `takeovers` (login -> (date, place)) adds takeovers at known dates, the new person working
    from that place on another device, beside the `injections.takeover` drawn at random."""
    if days < 14:
        raise ValueError("a synthetic access-log world needs at least 14 days")
    inj = injections or Injections()
    noise = noise or Noise()
    rng = np.random.default_rng(seed)
    roster = roster.copy()
    if "place" not in roster.columns:
        roster["place"] = [min(PLACES, key=lambda p, r=r: (PLACES[p][2] - r.latitude) ** 2
                               + (PLACES[p][3] - r.longitude) ** 2) for r in roster.itertuples()]
    queues = assignments.dropna(subset=["work_queue"]).groupby("login")["work_queue"].apply(list).to_dict()
    allowed = {r.vendor: set(str(r.allowed_countries).split(",")) for r in contracts.itertuples()}
    vdi = {r.vendor: bool(r.requires_vdi) for r in contracts.itertuples()}
    logins = roster.drop_duplicates("login")
    rows: list[dict] = []
    truth: list[dict] = []

    def session(login, day, place, device, host, t0, t1, *, rate, charts, queue, mix=(0.7, 0.2, 0.1),
                extra=None, kind="normal"):
        if t1 <= t0:
            return
        rows.append({"login": login, "day": day, "place": place, "device_id": device, "host": host,
                     "start": t0, "end": t1, "rate": rate, "charts_per_hour": charts, "queue": queue,
                     "p_view": mix[0], "p_edit": mix[1], "extra": extra or "", "kind": kind})

    end_day = start + dt.timedelta(days=days)
    takeover_at: dict[str, dt.date] = {}
    offshore_days: dict[str, set] = {}
    # choose incidents up front
    eligible_takeover = list(logins.login)
    rng.shuffle(eligible_takeover)
    takeover_logins = eligible_takeover[: inj.takeover]
    for login in takeover_logins:
        at = start + dt.timedelta(days=int(rng.integers(int(days * 0.45), int(days * 0.75))))
        takeover_at[login] = at
    forced = dict(takeovers or {})
    for login, (at, _place) in forced.items():
        takeover_at[login] = at
    split = [lg for lg in logins[logins.vendor.map(lambda v: allowed.get(v) == {"US"})].login
             if lg not in takeover_at]
    rng.shuffle(split)
    for login in split[: inj.offshore]:
        span = np.arange(min(10, days // 3), max(min(10, days // 3) + 3, days - 5))
        offshore_days[login] = {start + dt.timedelta(days=int(d)) for d in rng.choice(span, size=3, replace=False)}
    others = [lg for lg in logins.login if lg not in takeover_at and lg not in offshore_days]
    rng.shuffle(others)
    pick = iter(others)
    shared = {next(pick): _weekday(start + dt.timedelta(days=int(rng.integers(3, days - 5))))
              for _ in range(inj.shared_login)}
    ooq = {next(pick): _weekday(start + dt.timedelta(days=int(rng.integers(3, days - 5)))) for _ in range(inj.out_of_queue)}
    vdi_logins = [lg for lg in others if vdi.get(logins.set_index("login").vendor[lg], False)
                  and lg not in shared and lg not in ooq]
    phi = {lg: _weekday(start + dt.timedelta(days=int(rng.integers(3, days - 5)))) for lg in vdi_logins[: inj.local_phi]}
    rest = [lg for lg in others if lg not in shared and lg not in ooq and lg not in phi]
    offh = {lg: start + dt.timedelta(days=int(rng.integers(5, days - 5))) for lg in rest[: inj.off_hours]}
    ended = {lg: start + dt.timedelta(days=int(rng.integers(days // 2, max(days // 2 + 1, days - 10))))
             for lg in rest[inj.off_hours: inj.off_hours + inj.after_end_date]}
    vpn = {lg: start + dt.timedelta(days=int(rng.integers(5, days - 5)))
           for lg in logins[logins.place.isin(NEAR)].login[: inj.vpn_moves]}

    # benign changes that are not incidents: a laptop refresh, a coder who gets faster after
    # training, the odd late evening, a VPN that exits in another city
    refresh = {lg: start + dt.timedelta(days=int(rng.integers(min(10, days // 3), max(min(10, days // 3) + 1, days - 10))))
               for lg in logins.login if rng.random() < noise.device_refresh}
    faster = {lg: start + dt.timedelta(days=int(rng.integers(min(10, days // 3), max(min(10, days // 3) + 1, days - 10))))
              for lg in logins.login if rng.random() < noise.faster_after_training}
    incident_days = {(lg, d) for chosen in (shared, ooq, phi, offh) for lg, d in chosen.items()}
    incident_days |= {(lg, d) for lg, ds in offshore_days.items() for d in ds}
    for coder in logins.itertuples():
        login = coder.login
        places = roster[roster.login == login]
        rate = events_per_hour * float(rng.uniform(0.7, 1.3))
        charts = float(rng.uniform(2.0, 6.0))
        mine = queues.get(login, [QUEUES[0]])
        device = f"{login}-vdi"
        host = int(rng.integers(2, 250))
        same_desk = rng.random() < 0.3  # the other person works from the coder's own desk and device
        new_person = {"rate": rate * float(rng.choice([0.6, 0.75, 1.3, 1.6])),
                      "charts": charts * float(rng.choice([0.6, 0.8, 1.25, 1.7])),
                      "device": device if same_desk else f"{login}-x{seed}",
                      "host": host if same_desk else int(rng.integers(2, 250)),
                      "shift": float(rng.choice([-120, -60, 60, 120, 600])),
                      "place": (places.place.iloc[0] if same_desk else
                                str(rng.choice(["manila", "chennai"]) if rng.random() < 0.5 else
                                    rng.choice([p for p in US_PLACES if p not in set(places.place)]))),
                      "mix": (0.5, 0.4, 0.1) if rng.random() < 0.5 else (0.7, 0.2, 0.1)}
        if login in forced:
            new_person.update(place=forced[login][1], device=f"{login}-x{seed}", host=int(host + 1) % 250 or 2)
        coder_end = ended.get(login)
        for d in range(days):
            day = start + dt.timedelta(days=d)
            weekday = day.weekday()
            vacation = rng.random() < 0.06 and (login, day) not in incident_days
            if weekday >= 5 or vacation:
                if not (login in offh and day == offh[login]):
                    continue
            if coder.start_date is not None and not pd.isna(coder.start_date) and day < pd.Timestamp(coder.start_date).date():
                continue
            roster_end = coder.end_date if coder.end_date is not None and not pd.isna(coder.end_date) else None
            if roster_end is not None and day > pd.Timestamp(roster_end).date():
                continue
            row = places.iloc[int(rng.integers(len(places)))] if len(places) > 1 else places.iloc[0]
            place, tz = row.place, row.timezone
            h0, h1 = _minutes(row.hours_start), _minutes(row.hours_end)
            if h1 <= h0:
                h1 += 1440
            dev, hst, r, c, mix = device, host, rate, charts, (0.7, 0.2, 0.1)
            kind = "normal"
            if login in takeover_at and day >= takeover_at[login]:
                p = new_person
                place, tz = p["place"], PLACES[p["place"]][4]
                base = _minutes(row.hours_start)
                if PLACES[p["place"]][0] != PLACES[row.place][0]:  # another country, the coder's clock
                    tz = row.timezone
                h0, h1 = base + p["shift"], base + p["shift"] + (h1 - h0)
                dev, hst, r, c, mix = p["device"], p["host"], p["rate"], p["charts"], p["mix"]
                kind = "takeover"
            elif login in vpn and day == vpn[login]:
                place = NEAR.get(place, place)
            if login in offh and day == offh[login]:
                h0, h1 = h0 + 600, h1 + 600  # night work (or the weekend, when the day is one)
                kind = "off_hours"
            if kind == "normal":
                if login in refresh and day >= refresh[login]:
                    dev = f"{login}-vdi2"
                if login in faster and day >= faster[login]:
                    r, c = r * 1.2, c * 1.4
                if rng.random() < noise.late_day:
                    h1 += 75
            lunch = h0 + (h1 - h0) / 2
            t_a = _utc(day, h0 + rng.uniform(0, 25), tz)
            t_b = _utc(day, lunch - rng.uniform(0, 10), tz)
            t_c = _utc(day, lunch + 30 + rng.uniform(0, 15), tz)
            t_d = _utc(day, h1 - rng.uniform(0, 25), tz)
            q = mine[int(rng.integers(len(mine)))]
            session(login, day, place, dev, hst, t_a, t_b, rate=r, charts=c, queue=q, mix=mix, kind=kind)
            session(login, day, place, dev, hst, t_c, t_d, rate=r, charts=c,
                    queue=mine[(mine.index(q) + 1) % len(mine)], mix=mix, kind=kind)
            if kind == "normal" and PLACES[place][0] == "US" and rng.random() < noise.vpn_exit:
                rows[-1]["place"] = US_PLACES[(US_PLACES.index(place) + 2) % len(US_PLACES)] \
                    if place in US_PLACES else "denver"
            if login in offshore_days and day in offshore_days[login]:
                rows[-1]["place"] = "chennai"
                rows[-1]["device_id"] = f"{login}-in"
                rows[-1]["kind"] = "offshore"
                truth.append(_truth("offshore", login, t_c, t_d))
            if login in shared and day == shared[login]:
                other = "manila" if PLACES[place][0] == "US" else "dallas"
                mid = t_a + (t_b - t_a) / 3
                session(login, day, other, f"{login}-shared", 77, mid, mid + pd.Timedelta(minutes=90),
                        rate=r, charts=c, queue=q, kind="shared_login")
                truth.append(_truth("shared_login", login, mid, mid + pd.Timedelta(minutes=90)))
            if login in ooq and day == ooq[login]:
                outside = [x for x in QUEUES if x not in mine]
                foreign = outside[int(rng.integers(len(outside)))]
                mid = t_c + (t_d - t_c) / 2
                session(login, day, place, dev, hst, mid, mid + pd.Timedelta(minutes=20), rate=r, charts=c,
                        queue=foreign, kind="out_of_queue")
                truth.append(_truth("out_of_queue", login, mid, mid + pd.Timedelta(minutes=20)))
            if login in phi and day == phi[login]:
                rows[-1]["extra"] = str(rng.choice(["export", "print", "download"]))
                truth.append(_truth("local_phi", login, t_c, t_d))
            if kind == "off_hours":
                truth.append(_truth("off_hours", login, t_a, t_d))
        if coder_end is not None:
            # the roster says the coder left at coder_end; the login goes on working
            truth.append(_truth("after_end_date", login, _utc(coder_end + dt.timedelta(days=1), 0, "UTC"),
                                _utc(end_day, 0, "UTC")))
        if login in takeover_at:
            truth.append(_truth("takeover", login, _utc(takeover_at[login], 0, "UTC"), _utc(end_day, 0, "UTC")))
    for k in range(inj.not_on_roster):
        ghost = f"zz{seed % 100:02d}{k:02d}"
        day = start + dt.timedelta(days=int(rng.integers(5, days - 5)))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        t0, t1 = _utc(day, 9 * 60, "America/Chicago"), _utc(day, 12 * 60, "America/Chicago")
        session(ghost, day, "chicago", f"{ghost}-pc", 99, t0, t1, rate=events_per_hour, charts=3.0,
                queue=QUEUES[0], kind="not_on_roster")
        truth.append(_truth("not_on_roster", ghost, t0, t1))
    sessions = pd.DataFrame(rows)
    sessions["session_id"] = [f"S{seed}-{i}" for i in range(len(sessions))]
    ends = pd.DataFrame([{"login": lg, "end_date": e} for lg, e in ended.items()])
    meta = {"seed": seed, "start": start, "days": days, "ended": ends, "takeover_at": takeover_at}
    return SynthAccess(sessions=sessions, truth=pd.DataFrame(truth), meta=meta)


def _truth(kind: str, login: str, start, end) -> dict:
    return {"kind": kind, "login": login, "start": pd.Timestamp(start), "end": pd.Timestamp(end),
            "primary_rule": PRIMARY[kind], "implied_rules": IMPLIED[kind]}


def roster_as_declared(world_roster: pd.DataFrame, synth: SynthAccess) -> pd.DataFrame:
    """The roster the organization holds: coders injected as 'after end date' have the end
    date the synthetic world chose (their logins go on working after it)."""
    roster = world_roster.copy()
    for row in synth.meta["ended"].itertuples() if len(synth.meta["ended"]) else []:
        roster.loc[roster.login == row.login, "end_date"] = row.end_date
    return roster


def _queue_type(queue: str) -> str:
    """The encounter type of a queue: "IP-CARD" (this module's queues) or "RRMC/cardiology/inpatient"
    (facility/service line/type, as the web app names queues)."""
    return QUEUE_TYPES.get(queue.split("-")[0]) or queue.rsplit("/", 1)[-1]


def expand(sessions: pd.DataFrame, meta: dict, *, chunk_events: int = 5_000_000) -> Iterator[pa.Table]:
    """Sessions -> events (ACCESS_EVENTS schema), vectorized, in chunks of about chunk_events."""
    seed = meta["seed"]
    rng = np.random.default_rng(seed + 7)
    starts = sessions["start"].map(lambda t: t.value // 1000).to_numpy(np.int64)  # microseconds
    ends = sessions["end"].map(lambda t: t.value // 1000).to_numpy(np.int64)
    hours = (ends - starts) / 3.6e9
    counts = rng.poisson(np.maximum(sessions["rate"].to_numpy() * hours, 0)) + 2
    charts_total = np.ceil(hours * sessions["charts_per_hour"].to_numpy()).astype(np.int64) + 1
    chart_base = np.concatenate([[0], np.cumsum(charts_total)[:-1]]) + seed * 10_000_000_000
    place_idx = sessions["place"].map(PLACE_NAMES.index).to_numpy()
    lat_all = np.array([PLACES[p][2] for p in PLACE_NAMES])
    lon_all = np.array([PLACES[p][3] for p in PLACE_NAMES])
    country_all = np.array([PLACES[p][0] for p in PLACE_NAMES], dtype=object)
    queue_types = np.array([_queue_type(q) for q in sessions["queue"]], dtype=object)
    boundaries = np.concatenate([[0], np.cumsum(counts)])
    event_offset = 0
    s = 0
    n = len(sessions)
    while s < n:
        e = int(np.searchsorted(boundaries, boundaries[s] + chunk_events, side="right")) - 1
        e = max(e, s + 1)
        e = min(e, n)
        idx = np.repeat(np.arange(s, e), counts[s:e])
        total = len(idx)
        u = rng.random(total)
        order = np.lexsort((u, idx))
        u = u[order]
        first = np.concatenate([[True], idx[1:] != idx[:-1]])
        last = np.concatenate([idx[1:] != idx[:-1], [True]])
        u[first] = 0.0
        u[last] = 1.0
        ts = starts[idx] + (u * (ends[idx] - starts[idx])).astype(np.int64)
        r = rng.random(total)
        p_view = sessions["p_view"].to_numpy()[idx]
        p_edit = sessions["p_edit"].to_numpy()[idx]
        kind = np.where(r < p_view, 1, np.where(r < p_view + p_edit, 2, 3))  # view, edit, query
        words = np.array(["login", "view", "edit", "query", "logout", "export", "print", "download"], dtype=object)
        kind[first] = 0
        kind[last] = 4
        extra = sessions["extra"].to_numpy()[idx]
        has_extra = (extra != "") & ~first & ~last
        # the injected local-PHI events: a handful per session marked with one
        position = np.arange(total) - np.flatnonzero(first).repeat(counts[s:e])
        extra_pick = has_extra & np.isin(position, (3, 9, 15, 21))
        for w, code in (("export", 5), ("print", 6), ("download", 7)):
            kind[extra_pick & (extra == w)] = code
        chart = chart_base[idx] + np.floor(u * hours[idx] * sessions["charts_per_hour"].to_numpy()[idx]).astype(np.int64)
        no_chart = first | last
        pl = place_idx[idx]
        host = sessions["host"].to_numpy()[idx]
        jitter_lat = rng.normal(0, 0.01, total)
        jitter_lon = rng.normal(0, 0.01, total)
        # half the events carry the country; the rest leave it to the CIDR map (filled here)
        carries = rng.random(total) < 0.5
        octet2 = pl + 10
        ip = pc.binary_join_element_wise(
            pa.array(np.full(total, "10")), pc.cast(pa.array(octet2), pa.string()),
            pc.cast(pa.array(host % 250), pa.string()), pc.cast(pa.array((idx % 200) + 20), pa.string()), ".")
        encounter_key = pc.binary_join_element_wise(pa.array(np.full(total, "e")), pc.cast(pa.array(chart), pa.string()), "")
        encounter_key = pc.if_else(pa.array(no_chart), pa.nulls(total, pa.string()), encounter_key)
        queue = pa.array(sessions["queue"].to_numpy()[idx], pa.string())
        queue = pc.if_else(pa.array(no_chart), pa.nulls(total, pa.string()), queue)
        etype = pc.if_else(pa.array(no_chart), pa.nulls(total, pa.string()), pa.array(queue_types[idx], pa.string()))
        event_id = pc.binary_join_element_wise(pa.array(np.full(total, f"s{seed}")),
                                               pc.cast(pa.array(np.arange(event_offset, event_offset + total)), pa.string()), ":")
        table = pa.table(
            {
                "event_id": event_id,
                "occurred_at": pa.array(ts, pa.timestamp("us", tz="UTC")),
                "login": pa.array(sessions["login"].to_numpy()[idx], pa.string()),
                "event": pa.array(words[kind], pa.string()),
                "session_id": pa.array(sessions["session_id"].to_numpy()[idx], pa.string()),
                "client_ip": ip,
                "country": pa.array(country_all[pl], pa.string()),
                "country_source": pa.array(np.where(carries, "event", "ip_map"), pa.string()),
                "latitude": pa.array(lat_all[pl] + jitter_lat),
                "longitude": pa.array(lon_all[pl] + jitter_lon),
                "device_id": pa.array(sessions["device_id"].to_numpy()[idx], pa.string()),
                "work_queue": queue,
                "encounter_key": encounter_key,
                "encounter_type": etype,
                "outcome": pa.array(np.full(total, "success"), pa.string()),
                "source_format": pa.array(np.full(total, "synth"), pa.string()),
                "load_id": pa.array(np.full(total, f"synth-{seed}"), pa.string()),
            },
            schema=ACCESS_EVENTS,
        )
        event_offset += total
        s = e
        yield table
