"""The provenance summary's plain statement: does a vendor's work stay in its contract's countries?"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from codingwatch.reports import format as fmt


def contract_in_force(vendor, on: dt.date | None = None):
    """The vendor's contract in force on the day: the latest that has started (else the first), as the scan reads it."""
    today = on or timezone.localdate()
    chosen = None
    for contract in vendor.contracts.order_by("start_date"):
        if chosen is None or contract.start_date <= today:
            chosen = contract
    return chosen


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _share(value: float) -> str:
    return fmt.percent(value, 0) if value >= 0.01 or value == 0 else "under 1%"


def contract_statement(section: dict, vendor) -> dict:
    """{"breach": bool, "text": ...} for a summary section (services.vendor_summary) of this vendor."""
    name = vendor.name if vendor is not None else section["vendor"]
    contract = contract_in_force(vendor) if vendor is not None else None
    if contract is None:
        return {"breach": None, "text": f"{name} has no contract on file: the countries of its work cannot be checked."}
    allowed = contract.countries()
    outside = [r for r in section["by_country"] if r["key"] not in allowed]
    where = ", ".join(allowed) or "no country"
    if not outside:
        return {"breach": False, "text": f"All of {_possessive(name)} work was done from its contract's countries ({where})."}
    # Work is charts reached; a log without encounter keys counts events instead.
    what, key, share_key = ("charts", "charts", "chart_share") if section["charts"] else ("events", "events",
                                                                                          "event_share")
    count = sum(r[key] for r in outside)
    share = sum(r[share_key] for r in outside)
    places = ", ".join(f"{r['key']} ({_share(r[share_key])} of {what})" for r in outside)
    return {"breach": True,
            "text": (f"{name} breaks its contract: the contract allows work from {where} only, but "
                     f"{_share(share)} of its {what} ({fmt.count(count)} of {fmt.count(section[key])}) were "
                     f"{'reached' if what == 'charts' else 'recorded'} from {places}.")}
