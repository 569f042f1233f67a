"""Database rows to the audit engine's types and back: a case's encounter, its code lines, a finding's signature.

Shared by the review (which compares) and the scores (which report); neither imports the other.
"""

from __future__ import annotations

from decimal import Decimal

from codingwatch.audit import CodeLine, Encounter
from codingwatch.audit import Finding as EngineFinding
from codingwatch.web.audits.models import AuditCase, finding_signature


def encounter_of(case: AuditCase) -> Encounter:
    return Encounter(
        encounter_id=f"case-{case.number}", encounter_type=case.encounter_type, specialty=case.specialty,
        facility=case.facility, coder_id=case.coder_id, vendor=case.vendor_code, admit_date=case.admit_date,
        discharge_date=case.discharge_date, service_date=case.service_date, sex=case.sex, age=case.age,
        discharge_status=case.discharge_status,
    )


def to_code_lines(lines: list[dict]) -> tuple[CodeLine, ...]:
    return tuple(
        CodeLine(line["code_system"], line["code"], int(line["sequence"]), line.get("poa", ""),
                 tuple(line.get("modifiers") or ()), Decimal(str(line.get("units") or "1")))
        for line in lines
    )


def signature_of(finding: EngineFinding) -> str:
    """The signature of an engine finding, the same as the stored Finding row's `signature`."""
    return finding_signature(finding.kind.value, finding.code_system, finding.coded, finding.audited)
