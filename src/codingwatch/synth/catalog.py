"""The code catalog the synthetic world draws from: curated, plausible codes per specialty.

Diagnoses are real ICD-10-CM FY2026 codes, inpatient procedures real ICD-10-PCS codes, and
outpatient/professional services CPT and HCPCS code numbers only (no AMA descriptors). The
near misses an error injects (a less specific code in the same category, the other side,
another 7th character) are derived from the ICD-10-CM tabular list (simple-icd-10-cm) and
kept only when the CMS Medicare Code Editor accepts them on every day of the fiscal year,
so every code the generator writes is valid on its date.

The curated lists below are data, not logic: `build_catalog()` turns them into numpy
lookup tables once per process.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

# ---------------------------------------------------------------------------------------
# Diagnoses
# ---------------------------------------------------------------------------------------
# Principal (inpatient) and first-listed (other settings) diagnoses per specialty:
# (code, weight, sex constraint or None, inpatient PCS bundles [(codes, weight)], weight of
# no procedure). Bundles are what an inpatient stay with that principal diagnosis usually
# carries; a bundle's codes are distinct.
Bundle = tuple[tuple[str, ...], float]

INPATIENT_PRINCIPAL: dict[str, list[tuple[str, float, str | None, list[Bundle], float]]] = {
    "cardiology": [
        ("I214", 30, None, [(("4A023N7", "027034Z"), 55), (("4A023N7",), 25)], 20),
        ("I2109", 8, None, [(("4A023N7", "027034Z"), 80)], 20),
        ("I2119", 6, None, [(("4A023N7", "02703DZ"), 70)], 30),
        ("I480", 14, None, [], 1),
        ("I4891", 10, None, [], 1),
        ("I350", 6, None, [(("4A023N7",), 60)], 40),
        ("R079", 8, None, [(("4A023N7",), 20)], 80),
        ("I442", 5, None, [(("0JH606Z", "02H63JZ", "02HK3JZ"), 90)], 10),
    ],
    "oncology": [
        ("C3490", 14, None, [(("3E04305",), 40)], 60),
        ("C3411", 8, None, [(("0BTC4ZZ",), 50)], 50),
        ("C50911", 10, "F", [(("0HTT0ZZ",), 60)], 40),
        ("C50912", 10, "F", [(("0HTU0ZZ",), 60)], 40),
        ("C189", 10, None, [(("0DTN0ZZ",), 55)], 45),
        ("C9000", 8, None, [(("3E03305",), 60)], 40),
        ("C8590", 8, None, [(("3E04305",), 60)], 40),
        ("C61", 6, "M", [(("0VT04ZZ",), 60)], 40),
    ],
    "orthopedics": [
        ("M1611", 14, None, [(("0SR9019",), 80), (("0SR901A",), 20)], 3),
        ("M1612", 14, None, [(("0SRB019",), 80), (("0SRB01A",), 20)], 3),
        ("M1711", 16, None, [(("0SRC0J9",), 90)], 3),
        ("M1712", 16, None, [(("0SRD0J9",), 90)], 3),
        ("S72001A", 10, None, [(("0SR9019",), 50), (("0QS604Z",), 40)], 5),
        ("S72002A", 10, None, [(("0SRB019",), 50), (("0QS704Z",), 40)], 5),
        ("S72141A", 6, None, [(("0QS634Z",), 90)], 10),
        ("S72142A", 6, None, [(("0QS734Z",), 90)], 10),
    ],
    "neurology": [
        ("I639", 20, None, [(("3E03317",), 20)], 80),
        ("I63411", 8, None, [(("03CG3ZZ",), 40), (("3E03317",), 30)], 30),
        ("I63412", 8, None, [(("03CG3ZZ",), 40), (("3E03317",), 30)], 30),
        ("G40909", 14, None, [(("4A10X4Z",), 60)], 40),
        ("G459", 12, None, [], 1),
        ("I610", 6, None, [], 1),
        ("R569", 8, None, [(("4A10X4Z",), 50)], 50),
    ],
    "hospital_medicine": [
        ("A419", 26, None, [(("5A1945Z", "0BH17EZ"), 12), (("30233N1",), 10)], 78),
        ("J189", 18, None, [(("5A1945Z", "0BH17EZ"), 6)], 94),
        ("N390", 12, None, [], 1),
        ("J441", 10, None, [(("5A1935Z",), 8)], 92),
        ("L03115", 5, None, [], 1),
        ("L03116", 5, None, [], 1),
        ("K922", 8, None, [(("0DJ08ZZ", "30233N1"), 45), (("0DJ08ZZ",), 25)], 30),
        ("I110", 12, None, [], 1),
        ("R55", 6, None, [], 1),
    ],
    "general_surgery": [
        ("K3580", 24, None, [(("0DTJ4ZZ",), 88)], 12),
        ("K8000", 20, None, [(("0FT44ZZ",), 85)], 15),
        ("K56609", 12, None, [(("0DB80ZZ",), 30)], 70),
        ("L0231", 8, None, [(("0J9C0ZZ",), 80)], 20),
        ("K5732", 10, None, [(("0DTN0ZZ",), 30)], 70),
        ("K4090", 6, None, [(("0YQ50ZZ",), 85)], 15),
    ],
    "obstetrics": [
        ("O80", 46, "F", [(("10E0XZZ",), 100)], 0),
        ("O701", 14, "F", [(("10E0XZZ", "0KQM0ZZ"), 100)], 0),
        ("O34211", 14, "F", [(("10D00Z1",), 100)], 0),
        ("O321XX0", 6, "F", [(("10D00Z1",), 100)], 0),
        ("O480", 8, "F", [(("10E0XZZ",), 100)], 0),
        ("O1414", 6, "F", [(("10D00Z1",), 60), (("10E0XZZ",), 40)], 0),
    ],
    "behavioral_health": [
        ("F332", 26, None, [(("GZB0ZZZ",), 8), (("GZ3ZZZZ",), 30)], 62),
        ("F209", 16, None, [(("GZ3ZZZZ",), 40)], 60),
        ("F3110", 12, None, [(("GZ3ZZZZ",), 40)], 60),
        ("F10239", 16, None, [(("HZ2ZZZZ",), 70)], 30),
        ("F1123", 10, None, [(("HZ2ZZZZ",), 70)], 30),
        ("F4310", 6, None, [], 1),
    ],
}

# First-listed diagnoses for outpatient, ED and professional-fee encounters: (code, weight, sex).
FIRST_LISTED: dict[str, list[tuple[str, float, str | None]]] = {
    "cardiology": [("I480", 14, None), ("I4891", 10, None), ("I2510", 16, None), ("R079", 14, None),
                   ("R0789", 6, None), ("I350", 6, None), ("R002", 10, None), ("I5022", 8, None),
                   ("I110", 6, None)],
    "oncology": [("Z5111", 30, None), ("C50911", 10, "F"), ("C50912", 10, "F"), ("C3490", 10, None),
                 ("C3411", 5, None), ("C189", 8, None), ("C61", 8, "M"), ("C9000", 6, None),
                 ("C8590", 6, None), ("D6481", 6, None)],
    "orthopedics": [("M1711", 14, None), ("M1712", 14, None), ("M1611", 8, None), ("M1612", 8, None),
                    ("M25561", 8, None), ("M25562", 8, None), ("S83511A", 6, None), ("S83512A", 6, None),
                    ("M75101", 6, None), ("M75102", 6, None), ("S52501A", 5, None), ("S52502A", 5, None),
                    ("M5416", 6, None)],
    "emergency_medicine": [("R079", 12, None), ("R1031", 6, None), ("R109", 10, None), ("J069", 10, None),
                           ("S0190XA", 6, None), ("S61210A", 5, None), ("S93401A", 6, None),
                           ("S93402A", 6, None), ("N390", 8, None), ("R55", 6, None), ("R519", 8, None),
                           ("J45901", 5, None), ("T7840XA", 3, None), ("K5900", 4, None), ("R112", 6, None)],
    "behavioral_health": [("F332", 14, None), ("F331", 12, None), ("F411", 16, None), ("F4310", 10, None),
                          ("F909", 10, None), ("F209", 6, None), ("F1020", 8, None), ("F1120", 6, None),
                          ("F4323", 10, None), ("F3181", 6, None)],
    "anesthesia": [("M1711", 10, None), ("M1712", 10, None), ("M1611", 6, None), ("M1612", 6, None),
                   ("K8020", 10, None), ("H2511", 10, None), ("H2512", 10, None), ("Z1211", 16, None),
                   ("K4090", 8, None), ("K635", 8, None)],
    "radiology": [("R079", 10, None), ("R0602", 8, None), ("R109", 10, None), ("M5450", 10, None),
                  ("R519", 8, None), ("M25561", 6, None), ("M25562", 6, None), ("Z1231", 20, "F"),
                  ("R918", 8, None), ("N200", 6, None), ("K8020", 6, None)],
    "neurology": [("G40909", 14, None), ("G43909", 18, None), ("G5601", 8, None), ("G5602", 8, None),
                  ("G629", 10, None), ("G459", 6, None), ("R569", 6, None), ("G4700", 8, None),
                  ("I639", 6, None), ("M5416", 8, None)],
    "hospital_medicine": [("A419", 20, None), ("J189", 18, None), ("N390", 12, None), ("J441", 12, None),
                          ("L03115", 6, None), ("L03116", 6, None), ("K922", 8, None), ("I110", 12, None),
                          ("R55", 6, None)],
    "general_surgery": [("K4090", 14, None), ("K8020", 14, None), ("Z1211", 18, None), ("K635", 12, None),
                        ("D125", 8, None), ("L720", 8, None), ("N6311", 6, "F"), ("K3580", 6, None),
                        ("K8000", 6, None)],
    "obstetrics": [("Z3401", 14, "F"), ("Z3482", 20, "F"), ("O24419", 8, "F"), ("O80", 10, "F"),
                   ("O99824", 6, "F"), ("O480", 6, "F"), ("O34211", 6, "F")],
}

# Secondary diagnoses: one code per category in an encounter. (variants [(code, weight)],
# category weight, probability that POA is N on an inpatient stay). Specialty lists are
# added to the general list; a category that a specialty uses for its principal or
# first-listed diagnoses is left out of that specialty's secondaries automatically.
Secondary = tuple[list[tuple[str, float]], float, float]

GENERAL_SECONDARY: list[Secondary] = [
    ([("I10", 1)], 30, 0.0),
    ([("E119", 3), ("E1122", 1), ("E1165", 1)], 20, 0.0),
    ([("E785", 1)], 22, 0.0),
    ([("E039", 1)], 8, 0.0),
    ([("K219", 1)], 12, 0.0),
    ([("J449", 1)], 10, 0.0),
    ([("N1830", 2), ("N184", 1)], 10, 0.0),
    ([("F329", 1)], 8, 0.0),
    ([("F419", 1)], 8, 0.0),
    ([("G4733", 1)], 6, 0.0),
    ([("E6601", 1)], 5, 0.0),
    ([("Z6841", 1)], 4, 0.0),
    ([("Z87891", 1)], 14, 0.0),
    ([("F17210", 1)], 8, 0.0),
    ([("Z794", 1)], 6, 0.0),
    ([("Z7901", 1)], 7, 0.0),
    ([("Z7982", 1)], 9, 0.0),
    ([("D649", 1)], 8, 0.0),
    ([("E871", 1), ("E876", 1)], 15, 0.18),
    ([("N179", 1)], 8, 0.2),
    ([("D62", 1)], 4, 0.4),
    ([("J9601", 1)], 4, 0.15),
    ([("I5022", 2), ("I5023", 2), ("I5032", 1), ("I5033", 1)], 9, 0.0),
    ([("M810", 1)], 5, 0.0),
    ([("E860", 1)], 6, 0.1),
    ([("I959", 1)], 3, 0.3),
]

SPECIALTY_SECONDARY: dict[str, list[Secondary]] = {
    "cardiology": [([("I2510", 1)], 14, 0.0), ([("Z955", 2), ("Z951", 1)], 12, 0.0)],
    "oncology": [([("D6481", 1)], 10, 0.1), ([("R5383", 1)], 8, 0.0), ([("D701", 1)], 5, 0.4)],
    "orthopedics": [([("W19XXXA", 1)], 12, 0.0), ([("Y92009", 1)], 8, 0.0), ([("M79604", 1)], 3, 0.0)],
    "emergency_medicine": [([("R52", 1)], 6, 0.0)],
    "obstetrics": [([("Z370", 1)], 40, 0.0), ([("Z3A39", 2), ("Z3A40", 2)], 40, 0.0),
                   ([("O24410", 1)], 6, 0.0), ([("O99824", 1)], 10, 0.0)],
}
# Obstetric encounters take only their own secondaries (an adult comorbidity list makes no
# sense on a delivery; the obstetric chapter has its own codes for them).
NO_GENERAL_SECONDARY = frozenset({"obstetrics"})


def secondary_pool(specialty: str, inpatient: bool) -> list[Secondary]:
    """The secondary diagnoses a specialty's encounters draw from: one entry per category, none
    in a category the specialty uses for its principal or first-listed diagnoses."""
    own = SPECIALTY_SECONDARY.get(specialty, [])
    own_cats = {category(v[0][0][0]) for v in [own_entry for own_entry in own]}
    pool = [] if specialty in NO_GENERAL_SECONDARY else [p for p in GENERAL_SECONDARY if category(p[0][0][0]) not in own_cats]
    pool += own
    used = {category(e[0]) for e in FIRST_LISTED.get(specialty, [])}
    if inpatient:
        used |= {category(e[0]) for e in INPATIENT_PRINCIPAL.get(specialty, [])}
    return [p for p in pool if category(p[0][0][0]) not in used]

# A diagnosis the coder picked from the wrong category (symptom instead of the definitive
# diagnosis, a look-alike category), and unsupported diagnoses a coder adds (many are the
# CC/MCC that over-coding reaches for). Disjoint from every category above.
WRONG_CATEGORY_DX = ["R0600", "R42", "R6889", "R5381", "M79605", "R7989", "R0902"]
UNSUPPORTED_DX = ["E43", "G9341", "E440", "R6520", "N170", "J690", "D696", "R4182", "R739"]

# ---------------------------------------------------------------------------------------
# Procedures
# ---------------------------------------------------------------------------------------
# A procedure the auditor would have coded instead (procedure changed).
PCS_ALTERNATIVES: dict[str, list[str]] = {
    "027034Z": ["027134Z"], "02703DZ": ["027034Z"], "4A023N7": ["4A023N6"], "0JH606Z": ["0JH604Z"],
    "0SR9019": ["0SR901A"], "0SR901A": ["0SR9019"], "0SRB019": ["0SRB01A"], "0SRB01A": ["0SRB019"],
    "0SRC0J9": ["0SRC0JZ"], "0SRD0J9": ["0SRD0JZ"], "0DTJ4ZZ": ["0DTJ0ZZ"], "0FT44ZZ": ["0FT40ZZ"],
    "0DB80ZZ": ["0DB84ZZ"], "10D00Z1": ["10D00Z0"], "5A1945Z": ["5A1955Z", "5A1935Z"],
    "5A1935Z": ["5A1945Z"], "30233N1": ["30243N1"], "0DJ08ZZ": ["0DJD8ZZ"], "3E04305": ["3E03305"],
    "3E03305": ["3E04305"], "0HTT0ZZ": ["0HTU0ZZ"], "0HTU0ZZ": ["0HTT0ZZ"], "0DTN0ZZ": ["0DTN4ZZ"],
    "0J9C0ZZ": ["0J9C00Z"], "0KQM0ZZ": ["0KQN0ZZ"], "0QS604Z": ["0QS634Z"], "0QS704Z": ["0QS734Z"],
    "0QS634Z": ["0QS604Z"], "0QS734Z": ["0QS704Z"],
}
# Unsupported inpatient procedures a coder adds (procedure deleted by the auditor).
EXTRA_PCS = ["4A02X4Z", "3E0234Z", "BW03ZZZ", "02HV33Z", "0W9930Z"]

# A professional or facility service line: (system, code, modifier choices, units low, high).
Line = tuple[str, str, tuple[str, ...], int, int]


def L(code: str, mods: tuple[str, ...] = ("",), lo: int = 1, hi: int = 1) -> Line:  # noqa: N802
    system = "HCPCS" if code[0].isalpha() else "CPT"
    return (system, code, mods, lo, hi)


SIDE = ("RT", "LT")
PC26 = ("26",)

# Service bundles per (specialty, encounter type): [(lines, weight)]. E/M lines are added
# separately (EM_PROFILE) and never appear in a bundle.
SERVICES: dict[tuple[str, str], list[tuple[tuple[Line, ...], float]]] = {
    ("cardiology", "outpatient"): [((L("93306"),), 30), ((L("93458"), L("93005")), 10),
                                   ((L("92928", ("RC", "LD", "LC")), L("C1874")), 6),
                                   ((L("93350"), L("93017")), 8), ((L("G0463"),), 30), ((L("93880"),), 6)],
    ("cardiology", "profee"): [((L("93010"),), 30), ((L("93306", PC26),), 20), ((L("93458", PC26),), 8),
                               ((L("92928", ("RC", "LD", "LC")),), 6), ((L("93016"), L("93018")), 8)],
    ("oncology", "outpatient"): [((L("96413"), L("96415", lo=1, hi=3), L("J9045", lo=6, hi=16)), 18),
                                 ((L("96413"), L("J9271", lo=100, hi=400)), 16),
                                 ((L("96413"), L("96417"), L("J9267", lo=100, hi=300)), 10),
                                 ((L("96375"), L("J2405", lo=8, hi=16)), 16),
                                 ((L("96372"), L("J1442", lo=300, hi=480)), 8),
                                 ((L("96365"), L("96366", lo=1, hi=2), L("J0897", lo=60, hi=120)), 6),
                                 ((L("G0463"),), 20)],
    ("oncology", "profee"): [((L("96413"), L("J9271", lo=100, hi=400)), 10), ((L("96375"), L("J1100", lo=10, hi=20)), 6),
                             ((L("38222"),), 3)],
    ("orthopedics", "outpatient"): [((L("29881", SIDE),), 20), ((L("29888", SIDE),), 8), ((L("27447", SIDE),), 10),
                                    ((L("20610", SIDE), L("J3301", lo=4, hi=8)), 18), ((L("73562", SIDE),), 14),
                                    ((L("25607", SIDE),), 6), ((L("G0463"),), 24)],
    ("orthopedics", "profee"): [((L("20610", SIDE), L("J3301", lo=4, hi=8)), 20), ((L("27130", SIDE),), 8),
                                ((L("27447", SIDE),), 10), ((L("29881", SIDE),), 10), ((L("27236", SIDE),), 5),
                                ((L("25607", SIDE),), 5), ((L("73562", ("26",)),), 8)],
    ("emergency_medicine", "ed"): [((L("71046"),), 24), ((L("70450"),), 12), ((L("74177"), L("Q9967", lo=75, hi=125)), 10),
                                   ((L("96374"), L("J2405", lo=4, hi=8)), 16), ((L("12001"),), 8), ((L("12002"),), 4),
                                   ((L("81003"),), 12), ((L("93005"),), 14), ((L("96360"), L("96361", lo=1, hi=3)), 8),
                                   ((L("73610", SIDE),), 6)],
    ("emergency_medicine", "profee"): [((L("93010"),), 20), ((L("12001"),), 10), ((L("12002"),), 5),
                                       ((L("31500"),), 2), ((L("10060"),), 5)],
    ("behavioral_health", "outpatient"): [((L("90834"),), 30), ((L("90837"),), 24), ((L("90832"),), 10),
                                          ((L("90853"),), 14), ((L("90847"),), 10), ((L("90791"),), 12)],
    ("behavioral_health", "profee"): [((L("90834"),), 26), ((L("90837"),), 22), ((L("90832"),), 10),
                                      ((L("90791"),), 12), ((L("90792"),), 8), ((L("90839"), L("90840", lo=1, hi=2)), 4),
                                      ((L("90847"),), 8)],
    ("anesthesia", "profee"): [((L("01402", ("AA", "QK", "QX"), 60, 180),), 14),
                               ((L("01214", ("AA", "QK", "QX"), 90, 200),), 10),
                               ((L("00790", ("AA", "QK", "QX"), 45, 150),), 12),
                               ((L("00142", ("AA", "QK", "QX"), 15, 45),), 18),
                               ((L("00811", ("AA", "QK", "QX"), 15, 45),), 22),
                               ((L("00832", ("AA", "QK", "QX"), 30, 120),), 8),
                               ((L("01967", ("AA", "QK", "QX"), 120, 600),), 10)],
    ("radiology", "outpatient"): [((L("71046"),), 18), ((L("71250"),), 8), ((L("74177"), L("Q9967", lo=75, hi=125)), 12),
                                  ((L("70450"),), 10), ((L("70551"),), 6), ((L("70553"), L("A9579", lo=10, hi=20)), 4),
                                  ((L("72148"),), 8), ((L("77067"),), 14), ((L("76700"),), 8),
                                  ((L("73721", SIDE),), 6)],
    ("radiology", "profee"): [((L("71046", PC26),), 20), ((L("71250", PC26),), 8), ((L("74177", PC26),), 12),
                              ((L("70450", PC26),), 10), ((L("70551", PC26),), 6), ((L("72148", PC26),), 8),
                              ((L("77067", PC26),), 14), ((L("76700", PC26),), 8), ((L("73721", ("26",)),), 6)],
    ("neurology", "outpatient"): [((L("95810"),), 14), ((L("95819"),), 14), ((L("95886"), L("95910")), 10),
                                  ((L("95816"),), 8), ((L("64615"), L("J0585", lo=155, hi=200)), 8), ((L("G0463"),), 30)],
    ("neurology", "profee"): [((L("95810", PC26),), 8), ((L("95819", PC26),), 8), ((L("95886"), L("95910")), 12),
                              ((L("64615"), L("J0585", lo=155, hi=200)), 8)],
    ("general_surgery", "outpatient"): [((L("47562"),), 16), ((L("49505", SIDE),), 14), ((L("43239"),), 12),
                                        ((L("45378"),), 12), ((L("45380"),), 10), ((L("45385"),), 8),
                                        ((L("11042"),), 6), ((L("19120", SIDE),), 6), ((L("G0463"),), 16)],
    ("general_surgery", "profee"): [((L("47562"),), 14), ((L("44970"),), 10), ((L("49505", SIDE),), 12),
                                    ((L("43239"),), 10), ((L("45378"),), 12), ((L("45380"),), 10),
                                    ((L("11042"),), 6), ((L("19120", SIDE),), 5)],
    ("obstetrics", "outpatient"): [((L("76805"),), 18), ((L("76815"),), 12), ((L("59025"),), 14),
                                   ((L("76817"),), 8), ((L("G0463"),), 30)],
    ("obstetrics", "profee"): [((L("59400"),), 20), ((L("59510"),), 10), ((L("59409"),), 8),
                               ((L("59514"),), 4), ((L("59025"),), 10), ((L("76805", PC26),), 8)],
    ("hospital_medicine", "profee"): [((L("93010"),), 4)],
}

# A procedure the auditor would have coded instead of the coder's (procedure changed).
CPT_ALTERNATIVES: dict[str, list[str]] = {
    "93306": ["93307", "93308"], "93458": ["93454", "93459"], "92928": ["92920"], "93350": ["93351"],
    "93880": ["93882"], "96413": ["96409"], "96365": ["96374"], "29881": ["29880"], "29888": ["29882"],
    "20610": ["20611"], "73562": ["73560", "73564"], "25607": ["25608"], "27236": ["27235"],
    "71046": ["71045"], "70450": ["70460"], "74177": ["74176", "74178"], "12001": ["12002"],
    "12002": ["12004"], "96374": ["96375"], "73610": ["73600"], "90834": ["90832"], "90837": ["90834"],
    "90791": ["90792"], "90792": ["90791"], "71250": ["71260"], "70551": ["70553"], "72148": ["72149"],
    "77067": ["77066"], "76700": ["76705"], "73721": ["73722"], "95810": ["95811"], "95819": ["95816"],
    "95816": ["95819"], "95910": ["95911"], "47562": ["47563"], "43239": ["43235"], "45380": ["45385"],
    "45385": ["45380"], "45378": ["45380"], "11042": ["11043"], "19120": ["19125"], "44970": ["44950"],
    "49505": ["49507"], "59400": ["59409"], "59510": ["59514"], "59409": ["59400"], "76805": ["76801"],
    "76815": ["76816"], "76817": ["76830"], "10060": ["10061"], "01402": ["01400"], "00790": ["00797"],
    "00811": ["00812"], "01967": ["01968"], "27447": ["27446"], "27130": ["27132"], "G0463": ["G0463"],
}
# Unsupported services a coder adds (procedure deleted by the auditor): the unbundled extras.
EXTRA_CPT = ["36415", "94760", "99070", "85025", "80053", "82962"]

# E/M families, lowest to highest level.
EM_FAMILIES: dict[str, tuple[str, ...]] = {
    "office_new": ("99202", "99203", "99204", "99205"),
    "office_established": ("99212", "99213", "99214", "99215"),
    "ed": ("99281", "99282", "99283", "99284", "99285"),
    "hospital_initial": ("99221", "99222", "99223"),
    "hospital_subsequent": ("99231", "99232", "99233"),
    "discharge": ("99238", "99239"),
}
# Which E/M a (specialty, encounter type) carries: probability of an E/M line and
# [(family, weight, level weights)].
EM_PROFILE: dict[tuple[str, str], tuple[float, list[tuple[str, float, tuple[float, ...]]]]] = {
    ("emergency_medicine", "ed"): (1.0, [("ed", 1, (3, 10, 32, 35, 20))]),
    ("emergency_medicine", "profee"): (1.0, [("ed", 1, (3, 10, 30, 36, 21))]),
    ("hospital_medicine", "profee"): (1.0, [("hospital_initial", 25, (15, 35, 50)),
                                            ("hospital_subsequent", 60, (20, 55, 25)),
                                            ("discharge", 15, (60, 40))]),
}
for _s in ("cardiology", "oncology", "orthopedics", "neurology", "general_surgery", "obstetrics"):
    EM_PROFILE[(_s, "profee")] = (0.75, [("office_new", 20, (10, 45, 35, 10)),
                                         ("office_established", 80, (5, 40, 45, 10))])

# Share of encounters (by type) with 0, 1 or 2 service bundles.
BUNDLE_COUNTS: dict[str, tuple[float, float, float]] = {
    "outpatient": (0.0, 0.55, 0.45),
    "ed": (0.10, 0.45, 0.45),
    "profee": (0.30, 0.55, 0.15),
}
# Specialties whose professional claims always carry a service (no visit-only claim).
SERVICE_ONLY = frozenset({"anesthesia", "radiology", "behavioral_health"})

# Modifier changes: what a coder writes instead of the right modifier.
MODIFIER_SWAPS = {"RT": "LT", "LT": "RT", "26": "TC", "TC": "26", "25": "59", "59": "XU", "XU": "59",
                  "AA": "QK", "QK": "QX", "QX": "QK", "RC": "LD", "LD": "LC", "LC": "RC"}
# Modifiers a coder adds without support (the auditor deletes them).
SPURIOUS_MODIFIERS = {"em": "25", "other": "59"}

# ---------------------------------------------------------------------------------------


def em_codes() -> dict[str, tuple[str, int]]:
    """E/M code -> (family, level index)."""
    return {code: (fam, i) for fam, codes in EM_FAMILIES.items() for i, code in enumerate(codes)}


def category(code: str) -> str:
    return code[:3]


@dataclass
class DxVariants:
    specificity: list[str] = field(default_factory=list)
    unspecified: list[str] = field(default_factory=list)  # the specificity entries titled "unspecified"
    laterality: list[str] = field(default_factory=list)
    seventh: list[str] = field(default_factory=list)


def _with_dot(code: str) -> str:
    return code if len(code) <= 3 else code[:3] + "." + code[3:]


def derive_dx_variants(codes: list[str], valid) -> dict[str, DxVariants]:
    """Near misses of each diagnosis from the ICD-10-CM tabular list, kept if `valid(code)`.

    specificity: the other leaves under the same parent, plus the category's own
    unspecified code (a less specific code in the same category); laterality: a sibling
    whose title differs only by right/left; seventh: the same code with another A/D/S
    7th character (initial, subsequent, sequela).
    """
    import simple_icd_10_cm as cm  # 1.5 s import: only when a catalog is built

    def leaf_children(node: str) -> list[str]:
        return [cm.remove_dot(c) for c in cm.get_children(node) if cm.is_leaf(c)]

    def title(code: str) -> str:
        return cm.get_description(code).lower()

    out: dict[str, DxVariants] = {}
    for code in sorted(set(codes)):
        variants = DxVariants()
        if len(code) == 3:  # a category with no subdivisions has no sibling in its category
            out[code] = variants
            continue
        parent = cm.remove_dot(cm.get_parent(code))
        siblings: list[str] = []
        extension = len(code) == 7 and code[:6].rstrip("X") == parent
        if extension:
            variants.seventh = [c for c in leaf_children(parent) if c != code and c[6] in "ADS"
                                and code[6] in "ADS" and valid(c)]
            grand = cm.get_parent(parent) if len(parent) > 3 else None  # no siblings outside the category
            for other in cm.get_children(grand) if grand else []:
                other = cm.remove_dot(other)
                candidate = other.ljust(6, "X") + code[6]
                if other != parent and cm.is_valid_item(candidate) and cm.is_leaf(candidate):
                    siblings.append(candidate)
        else:
            siblings = [c for c in leaf_children(parent) if c != code]
            if len(parent) > 3:
                siblings += [c for c in leaf_children(category(code))
                             if c != code and "unspecified" in title(c)]
        for other in sorted(set(siblings)):
            if not valid(other):
                continue
            if len(other) == len(code) and sum(a != b for a, b in zip(other, code, strict=True)) == 1:
                own, theirs = title(code), title(other)
                if ("right" in own and theirs == own.replace("right", "left")) or (
                    "left" in own and theirs == own.replace("left", "right")
                ):
                    variants.laterality.append(other)
                    continue
            variants.specificity.append(other)
        variants.specificity = variants.specificity[:8]
        variants.unspecified = [c for c in variants.specificity if "unspecified" in title(c)]
        out[code] = variants
    return out


FY_CHECK_DAYS = (dt.date(2025, 10, 1), dt.date(2026, 4, 1))
VARIANTS_FILE = "data/dx_variants.json"


def load_dx_variants(codes: list[str]) -> dict[str, DxVariants]:
    """The near misses shipped with the package (`python -m codingwatch.synth.catalog` rebuilds them).

    Deriving them walks the ICD-10-CM tabular list (about 20 s); the shipped file is what
    that derivation wrote, and a test keeps the two equal.
    """
    text = resources.files("codingwatch.synth").joinpath(VARIANTS_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    missing = sorted(set(codes) - set(data))
    if missing:
        raise ValueError(f"{VARIANTS_FILE} lacks {missing}: rebuild it with python -m codingwatch.synth.catalog")
    return {code: DxVariants(**data[code]) for code in codes}


def write_dx_variants() -> Path:
    """Rebuild the shipped near-miss file from the ICD-10-CM tabular list."""
    from codingwatch.codesets import CodeValidator

    with CodeValidator() as validator:
        variants = derive_dx_variants(
            sorted(_all_catalog_dx()), lambda c: all(validator.check("ICD10CM", c, d).ok for d in FY_CHECK_DAYS)
        )
    path = Path(str(resources.files("codingwatch.synth").joinpath(VARIANTS_FILE)))
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {code: asdict(v) for code, v in sorted(variants.items())}
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _all_catalog_dx() -> set[str]:
    all_dx: set[str] = set()
    for entries in INPATIENT_PRINCIPAL.values():
        all_dx.update(e[0] for e in entries)
    for entries in FIRST_LISTED.values():
        all_dx.update(e[0] for e in entries)
    for sec in GENERAL_SECONDARY + [s for v in SPECIALTY_SECONDARY.values() for s in v]:
        all_dx.update(c for c, _ in sec[0])
    return all_dx


def check_days(fiscal_year: int) -> tuple[dt.date, dt.date]:
    """The October release and the April update of a fiscal year: a code valid on both is
    valid on every day of the year."""
    return (dt.date(fiscal_year - 1, 10, 1), dt.date(fiscal_year, 4, 1))


@lru_cache(maxsize=4)
def build_catalog(fiscal_year: int = 2026) -> Catalog:
    """The catalog for a fiscal year; raises ValueError naming any curated code not valid all year."""
    days = check_days(fiscal_year)
    from codingwatch.codesets import CodeValidator

    with CodeValidator() as validator:

        def valid_all(system: str, code: str) -> bool:
            return all(validator.check(system, code, day).ok for day in days)

        return Catalog(valid_all)


class Catalog:
    """Interned code table plus the per-code attributes the vectorized generator needs."""

    def __init__(self, valid_all) -> None:
        self.codes: list[str] = []
        self.systems: list[str] = []
        self._index: dict[tuple[str, str], int] = {}
        self.bad: list[tuple[str, str]] = []
        self._valid_all = valid_all

        def intern(system: str, code: str) -> int:
            key = (system, code)
            hit = self._index.get(key)
            if hit is None:
                if system in ("ICD10CM", "ICD10PCS") and not valid_all(system, code):
                    self.bad.append(key)
                hit = len(self.codes)
                self._index[key] = hit
                self.codes.append(code)
                self.systems.append(system)
            return hit

        self.intern = intern
        all_dx = _all_catalog_dx()
        self.all_dx = sorted(all_dx)
        self.variants = load_dx_variants(self.all_dx)
        for v in self.variants.values():  # near misses derived for FY2026; keep those valid this year
            for name in ("specificity", "unspecified", "laterality", "seventh"):
                setattr(v, name, [c for c in getattr(v, name) if valid_all("ICD10CM", c)])
        for code in sorted(all_dx) + WRONG_CATEGORY_DX + UNSUPPORTED_DX:
            intern("ICD10CM", code)
        for var in self.variants.values():
            for c in var.specificity + var.laterality + var.seventh:
                intern("ICD10CM", c)
        for entries in INPATIENT_PRINCIPAL.values():
            for e in entries:
                for bundle, _ in e[3]:
                    for c in bundle:
                        intern("ICD10PCS", c)
        for code, alts in PCS_ALTERNATIVES.items():
            for c in [code, *alts]:
                intern("ICD10PCS", c)
        for c in EXTRA_PCS:
            intern("ICD10PCS", c)
        for bundles in SERVICES.values():
            for lines, _ in bundles:
                for system, code, *_ in lines:
                    intern(system, code)
        for code, alts in CPT_ALTERNATIVES.items():
            for c in [code, *alts]:
                intern("HCPCS" if c[0].isalpha() else "CPT", c)
        for c in EXTRA_CPT:
            intern("CPT", c)
        for codes in EM_FAMILIES.values():
            for c in codes:
                intern("CPT", c)
        if self.bad:
            listed = ", ".join(f"{s} {c}" for s, c in self.bad)
            raise ValueError(f"curated codes not valid on every day of the fiscal year: {listed}")
        self._finish()

    def idx(self, system: str, code: str) -> int:
        return self._index[(system, code)]

    def _finish(self) -> None:
        n = len(self.codes)
        self.system_arr = np.array(
            [("ICD10CM", "ICD10PCS", "CPT", "HCPCS").index(s) for s in self.systems], dtype=np.int8
        )
        self.code_arr = np.array(self.codes, dtype=object)
        # Near-miss tables (CSR) per kind.
        self.spec_off, self.spec_flat = self._csr({self.idx("ICD10CM", k): [self.idx("ICD10CM", c) for c in v.specificity]
                                                   for k, v in self.variants.items()}, n)
        self.lat_off, self.lat_flat = self._csr({self.idx("ICD10CM", k): [self.idx("ICD10CM", c) for c in v.laterality]
                                                 for k, v in self.variants.items()}, n)
        self.unspec_off, self.unspec_flat = self._csr({self.idx("ICD10CM", k): [self.idx("ICD10CM", c) for c in v.unspecified]
                                                       for k, v in self.variants.items()}, n)
        self.sev_off, self.sev_flat = self._csr({self.idx("ICD10CM", k): [self.idx("ICD10CM", c) for c in v.seventh]
                                                 for k, v in self.variants.items()}, n)
        alts: dict[int, list[int]] = {}
        for code, others in PCS_ALTERNATIVES.items():
            alts[self.idx("ICD10PCS", code)] = [self.idx("ICD10PCS", c) for c in others]
        for code, others in CPT_ALTERNATIVES.items():
            sys_ = "HCPCS" if code[0].isalpha() else "CPT"
            alts[self.idx(sys_, code)] = [self.idx("HCPCS" if c[0].isalpha() else "CPT", c) for c in others
                                          if c != code]
        self.alt_off, self.alt_flat = self._csr(alts, n)
        ems = em_codes()
        self.em_family = np.full(n, -1, dtype=np.int16)
        self.em_level = np.full(n, -1, dtype=np.int16)
        self.em_max = np.full(n, -1, dtype=np.int16)
        fams = list(EM_FAMILIES)
        self.em_code_at = {}  # (family, level) -> code index
        for code, (fam, lvl) in ems.items():
            i = self.idx("CPT", code)
            self.em_family[i] = fams.index(fam)
            self.em_level[i] = lvl
            self.em_max[i] = len(EM_FAMILIES[fam]) - 1
            self.em_code_at[(fams.index(fam), lvl)] = i
        # em_step[i, 0] = one level down, em_step[i, 1] = one level up (-1 when none).
        self.em_step = np.full((n, 2), -1, dtype=np.int32)
        for (f, lvl), i in self.em_code_at.items():
            self.em_step[i, 0] = self.em_code_at.get((f, lvl - 1), -1)
            self.em_step[i, 1] = self.em_code_at.get((f, lvl + 1), -1)
        self.is_z = np.array([s == "ICD10CM" and c.startswith("Z") for s, c in zip(self.systems, self.codes, strict=True)])
        self.wrong_dx = np.array([self.idx("ICD10CM", c) for c in WRONG_CATEGORY_DX], dtype=np.int32)
        self.unsupported_dx = np.array([self.idx("ICD10CM", c) for c in UNSUPPORTED_DX], dtype=np.int32)
        self.extra_pcs = np.array([self.idx("ICD10PCS", c) for c in EXTRA_PCS], dtype=np.int32)
        self.extra_cpt = np.array([self.idx("CPT", c) for c in EXTRA_CPT], dtype=np.int32)

    @staticmethod
    def _csr(mapping: dict[int, list[int]], n: int) -> tuple[np.ndarray, np.ndarray]:
        counts = np.zeros(n, dtype=np.int64)
        for k, v in mapping.items():
            counts[k] = len(v)
        off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=off[1:])
        flat = np.zeros(max(int(off[-1]), 1), dtype=np.int32)
        for k, v in mapping.items():
            flat[off[k]:off[k] + len(v)] = v
        return off, flat


if __name__ == "__main__":  # pragma: no cover
    print(write_dx_variants())
