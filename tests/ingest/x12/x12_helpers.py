"""An independent reading of X12 files for the X12 tests: `plain_segments` splits a file on
the delimiters its ISA declares with nothing but str.split, so the totals the tests compare
against do not come from the code under test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

SHARED = Path(__file__).resolve().parents[4] / "shared"
X12 = SHARED / "fixtures" / "x12"


def fixture_files(kind: str) -> list[Path]:
    folder = X12 / kind
    return sorted(folder.glob("*")) if folder.is_dir() else []


def plain_segments(data: bytes) -> list[list[str]]:
    text = data.decode("latin-1").lstrip()
    element = text[3]
    terminator = text[105]
    return [s.strip("\r\n").split(element) for s in text.split(terminator) if s.strip("\r\n")]


def plain_totals(data: bytes) -> dict:
    segs = plain_segments(data)
    clm = [s for s in segs if s[0] == "CLM"]
    clp = [s for s in segs if s[0] == "CLP"]
    cas = [s for s in segs if s[0] == "CAS"]
    return {
        "claims_837": len(clm),
        "charge_837": sum((Decimal(s[2]) for s in clm), Decimal("0")),
        "claims_835": len(clp),
        "charge_835": sum((Decimal(s[3]) for s in clp), Decimal("0")),
        "paid_835": sum((Decimal(s[4]) for s in clp), Decimal("0")),
        "service_lines_835": sum(1 for s in segs if s[0] == "SVC"),
        "adjustments_835": sum(1 for s in cas for i in range(2, len(s), 3) if s[i]),
        "clm_ids": [s[1] for s in clm],
        "clp_ids": [s[1] for s in clp],
    }
