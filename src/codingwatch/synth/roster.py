"""The people side of the world: facilities, vendors, work queues, coders and who really codes.

A *login* is what the client's roster and EHR see (login id, vendor, credentials,
specialties, declared location, start and end dates, queue assignments). A *person* is
who actually works under a login: normally one, but the takeover login (seed 001) has two,
the second from the takeover date on. The split vendor's logins declare US locations
while most of its people are offshore (seed 002). Only `world.json` tells the truth.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from codingwatch.synth.params import CREDENTIALS_BY_TYPE, SOURCING, SPECIALTY_MIX, WorldParams
from codingwatch.vocabulary import ENCOUNTER_TYPES, SPECIALTIES

OPEN_END = 10**6  # a day index beyond any date of the world

SERVICE_LINE_CODES = {
    "cardiology": "CARD", "oncology": "ONC", "orthopedics": "ORTH", "emergency_medicine": "EM",
    "behavioral_health": "BH", "anesthesia": "ANES", "radiology": "RAD", "neurology": "NEUR",
    "hospital_medicine": "HOSP", "general_surgery": "GSUR", "obstetrics": "OB",
}
TYPE_CODES = {"inpatient": "IP", "outpatient": "OP", "ed": "ED", "profee": "PF"}


@dataclass
class Queue:
    index: int
    code: str
    facility: str
    service_line: str
    encounter_type: str
    vendor_shares: tuple[tuple[str, float], ...]


@dataclass
class Login:
    index: int
    login_id: str
    vendor: str  # vendor key
    encounter_type: str
    credentials: tuple[str, ...]
    specialties: tuple[str, ...]
    declared_location: str
    start_day: int  # day index from the fiscal year start (negative: hired before it)
    end_day: int  # last day worked, OPEN_END when still active
    queues: list[int] = field(default_factory=list)
    replaces: str | None = None


@dataclass
class Person:
    index: int
    login: int
    true_location: str
    timezone: str
    shift_start: float  # local hour
    error_rate: float
    speed: float
    volume: float  # routing weight multiplier
    from_day: int
    to_day: int
    profile: int = 0  # error-kind profile: 0 regular, 1 inexperienced


@dataclass
class Roster:
    queues: list[Queue]
    logins: list[Login]
    persons: list[Person]
    takeover_login: int
    takeover_day: int


def team_hours(params: WorldParams) -> dict[tuple[str, str], float]:
    """Expected coder-hours a year each (vendor, encounter type) team must deliver."""
    rate = dict(params.charts_per_hour)
    hours: dict[tuple[str, str], float] = {}
    for etype, tshare in params.type_shares:
        mix = SPECIALTY_MIX[etype]
        total = sum(mix.values())
        for fac in params.facilities:
            for _spec, w in mix.items():
                n = params.encounters * tshare * fac.share * w / total
                for vkey, vshare in sourcing(etype, fac.code):
                    speed = params.vendor(vkey).speed
                    hours[(vkey, etype)] = hours.get((vkey, etype), 0.0) + n * vshare / rate[etype] / speed
    return hours


def sourcing(etype: str, facility: str) -> tuple[tuple[str, float], ...]:
    for t, f, shares in SOURCING:
        if t == etype and f in ("*", facility):
            return shares
    raise KeyError((etype, facility))


def build_queues(params: WorldParams) -> list[Queue]:
    queues: list[Queue] = []
    for fac in params.facilities:
        for etype in ENCOUNTER_TYPES:
            for spec in SPECIALTIES:
                if spec not in SPECIALTY_MIX[etype]:
                    continue
                code = f"{fac.code}-{SERVICE_LINE_CODES[spec]}-{TYPE_CODES[etype]}"
                queues.append(Queue(len(queues), code, fac.code, spec, etype, sourcing(etype, fac.code)))
    return queues


def _draw_error_rate(rng: np.random.Generator, mean: float, concentration: float) -> float:
    return float(round(rng.beta(mean * concentration, (1 - mean) * concentration), 4))


def build_roster(params: WorldParams, rng: np.random.Generator) -> Roster:
    queues = build_queues(params)
    hours = team_hours(params)
    year_days = (params.fiscal_year_end() - params.fiscal_year_start()).days + 1
    logins: list[Login] = []
    persons: list[Person] = []
    counters: dict[str, int] = {}

    def new_login_id(vkey: str) -> str:
        counters[vkey] = counters.get(vkey, 0) + 1
        return f"{vkey}{counters[vkey]:03d}"

    def new_person(login: Login, from_day: int, to_day: int) -> Person:
        vendor = params.vendor(login.vendor)
        shares = np.array([s for _, _, s in vendor.true_locations])
        loc, tz, _ = vendor.true_locations[int(rng.choice(len(shares), p=shares / shares.sum()))]
        # Offshore people work their own day or a US-overlapping night shift; US people work days.
        in_us = loc.startswith("US-")
        starts = vendor.shift_starts if not in_us else (8.0, 8.5)
        mean = vendor.us_error_rate if in_us and vendor.us_error_rate is not None else vendor.error_rate
        person = Person(
            index=len(persons), login=login.index, true_location=loc, timezone=tz,
            shift_start=float(starts[int(rng.integers(len(starts)))]),
            error_rate=_draw_error_rate(rng, mean, params.error_rate_concentration),
            speed=float(round(vendor.speed * rng.lognormal(0.0, 0.12), 3)),
            volume=1.0, from_day=from_day, to_day=to_day, profile=0 if in_us else 2,
        )
        persons.append(person)
        return person

    for vendor in params.vendors:
        for etype in ENCOUNTER_TYPES:
            team_queues = [q for q in queues if q.encounter_type == etype and any(v == vendor.key for v, _ in q.vendor_shares)]
            if not team_queues:
                continue
            need = hours.get((vendor.key, etype), 0.0) / (params.coder_hours_per_year * params.target_utilization)
            size = max(params.min_team_size, math.ceil(need))
            specs = sorted({q.service_line for q in team_queues}, key=SPECIALTIES.index)
            # Every specialty of the team is covered by two coders; small teams do everything.
            owned: list[set[str]] = [set() for _ in range(size)]
            if size <= 2:
                for s in owned:
                    s.update(specs)
            else:
                order = rng.permutation(size)
                k = 0
                for spec in specs:
                    for _ in range(2):
                        owned[int(order[k % size])].add(spec)
                        k += 1
                for s in owned:
                    if rng.random() < 0.5:
                        s.add(specs[int(rng.integers(len(specs)))])
            creds = CREDENTIALS_BY_TYPE[etype]
            for i in range(size):
                login = Login(
                    index=len(logins), login_id=new_login_id(vendor.key), vendor=vendor.key, encounter_type=etype,
                    credentials=creds[int(rng.integers(len(creds)))],
                    specialties=tuple(s for s in SPECIALTIES if s in owned[i]),
                    declared_location="",
                    start_day=-int(rng.integers(30, 2500)), end_day=OPEN_END,
                )
                login.queues = [q.index for q in team_queues if q.service_line in owned[i]]
                logins.append(login)
                person = new_person(login, login.start_day, OPEN_END)
                login.declared_location = _declared(params, vendor.key, person.true_location, rng)

    # The takeover login: the split vendor's busiest team, an initial login.
    tk = params.takeover
    candidates = [lg for lg in logins if lg.vendor == tk.vendor]
    team_load = {t: hours.get((tk.vendor, t), 0.0) for t in ENCOUNTER_TYPES}
    busiest = max(team_load, key=lambda t: team_load[t])
    takeover = max((lg for lg in candidates if lg.encounter_type == busiest), key=lambda lg: (len(lg.queues), -lg.index))
    takeover_day = int(rng.integers(tk.day_range[0], tk.day_range[1]))

    # Turnover: a leaver's replacement starts the next day with the same specialties and queues.
    for login in list(logins):
        if login.index == takeover.index:
            continue
        if rng.random() < params.vendor(login.vendor).annual_turnover:
            last = int(rng.integers(30, year_days - 30))
            login.end_day = last
            persons[_person_of(persons, login.index)].to_day = last
            repl = Login(
                index=len(logins), login_id=new_login_id(login.vendor), vendor=login.vendor,
                encounter_type=login.encounter_type, credentials=login.credentials, specialties=login.specialties,
                declared_location="", start_day=last + 1, end_day=OPEN_END, queues=list(login.queues),
                replaces=login.login_id,
            )
            logins.append(repl)
            person = new_person(repl, repl.start_day, OPEN_END)
            repl.declared_location = _declared(params, repl.vendor, person.true_location, rng)

    # The original person is the vendor's best, US-based coder the client met; the new one is not.
    original = persons[_person_of(persons, takeover.index)]
    us = [loc for loc in params.vendor(tk.vendor).true_locations if loc[0].startswith("US-")]
    if us:
        original.true_location, original.timezone = us[0][0], us[0][1]
        original.shift_start = 8.0
        original.profile = 0
    original.error_rate = tk.original_error_rate
    original.to_day = takeover_day - 1
    takeover.declared_location = _declared(params, tk.vendor, original.true_location, rng)
    persons.append(Person(
        index=len(persons), login=takeover.index, true_location=tk.new_location[0], timezone=tk.new_location[1],
        shift_start=tk.new_shift_start, error_rate=tk.new_error_rate,
        speed=float(round(original.speed * tk.new_speed, 3)), volume=tk.new_volume,
        from_day=takeover_day, to_day=OPEN_END, profile=1,
    ))
    return Roster(queues, logins, persons, takeover.index, takeover_day)


def _person_of(persons: list[Person], login: int) -> int:
    for p in persons:
        if p.login == login:
            return p.index
    raise KeyError(login)


def _declared(params: WorldParams, vkey: str, true_location: str, rng: np.random.Generator) -> str:
    """Honest vendors declare where people are; the split vendor declares a US office for everyone."""
    if vkey != params.split_vendor:
        return true_location
    declared = params.vendor(vkey).declared_locations
    return declared[int(rng.integers(len(declared)))]


def day_to_date(params: WorldParams, day: int) -> dt.date | None:
    if day >= OPEN_END:
        return None
    return params.fiscal_year_start() + dt.timedelta(days=day)
