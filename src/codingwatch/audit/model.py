"""The audit's nouns as plain data: an encounter, its code lines, a case, a finding.

A case is one sampled encounter with two versions of its coding: as coded (by the vendor or
coder under audit) and as audited (by the auditor). The web app stores these in its database
and the CLI reads them from files; both hand them to `compare_case` and `score` as these
dataclasses.
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


@contextmanager
def gc_paused():
    """Pauses the cyclic garbage collector while building many small acyclic objects.

    Creating a million tuples triggers a generation scan again and again, for nothing: the
    objects hold no cycles. Pausing halves the time to build an audit file's cases.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class FindingKind(StrEnum):
    """The error taxonomy (domain.md): what one changed line is."""

    dx_added = "dx_added"  # the auditor added a diagnosis the coder missed
    dx_deleted = "dx_deleted"  # the coder's diagnosis is unsupported
    dx_more_specific = "dx_more_specific"  # same category; the auditor's code is more specific
    dx_less_specific = "dx_less_specific"  # same category; the auditor's code is less specific
    dx_same_category = "dx_same_category"  # same category, a different code of equal specificity
    dx_wrong_category = "dx_wrong_category"  # a different category (same block, or the principal)
    dx_laterality = "dx_laterality"
    dx_seventh_character = "dx_seventh_character"
    principal_dx_changed = "principal_dx_changed"
    dx_sequencing_changed = "dx_sequencing_changed"  # secondary diagnoses in another order
    poa_changed = "poa_changed"
    px_added = "px_added"
    px_deleted = "px_deleted"
    px_changed = "px_changed"
    modifier_added = "modifier_added"
    modifier_deleted = "modifier_deleted"
    modifier_changed = "modifier_changed"
    units_changed = "units_changed"
    em_level_up = "em_level_up"  # the auditor's E/M level is higher: the coder under-coded
    em_level_down = "em_level_down"  # the auditor's E/M level is lower: the coder over-coded
    discharge_status_changed = "discharge_status_changed"
    drg_up = "drg_up"  # audited DRG weighs more: under-coded by the vendor
    drg_down = "drg_down"  # audited DRG weighs less: over-coded by the vendor


# Root causes of a finding, in the auditors' words (the review screen offers these).
ROOT_CAUSE_LABELS = {
    "coder_knowledge": "coder knowledge",
    "guideline_misapplied": "guideline misapplied",
    "documentation": "documentation unclear/incomplete (query needed)",
    "system": "system/encoder issue",
}


DX_CHANGE_KINDS = frozenset(
    {
        FindingKind.dx_more_specific,
        FindingKind.dx_less_specific,
        FindingKind.dx_same_category,
        FindingKind.dx_wrong_category,
        FindingKind.dx_laterality,
        FindingKind.dx_seventh_character,
    }
)
# Findings where an auditor's code has no exact match among the coder's codes: these are the
# code-over-code misses (the auditor's codes are the denominator).
_MISSES_DX = DX_CHANGE_KINDS | {FindingKind.dx_added}
_MISSES_PX = frozenset(
    {FindingKind.px_added, FindingKind.px_changed, FindingKind.em_level_up, FindingKind.em_level_down}
)
RESEQUENCED = "resequenced"

DX_SYSTEMS = ("ICD10CM",)
PX_SYSTEMS = ("ICD10PCS", "CPT", "HCPCS")


class CodeLine(NamedTuple):
    """One code on an encounter, dots removed and upper case.

    A named tuple rather than a dataclass: audits build millions of them, and a tuple is
    several times cheaper to create than a frozen dataclass.
    """

    code_system: str  # ICD10CM | ICD10PCS | CPT | HCPCS
    code: str
    sequence: int = 1  # 1-based within the code system; ICD10CM 1 = principal
    poa: str = ""
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)

    @property
    def is_dx(self) -> bool:
        return self.code_system in DX_SYSTEMS


