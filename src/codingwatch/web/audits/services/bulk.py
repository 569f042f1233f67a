"""Bulk import: as-audited lines from another encoder, in the `ingest encounters` layout.

The file is read and checked by the audit engine's reader (every problem names file, line,
field and reason). Its encounter ids are keyed with the lake's HMAC and matched to the audit's
cases by encounter key; an encounter that is not one of the audit's cases is refused, naming
its line, and nothing is imported unless everything matches.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from codingwatch.audit.reader import EncounterFileError, read_encounters
from codingwatch.lake.keys import source_keys
from codingwatch.web.audits.models import DRAFT, Audit
from codingwatch.web.audits.services import review
from codingwatch.web.audits.services.events import WorkflowError
from codingwatch.web.organizations.vocabulary import load_vocabulary


class BulkImportError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems[0] if problems else "import failed")


def _line(line) -> dict:
    return {"code_system": line.code_system, "code": line.code, "sequence": int(line.sequence), "poa": line.poa or "",
            "modifiers": list(line.modifiers), "units": str(line.units.normalize())}


def import_audited(audit: Audit, user, path: Path, *, display_name: str | None = None) -> int:
    if audit.state != DRAFT:
        raise WorkflowError("as-audited lines can only be imported while the audit is a draft")
    name = display_name or Path(path).name
    try:
        audited = read_encounters(path, review.validator(), load_vocabulary(audit.vendor.organization))
    except EncounterFileError as exc:
        raise BulkImportError([p.replace(str(path), name) for p in exc.problems]) from None
    ids = list(audited)
    cases = {c.encounter_key: c for c in audit.cases.select_related("audit")}
    problems, matched = [], []
    for eid, key in zip(ids, source_keys(ids), strict=True):
        case = cases.get(key)
        if case is None:
            problems.append(f"{name} line {audited[eid].line_number}, field encounter_id: encounter {eid!r} "
                            "is not one of this audit's cases")
            continue
        found = audited[eid]
        if found.encounter.encounter_type != case.encounter_type:
            problems.append(f"{name} line {found.line_number}, field encounter_type: encounter {eid!r} is "
                            f"{found.encounter.encounter_type} here but {case.encounter_type} in the audit")
            continue
        matched.append((case, found))
    if problems:
        raise BulkImportError(problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else []))
    with transaction.atomic():
        for case, found in matched:
            status = found.encounter.discharge_status
            review.save_review(case, user, [_line(line) for line in found.lines],
                               status if status != case.discharge_status else None, {})
    return len(matched)
