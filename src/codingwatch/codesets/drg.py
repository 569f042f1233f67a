"""MS-DRG grouping (msdrg, the CMS grouper) and relative weights (CMS Table 5, FY2026 Final Rule)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import msdrg

from codingwatch.codesets.calendar import grouper_version

WEIGHT_TABLE = "CMS FY2026 Final Rule Table 5"
SEX_CODES = {"M": 0, "F": 1, "U": 2}


@lru_cache(maxsize=1)
def _table5() -> dict[int, tuple[Decimal, str]]:
    text = resources.files("codingwatch.codesets").joinpath("data/msdrg-fy2026-table5-weights.tsv")
    rows: dict[int, tuple[Decimal, str]] = {}
    with text.open(encoding="latin-1") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if row and row[0].strip().isdigit() and row[7].strip() not in ("", "."):
                # Column 8 is the weight with the 10% cap applied: the one IPPS pays on.
                rows[int(row[0])] = (Decimal(row[7].strip()), row[5].strip())
    return rows


def drg_weight(drg: int) -> Decimal | None:
    """FY2026 relative weight of a DRG (10% cap applied), or None for 998/999 and unknown DRGs."""
    hit = _table5().get(drg)
    return hit[0] if hit else None


def drg_title(drg: int) -> str:
    hit = _table5().get(drg)
    return hit[1] if hit else ("Ungroupable" if drg in (998, 999) else "")


@dataclass(frozen=True)
class DrgResult:
    drg: int
    mdc: int | None
    severity: str
    return_code: str
    version: int
    weight: Decimal | None

    @property
    def grouped(self) -> bool:
        return self.return_code == "OK" and self.drg not in (998, 999)


def _grouper_poa(poa: str | None) -> str:
    """The grouper takes Y, N, U, W or blank; the claim's exempt indicator 1 is blank to it."""
    return poa if poa in ("Y", "N", "U", "W") else " "


class Grouper:
    """Groups inpatient encounters. Not thread-safe; one per worker."""

    def __init__(self) -> None:
        self._grouper = msdrg.MsdrgGrouper()

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
    ) -> DrgResult:
        """Group one encounter. `diagnoses` is [(code, poa), ...] with the principal first."""
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
        result = self._grouper.group(claim)
        drg = result.get("final_drg") or 999
        return DrgResult(
            drg=drg,
            mdc=result.get("final_mdc"),
            severity=result.get("final_severity") or "",
            return_code=result.get("return_code") or "",
            version=version,
            weight=drg_weight(drg),
        )