class Encounter(NamedTuple):
    """Encounter-level fields (the same on every line of the encounter in the ingest layout)."""

    encounter_id: str
    encounter_type: str  # inpatient | outpatient | ed | profee
    specialty: str
    facility: str = ""
    coder_id: str = ""
    vendor: str = ""
    admit_date: dt.date | None = None
    discharge_date: dt.date | None = None
    service_date: dt.date | None = None
    sex: str = "U"
    age: int = 0
    discharge_status: int | None = None

    @property
    def date_of_service(self) -> dt.date:
        """The date whose code set applies: discharge for inpatient, service date otherwise."""
        if self.encounter_type == "inpatient":
            day = self.discharge_date or self.admit_date or self.service_date
        else:
            day = self.service_date or self.admit_date or self.discharge_date
        if day is None:
            raise ValueError(f"encounter {self.encounter_id} has no discharge or service date")
        return day

    @property
    def month(self) -> str:
        return self.date_of_service.strftime("%Y-%m")


class Case(NamedTuple):
    """One audited encounter: the as-coded lines and the auditor's as-audited lines.

    `audited_discharge_status` is the auditor's discharge status when it differs from the
    coded one (it moves transfer DRGs); None means the auditor kept the coded status.
    """

    encounter: Encounter
    coded: tuple[CodeLine, ...]
    audited: tuple[CodeLine, ...]
    audited_discharge_status: int | None = None


@dataclass(frozen=True)
class Finding:
    """One changed line of a case, classified by the taxonomy.

    `coded`/`audited` say what the line was and became in words a reviewer reads
    ("I5021", "N179 POA=Y", "99214-25", "96413 x2", "DRG 291"); None where the line is absent.
    `detail` refines the kind (for a principal-dx change: how the code changed, or
    "resequenced" when the new principal was already on the chart). `status` follows the
    rebuttal: scores count only the statuses they are told to (by default "upheld").
    """

    encounter_id: str
    kind: FindingKind
    code_system: str
    coded: str | None
    audited: str | None
    detail: str = ""
    payment_affecting: bool = False
    weight_change: Decimal | None = None  # for DRG findings: audited weight - coded weight
    status: str = "upheld"
    rationale: str = ""
    root_cause: str = ""

    @property
    def misses_audited_dx(self) -> bool:
        """The auditor's diagnosis code on this line has no exact match among the coder's."""
        if self.kind == FindingKind.principal_dx_changed:
            return self.detail != RESEQUENCED
        return self.kind in _MISSES_DX

    @property
    def misses_audited_px(self) -> bool:
        return self.kind in _MISSES_PX

    def with_status(self, status: str) -> Finding:
        return replace(self, status=status)

    def as_dict(self) -> dict[str, object]:
        return {
            "encounter_id": self.encounter_id,
            "kind": self.kind.value,
            "code_system": self.code_system,
            "coded": self.coded,
            "audited": self.audited,
            "detail": self.detail,
            "payment_affecting": self.payment_affecting,
            "weight_change": None if self.weight_change is None else str(self.weight_change),
            "status": self.status,
        }


class DrgPair(NamedTuple):
    """The case's MS-DRG as coded and as audited, regrouped by the CMS grouper."""

    coded_drg: int
    audited_drg: int
    coded_weight: Decimal | None
    audited_weight: Decimal | None
    grouper_version: int

    @property
    def changed(self) -> bool:
        return self.coded_drg != self.audited_drg

    @property
    def weight_missing(self) -> bool:
        """A payable DRG (not 998/999) of this case has no weight in its fiscal year's Table 5."""
        return (self.coded_weight is None and self.coded_drg not in (998, 999)) or (
            self.audited_weight is None and self.audited_drg not in (998, 999))

    @property
    def fiscal_year(self) -> int:
        from codingwatch.codesets.weights import fiscal_year_of_release

        return fiscal_year_of_release(self.grouper_version)

    @property
    def weight_change(self) -> Decimal | None:
        """Audited minus coded relative weight: negative = the vendor over-coded (998/999 weigh
        0). None when a weight is missing: no other year's weight stands in for it."""
        if self.weight_missing:
            return None
        return (self.audited_weight or Decimal(0)) - (self.coded_weight or Decimal(0))


class CaseResult(NamedTuple):
    """What `compare_case` makes of a case: findings plus the counts scores need.

    Cases, encounters and code lines are named tuples: immutable like frozen dataclasses, and
    cheap enough to build a hundred thousand of them per audit file.
    """

    case: Case
    findings: tuple[Finding, ...]
    dx_audited: int
    px_audited: int
    drg: DrgPair | None = None  # inpatient only

    @property
    def encounter(self) -> Encounter:
        return self.case.encounter
