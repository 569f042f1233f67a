"""Every knob of the synthetic world, with the published figure each default comes from.

The defaults describe a three-hospital system over one federal fiscal year: an in-house
team, a truly domestic vendor, and a "split" vendor that declares a US team while most of
its coders work offshore (seed 002). Figures are cited in ../shared/reference/cost-model.md
and domain.md; none is a constant of the model: `WorldParams(...)` overrides any of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class FacilitySpec:
    code: str
    name: str
    state: str
    timezone: str
    beds: int
    share: float  # share of the system's encounters


@dataclass(frozen=True)
class VendorSpec:
    key: str  # short prefix of its login ids
    name: str
    delivery_model: str  # as declared to the client
    declared_locations: tuple[str, ...]  # ISO 3166-2, as declared
    true_delivery_model: str
    # (ISO 3166-2 location, IANA time zone, share of the vendor's coders) where people really work.
    true_locations: tuple[tuple[str, str, float], ...]
    error_rate: float  # mean share of code lines with an error
    speed: float  # charts per hour relative to the benchmark
    annual_turnover: float
    # local shift start hours people of this vendor work (one is drawn per person)
    shift_starts: tuple[float, ...] = (8.0,)
    # error rate of the vendor's people who really work in the US, when it differs
    us_error_rate: float | None = None


@dataclass(frozen=True)
class TakeoverSpec:
    """One login used by another person from a date on (seed 001's bait-and-switch)."""

    vendor: str = "scs"  # key of the vendor whose login is taken over
    day_range: tuple[int, int] = (120, 200)  # days after the year starts
    original_error_rate: float = 0.035  # the vendor's best coder is the one clients meet
    new_error_rate: float = 0.15
    new_speed: float = 1.35  # the new person rushes: more charts per hour...
    new_volume: float = 3.0  # ...and the vendor routes more work to the login
    new_location: tuple[str, str] = ("PH-00", "Asia/Manila")
    new_shift_start: float = 9.0  # a day shift in Manila: 01:00-09:00 UTC, the middle of the US night


@dataclass(frozen=True)
class WorldParams:
    encounters: int = 20_000
    seed: int = 2026
    year: int = 2026  # federal fiscal year: Oct 1 of year-1 to Sep 30 of year
    facilities: tuple[FacilitySpec, ...] = (
        FacilitySpec("RRMC", "Riverbend Regional Medical Center", "OH", "America/New_York", 420, 0.47),
        FacilitySpec("LCH", "Lakeside Community Hospital", "OH", "America/New_York", 180, 0.33),
        FacilitySpec("PVH", "Prairie View Hospital", "OH", "America/New_York", 90, 0.20),
    )
    vendors: tuple[VendorSpec, ...] = (
        VendorSpec("ih", "In-house HIM", "in-house", ("US-OH",), "in-house",
                   (("US-OH", "America/New_York", 1.0),), error_rate=0.04, speed=1.0,
                   annual_turnover=0.10, shift_starts=(7.0, 7.5, 8.0)),
        VendorSpec("hcp", "Heartland Coding Partners", "onshore", ("US-TX", "US-FL", "US-MN"), "onshore",
                   (("US-TX", "America/Chicago", 0.4), ("US-FL", "America/New_York", 0.35),
                    ("US-MN", "America/Chicago", 0.25)),
                   error_rate=0.05, speed=1.0, annual_turnover=0.18, shift_starts=(8.0, 8.5, 9.0)),
        # Seed 002: US locations on paper; most coding done in India and the Philippines.
        VendorSpec("scs", "Summit Coding Solutions", "onshore", ("US-GA", "US-AZ"), "offshore",
                   (("US-GA", "America/New_York", 0.1), ("IN-KA", "Asia/Kolkata", 0.5),
                    ("IN-TN", "Asia/Kolkata", 0.25), ("PH-00", "Asia/Manila", 0.15)),
                   # HFMA/KIWI-TEK 2018: offshore productivity 34% lower per hour.
                   error_rate=0.09, speed=0.66, annual_turnover=0.35, shift_starts=(9.0, 9.5, 18.0),
                   us_error_rate=0.05),
    )
    split_vendor: str = "scs"
    takeover: TakeoverSpec = field(default_factory=TakeoverSpec)
    # Encounter mix of a three-hospital system (share of all encounters).
    type_shares: tuple[tuple[str, float], ...] = (
        ("inpatient", 0.08), ("outpatient", 0.34), ("ed", 0.16), ("profee", 0.42),
    )
    # Charts per hour (cost-model.md): inpatient 3 (AHIMA 2007, HCPro 2009); outpatient
    # 5-20 by type; profee E/M median 12 (ICD10monitor poll). ED facility charts: 9.
    charts_per_hour: tuple[tuple[str, float], ...] = (
        ("inpatient", 3.0), ("outpatient", 9.0), ("ed", 9.0), ("profee", 12.0),
    )
    coder_hours_per_year: float = 1720.0  # 215 working days x 8 h
    target_utilization: float = 0.75
    min_team_size: int = 2
    # Spread of coder error rates around the vendor mean: Beta with this concentration.
    error_rate_concentration: float = 200.0

    def fiscal_year_start(self) -> dt.date:
        return dt.date(self.year - 1, 10, 1)

    def fiscal_year_end(self) -> dt.date:
        return dt.date(self.year, 9, 30)

    def vendor(self, key: str) -> VendorSpec:
        for v in self.vendors:
            if v.key == key:
                return v
        raise KeyError(key)

    def to_json(self) -> dict:
        return asdict(self)


# Specialty mix within each encounter type (weights).
SPECIALTY_MIX: dict[str, dict[str, float]] = {
    "inpatient": {"hospital_medicine": 35, "cardiology": 15, "orthopedics": 10, "general_surgery": 10,
                  "obstetrics": 12, "neurology": 7, "oncology": 5, "behavioral_health": 6},
    "outpatient": {"radiology": 30, "oncology": 12, "cardiology": 12, "orthopedics": 10,
                   "general_surgery": 12, "neurology": 6, "obstetrics": 8, "behavioral_health": 10},
    "ed": {"emergency_medicine": 100},
    "profee": {"hospital_medicine": 14, "emergency_medicine": 14, "cardiology": 10, "orthopedics": 9,
               "radiology": 14, "anesthesia": 9, "oncology": 6, "neurology": 6, "behavioral_health": 6,
               "general_surgery": 6, "obstetrics": 6},
}

# Who serves which work: (encounter type, facility code or "*") -> [(vendor key, share)].
# The first match wins.
SOURCING: tuple[tuple[str, str, tuple[tuple[str, float], ...]], ...] = (
    ("inpatient", "PVH", (("hcp", 0.5), ("scs", 0.5))),
    ("inpatient", "*", (("ih", 0.85), ("hcp", 0.15))),
    ("ed", "RRMC", (("ih", 1.0),)),
    ("ed", "*", (("scs", 1.0),)),
    ("outpatient", "PVH", (("scs", 1.0),)),
    ("outpatient", "*", (("hcp", 0.7), ("scs", 0.3))),
    ("profee", "PVH", (("scs", 1.0),)),
    ("profee", "*", (("hcp", 0.55), ("scs", 0.45))),
)

# Credentials by the work a coder does (AHIMA: CCS for facility inpatient, CCS-P for
# physician work; AAPC: CPC/COC), drawn with these weights.
CREDENTIALS_BY_TYPE: dict[str, tuple[tuple[str, ...], ...]] = {
    "inpatient": (("CCS",), ("CCS", "RHIT"), ("CCS", "RHIA"), ("RHIT",)),
    "outpatient": (("COC",), ("CPC",), ("CCS",), ("COC", "RHIT")),
    "ed": (("CPC",), ("COC",), ("CCS",)),
    "profee": (("CPC",), ("CCS-P",), ("CPC", "CCS-P"), ("CPC", "RHIT")),
}

# How long a chart waits before it is ready to code (documentation complete), in hours:
# lognormal median and sigma. With the coder's queue and working hours on top, outpatient
# turnaround lands near 24-48 h and inpatient at 72 h or more (seed 003).
READY_HOLD_HOURS: dict[str, tuple[float, float]] = {
    "inpatient": (60.0, 0.35), "outpatient": (14.0, 0.5), "ed": (10.0, 0.5), "profee": (16.0, 0.5),
}
