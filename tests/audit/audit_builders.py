"""Builders for audit tests (imported by the tests as `audit_builders`): encounters, code lines and files in the ingest encounters layout."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from codingwatch.audit import Case, CodeLine, Encounter
from codingwatch.audit.reader import COLUMNS

DISCHARGE = dt.date(2026, 2, 10)  # FY2026, MS-DRG v430


def inpatient(eid: str = "E1", *, specialty: str = "cardiology", coder: str = "C1", status: int = 1,
              age: int = 72, sex: str = "F", day: dt.date = DISCHARGE) -> Encounter:
    return Encounter(eid, "inpatient", specialty, facility="north", coder_id=coder, vendor="acme",
                     admit_date=day - dt.timedelta(days=3), discharge_date=day, sex=sex, age=age,
                     discharge_status=status)


def outpatient(eid: str = "O1", *, encounter_type: str = "outpatient", specialty: str = "radiology",
               coder: str = "C2", day: dt.date = DISCHARGE) -> Encounter:
    return Encounter(eid, encounter_type, specialty, facility="north", coder_id=coder, vendor="acme",
                     service_date=day, sex="M", age=50)


def dx(*codes: str, poa: str = "Y") -> tuple[CodeLine, ...]:
    """Diagnoses in sequence order (the first is the principal); 'CODE:N' sets a POA."""
    out = []
    for i, spec in enumerate(codes, 1):
        code, _, own_poa = spec.partition(":")
        out.append(CodeLine("ICD10CM", code, i, own_poa or poa))
    return tuple(out)


def px(*codes: str, system: str = "ICD10PCS") -> tuple[CodeLine, ...]:
    """Procedures; for CPT 'CODE-MOD;MOD*UNITS' sets modifiers and units."""
    from decimal import Decimal

    out = []
    for i, spec in enumerate(codes, 1):
        spec, _, units = spec.partition("*")
        code, _, mods = spec.partition("-")
        out.append(CodeLine(system, code, i, "", tuple(mods.split(";")) if mods else (),
                            Decimal(units or 1)))
    return tuple(out)


def cpt(*codes: str) -> tuple[CodeLine, ...]:
    return px(*codes, system="CPT")


def rows_of(encounter: Encounter, lines: tuple[CodeLine, ...], *, status: int | None = None) -> list[dict]:
    rows = []
    for line in lines:
        rows.append({
            "encounter_id": encounter.encounter_id,
            "facility": encounter.facility,
            "encounter_type": encounter.encounter_type,
            "specialty": encounter.specialty,
            "admit_date": encounter.admit_date.isoformat() if encounter.admit_date else "",
            "discharge_date": encounter.discharge_date.isoformat() if encounter.discharge_date else "",
            "service_date": encounter.service_date.isoformat() if encounter.service_date else "",
            "sex": encounter.sex,
            "age": str(encounter.age),
            "discharge_status": "" if encounter.discharge_status is None else
            f"{status if status is not None else encounter.discharge_status:02d}",
            "coder_id": encounter.coder_id,
            "vendor": encounter.vendor,
            "received_at": "2026-02-11T09:00:00+00:00",
            "coded_at": "2026-02-12T09:00:00+00:00",
            "code_system": line.code_system,
            "code": line.code,
            "sequence": str(line.sequence),
            "poa": line.poa,
            "modifiers": ";".join(line.modifiers),
            "units": str(line.units),
            "drg": "",
        })
    return rows


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_cases(tmp_path: Path, cases: list[Case]) -> tuple[Path, Path]:
    coded, audited = [], []
    for case in cases:
        coded += rows_of(case.encounter, case.coded)
        audited += rows_of(case.encounter, case.audited, status=case.audited_discharge_status)
    return write_csv(tmp_path / "coded.csv", coded), write_csv(tmp_path / "audited.csv", audited)
