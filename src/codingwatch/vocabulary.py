"""The words codingwatch's data uses, in one place: what each column may hold.

Two kinds of vocabulary:

- **Standards** (encounter types, code systems, sex, present-on-admission indicators) are
  closed: a value must be one of the canonical values below, but the usual spellings are
  accepted and normalized on load (`I` and `Inpatient` are `inpatient`, `ICD-10-CM` is
  `ICD10CM`, `y` is `Y`). See `standard()`.
- **The organization's own names** (specialties, facilities, payers) are open: any name with a
  letter or digit is accepted. Names are matched ignoring case, spaces, underscores and
  punctuation (`Hospital Medicine` = `hospital_medicine` = `HOSPITAL-MEDICINE`), and an
  optional mapping (`Vocabulary`) turns the source systems' names into the organization's
  canonical names. A name the vocabulary does not know is loaded and reported, never refused.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from codingwatch.errors import CodingwatchError

ENCOUNTER_TYPES = ("inpatient", "outpatient", "ed", "profee")
CODE_SYSTEMS = ("ICD10CM", "ICD10PCS", "CPT", "HCPCS")
SEXES = ("M", "F", "U")
# Present-on-admission indicators; "1" is the exempt indicator (blank on the 837 in 5010).
POA_VALUES = ("Y", "N", "U", "W", "1")
PRIORITIES = ("standard", "complex", "urgent")  # of a chart's coding (turnaround SLAs)
DELIVERY_MODELS = ("in-house", "onshore", "offshore", "hybrid")

# The specialties that carry the most coding risk (seed 003) plus a realistic inpatient mix:
# the default vocabulary (what the synthetic health system uses), not a closed list.
SPECIALTIES = (
    "cardiology",
    "oncology",
    "orthopedics",
    "emergency_medicine",
    "behavioral_health",
    "anesthesia",
    "radiology",
    "neurology",
    "hospital_medicine",
    "general_surgery",
    "obstetrics",
)

ACCESS_EVENTS = ("login", "logout", "view", "edit", "export", "print", "download", "query")
CREDENTIALS = ("CPC", "COC", "CCS", "CCS-P", "RHIT", "RHIA")

# ---- standards: canonical value -> the spellings accepted for it ---------------------------
# A spelling is compared after `spelling_key` (upper case, only letters and digits), so
# `ICD-10-CM`, `icd10cm` and `ICD 10 CM` are one spelling.

SPELLINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "encounter_type": {
        "inpatient": ("INPATIENT", "I", "IP", "INP"),
        "outpatient": ("OUTPATIENT", "O", "OP", "OUTP"),
        "ed": ("ED", "E", "ER", "EMERGENCY", "EMERGENCYDEPARTMENT"),
        "profee": ("PROFEE", "P", "PF", "PRO", "PROFESSIONAL", "PROFESSIONALFEE"),
    },
    "code_system": {
        "ICD10CM": ("ICD10CM", "ICD10", "I10", "ICD10DX"),
        "ICD10PCS": ("ICD10PCS", "PCS", "ICD10PX"),
        "CPT": ("CPT", "CPT4"),
        "HCPCS": ("HCPCS", "HCPCS2", "HCPCSII", "HCPCSLEVELII"),
    },
    "sex": {
        "M": ("M", "MALE"),
        "F": ("F", "FEMALE"),
        "U": ("U", "UNKNOWN"),
    },
    "priority": {
        "standard": ("STANDARD", "S", "STD", "ROUTINE", "NORMAL"),
        "complex": ("COMPLEX", "C", "CX"),
        "urgent": ("URGENT", "U", "STAT", "RUSH", "EXPEDITED"),
    },
    "poa": {
        "Y": ("Y", "YES"),
        "N": ("N", "NO"),
        "U": ("U", "UNKNOWN"),
        "W": ("W",),
        "1": ("1", "EXEMPT"),
    },
}

_NOT_ALNUM_UPPER = re.compile(r"[^A-Z0-9]")


def spelling_key(text: str) -> str:
    """How a spelling of a standard value is compared: upper case, letters and digits only."""
    return _NOT_ALNUM_UPPER.sub("", (text or "").strip().upper())


def spelling_table(kind: str) -> dict[str, str]:
    """{spelling key: canonical value} for one standard (encounter_type, code_system, sex, poa)."""
    return {spelling: canonical for canonical, spellings in SPELLINGS[kind].items() for spelling in spellings}


def standard(kind: str, text: str) -> str | None:
    """The canonical value of a standard's spelling, or None when it is not one."""
    return spelling_table(kind).get(spelling_key(text))


# ---- the organization's own names ------------------------------------------------------------

OPEN_KINDS = ("specialty", "facility", "payer")

