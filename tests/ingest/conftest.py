from __future__ import annotations

import csv
from pathlib import Path

import pytest

from codingwatch.ingest.encounters import COLUMNS

BASE = {
    "facility": "F1",
    "specialty": "cardiology",
    "sex": "M",
    "age": "70",
    "coder_id": "c1",
    "vendor": "Acme Coding",
    "received_at": "2026-01-05T10:00:00+00:00",
    "coded_at": "2026-01-07T10:00:00+00:00",
    "poa": "",
    "modifiers": "",
    "units": "",
    "drg": "",
}


def inpatient(encounter_id: str, codes: list[tuple[str, str, str]], **over) -> list[dict]:
    """Rows of one inpatient encounter: codes are (system, code, poa), sequence numbered per system."""
    rows, seq = [], {}
    for system, code, poa in codes:
        seq[system] = seq.get(system, 0) + 1
        rows.append({**BASE, "encounter_id": encounter_id, "encounter_type": "inpatient",
                     "admit_date": "2026-01-02", "discharge_date": "2026-01-05", "service_date": "",
                     "discharge_status": "01", "code_system": system, "code": code,
                     "sequence": str(seq[system]), "poa": poa, **over})
    return rows


def outpatient(encounter_id: str, codes: list[tuple[str, str]], **over) -> list[dict]:
    rows, seq = [], {}
    for system, code in codes:
        seq[system] = seq.get(system, 0) + 1
        rows.append({**BASE, "encounter_id": encounter_id, "encounter_type": "outpatient",
                     "specialty": "radiology", "admit_date": "", "discharge_date": "",
                     "service_date": "2026-02-01", "discharge_status": "", "code_system": system,
                     "code": code, "sequence": str(seq[system]), **over})
    return rows


def write_csv(path: Path, rows: list[dict], columns: tuple[str, ...] = COLUMNS) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


@pytest.fixture
def heart_failure_rows():
    # I50.21 acute systolic heart failure + N17.9 acute kidney failure (a CC): MS-DRG 292.
    return inpatient("ENC-1", [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "N17.9", "Y")])


@pytest.fixture
def chest_xray_rows():
    return outpatient("ENC-2", [("ICD10CM", "R07.9"), ("CPT", "71046")])