# Letters and digits of any script; every run of anything else is one separator.
_SEPARATORS = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """How the organization's names are matched: lower case, every run of spaces, underscores and
    punctuation one `_`, none at the ends (`Hospital Medicine` -> `hospital_medicine`)."""
    return _SEPARATORS.sub("_", (text or "").strip().lower()).strip("_")


class VocabularyError(CodingwatchError, ValueError):
    """A mapping file that cannot be used; the message names file, line, field and reason."""


@dataclass
class Vocabulary:
    """The organization's names: source names mapped to canonical names, and names known as they are.

    `canonical(kind, name)` is what is stored and what contracts, strata and KPIs are keyed by:
    the mapping's canonical name when the source name is mapped; else the known name it matches
    (`HOSPITAL MEDICINE` -> `hospital_medicine`); else, for specialties, the name's key
    (`name_key`) and, for facilities and payers (identifiers), the name as written.
    """

    mapping: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> {source key: canonical}
    known: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> {key: canonical}

    def __post_init__(self) -> None:
        self.known.setdefault("specialty", {})
        for name in SPECIALTIES:
            self.known["specialty"].setdefault(name_key(name), name)
        for kind, pairs in self.mapping.items():
            for canonical in pairs.values():
                self.known.setdefault(kind, {}).setdefault(name_key(canonical), canonical)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str]], known: Iterable[tuple[str, str]] = ()) -> Vocabulary:
        """From (kind, source name, canonical name) rows and (kind, canonical name) known names."""
        vocabulary = cls()
        for kind, name in known:
            vocabulary.add_known(kind, name)
        for kind, source, canonical in rows:
            vocabulary.add(kind, source, canonical)
        return vocabulary

    @classmethod
    def from_file(cls, path: Path | str) -> Vocabulary:
        """A mapping file: CSV with the header `kind,source,canonical` (see docs/ingest.md)."""
        return cls.from_rows(read_mapping_file(path))

    def add(self, kind: str, source: str, canonical: str) -> None:
        canonical = canonical.strip()
        self.mapping.setdefault(kind, {})[name_key(source)] = canonical
        self.known.setdefault(kind, {})[name_key(canonical)] = canonical

    def add_known(self, kind: str, name: str) -> None:
        if name_key(name):
            self.known.setdefault(kind, {}).setdefault(name_key(name), name.strip())

    def canonical(self, kind: str, name: str | None) -> str | None:
        if name is None or not name.strip():
            return None
        key = name_key(name)
        mapped = self.mapping.get(kind, {}).get(key)
        if mapped is not None:
            return mapped
        known = self.known.get(kind, {}).get(key)
        if known is not None:
            return known
        return key if kind == "specialty" else name.strip()

    def is_known(self, kind: str, name: str) -> bool:
        key = name_key(name)
        return key in self.mapping.get(kind, {}) or key in self.known.get(kind, {})

    def rows(self) -> list[tuple[str, str, str]]:
        """(kind, source key, canonical) of every mapping, sorted."""
        return sorted((kind, key, canonical) for kind, pairs in self.mapping.items() for key, canonical in pairs.items())


def read_mapping_file(path: Path | str) -> list[tuple[str, str, str]]:
    """The rows of a mapping file (`kind,source,canonical`); refuses the file whole on any bad row."""
    path = Path(path)
    if not path.is_file():
        raise VocabularyError(f"{path}: no such file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in ("kind", "source", "canonical") if c not in header]
            if missing:
                raise VocabularyError(f"{path.name}: line 1: missing column(s) {', '.join(missing)}; "
                                      "expected the header kind,source,canonical")
            rows, problems, seen = [], [], {}
            for line, row in enumerate(reader, 2):
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                kind, source, canonical = row["kind"].lower(), row["source"], row["canonical"]
                if kind not in OPEN_KINDS:
                    problems.append(f"{path.name}: line {line}, field kind: {row['kind']!r} must be one of "
                                    f"{', '.join(OPEN_KINDS)}")
                elif not name_key(source):
                    problems.append(f"{path.name}: line {line}, field source: needs a letter or digit")
                elif not name_key(canonical):
                    problems.append(f"{path.name}: line {line}, field canonical: needs a letter or digit")
                elif seen.get((kind, name_key(source)), (canonical, 0))[0] != canonical:
                    first_canonical, first_line = seen[(kind, name_key(source))]
                    problems.append(f"{path.name}: line {line}, field source: {source!r} is mapped to "
                                    f"{first_canonical!r} on line {first_line} and to {canonical!r} here")
                else:
                    seen.setdefault((kind, name_key(source)), (canonical, line))
                    rows.append((kind, source, canonical))
    except UnicodeDecodeError:
        raise VocabularyError(f"{path.name}: not UTF-8 text; save the file as UTF-8 CSV") from None
    except csv.Error as exc:
        raise VocabularyError(f"{path.name}: cannot be read as CSV ({exc})") from None
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise VocabularyError(problems[0] + more)
    return rows
