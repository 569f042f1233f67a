"""Denials for the pages and the API: the denials engine over the lake, limited to what the
user may see (a vendor user only their own vendor's claims, as on the dashboard).

Rates and the CARC Pareto come from `codingwatch.denials`; rework cost is the count of
coding-related denials times the vendor's contract figure (`rework_cost_per_denial` of its
latest contract), else the CODINGWATCH_DENIAL_REWORK_COST setting, else none.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal

import ibis

from codingwatch import denials
from codingwatch.codesets import carc as carc_catalog
from codingwatch.lake.store import cached_connection
from codingwatch.spreadsheet import csv_writer
from codingwatch.web.dashboard.figures import visible_vendors

# by (URL word) -> (engine dimension, label)
DIMENSIONS = {
    "vendor": ("vendor", "Vendor"),
    "coder": ("coder_id", "Coder"),
    "specialty": ("specialty", "Specialty"),
    "payer": ("payer_id", "Payer"),
    "month": ("month", "Month"),
}
RATE_COLUMNS = ("claims", "denied", "coding_denied", "denial_rate", "coding_denial_rate", "denied_charge",
                "coding_denied_charge")
SORTABLE = ("key",) + RATE_COLUMNS
PARETO_COLUMNS = ("carc", "description", "category", "coding_related", "claims", "share", "cumulative_share",
                  "amount")
CENT = Decimal("0.01")


def _tables():
    return denials.from_lake(cached_connection())


def scoped_linked(user, *, vendor: str | None = None, coder: str | None = None):
    """The remitted claims linked to coded encounters that the user may see."""
    linked = _tables()["linked"]
    vendors = visible_vendors(user)
    if vendor is not None:
        vendors = [vendor] if vendors is None or vendor in vendors else []
    if vendors is not None:
        linked = linked.filter(linked.vendor.isin(vendors) if vendors else ibis.literal(False))
    if coder is not None:
        linked = linked.filter(linked.coder_id == coder)
    return linked


def _money(value) -> Decimal | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(str(value)).quantize(CENT)


def _rate(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 4)


def _key(value, by: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(not linked)"
    if by == "month" and hasattr(value, "strftime"):
        return value.strftime("%Y-%m")
    return str(value)


def rates(user, by: str, *, vendor: str | None = None, coder: str | None = None) -> list[dict]:
    """Denial rate and coding-related denial rate grouped by `by` (a key of DIMENSIONS)."""
    column = DIMENSIONS[by][0]
    frame = denials.denial_rates(scoped_linked(user, vendor=vendor, coder=coder), [column]).execute()
    rows = []
    for r in frame.to_dict("records"):
        rows.append({
            "key": _key(r[column], by),
            "claims": int(r["claims"]), "denied": int(r["denied"] or 0), "coding_denied": int(r["coding_denied"] or 0),
            "denial_rate": _rate(r["denial_rate"]), "coding_denial_rate": _rate(r["coding_denial_rate"]),
            "denied_charge": _money(r["denied_charge"]) or Decimal("0.00"),
            "coding_denied_charge": _money(r["coding_denied_charge"]) or Decimal("0.00"),
        })
    return rows


def pareto(user, *, vendor: str | None = None, coder: str | None = None, coding_only: bool = False) -> list[dict]:
    """The CARCs behind the denials the user may see, most frequent first, with our descriptions."""
    linked = scoped_linked(user, vendor=vendor, coder=coder)
    adjustments = cached_connection().table("remit_adjustments")
    frame = denials.carc_pareto(linked, adjustments, coding_only=coding_only).execute()
    rows = []
    for r in frame.to_dict("records"):
        found = carc_catalog.lookup("CARC", r["carc"])
        rows.append({
            "carc": r["carc"], "description": found.description if found else "not in our catalog",
            "category": r["category"] if isinstance(r["category"], str) else "unknown",
            "coding_related": r["coding_related"], "claims": int(r["claims"]),
            "share": _rate(r["share"]), "cumulative_share": _rate(r["cumulative_share"]),
            "amount": _money(r["amount"]) or Decimal("0.00"),
        })
    return rows


def rework_cost_per_denial(vendor_code: str) -> tuple[Decimal | None, str]:
    """(cost of reworking one denial, where the figure comes from) for a vendor."""
    from django_scopes import scopes_disabled

    from codingwatch.web.vendors.models import Contract

    with scopes_disabled():
        contract = (Contract.objects.filter(vendor__code=vendor_code, rework_cost_per_denial__isnull=False)
                    .order_by("-start_date").first())
    if contract is not None:
        return contract.rework_cost_per_denial, f"contract from {contract.start_date}"
    try:
        setting = denials.rework_cost_setting()
    except ValueError:
        setting = None
    if setting is not None:
        return setting, denials.analytics.REWORK_COST_SETTING
    return None, "no contract figure and no setting"


def rework(user, *, vendor: str | None = None) -> list[dict]:
    """Rework cost of the coding-related denials, by vendor."""
    rows = []
    for row in rates(user, "vendor", vendor=vendor):
        cost, source = rework_cost_per_denial(row["key"])
        total = (cost * row["coding_denied"]).quantize(CENT) if cost is not None else None
        rows.append({"vendor": row["key"], "coding_denied": row["coding_denied"], "cost_per_denial": cost,
                     "rework_cost": total, "source": source})
    return rows


def recovered(user, *, vendor: str | None = None, coder: str | None = None) -> dict:
    """Denied claims paid on resubmission (a later remittance of the same encounter)."""
    frame = denials.recoveries(scoped_linked(user, vendor=vendor, coder=coder)).execute()
    amounts = [_money(v) or Decimal(0) for v in frame.recovered]
    coding = [a for a, c in zip(amounts, frame.coding_related, strict=True) if bool(c)]
    return {"claims": len(amounts), "amount": sum(amounts, Decimal("0.00")),
            "coding_claims": len(coding), "coding_amount": sum(coding, Decimal("0.00"))}


def summary(user, *, vendor: str | None = None, coder: str | None = None) -> dict:
    linked = scoped_linked(user, vendor=vendor, coder=coder)
    t = linked.aggregate(claims=linked.count(), denied=linked.denied.sum(), coding_denied=linked.coding_related.sum(),
                         denied_charge=linked.charge.sum(where=linked.denied)).execute().to_dict("records")[0]
    claims = int(t["claims"] or 0)
    denied, coding = int(t["denied"] or 0), int(t["coding_denied"] or 0)
    rework_rows = rework(user, vendor=vendor) if coder is None else []
    costs = [r["rework_cost"] for r in rework_rows if r["rework_cost"] is not None]
    return {
        "claims": claims, "denied": denied, "coding_denied": coding,
        "denial_rate": round(denied / claims, 4) if claims else None,
        "coding_denial_rate": round(coding / claims, 4) if claims else None,
        "denied_charge": _money(t["denied_charge"]) or Decimal("0.00"),
        "rework_cost": sum(costs, Decimal("0.00")) if costs else None,
        "rework": rework_rows,
        "recovered": recovered(user, vendor=vendor, coder=coder),
    }


def denied_claims(user, *, vendor: str | None = None, coder: str | None = None, limit: int = 500) -> list[dict]:
    """The denied claims the user may see, newest first, with their CARCs."""
    linked = scoped_linked(user, vendor=vendor, coder=coder)
    linked = linked.filter(linked.denied)
    adj = cached_connection().table("remit_adjustments")
    carcs = adj.group_by(["load_id", "claim_row"]).aggregate(carcs=adj.carc.collect())
    joined = linked.left_join(carcs, ["load_id", "claim_row"])
    joined = joined.select("load_id", "claim_row", "payment_date", "payer_id", "charge", "coding_related",
                           "vendor", "coder_id", "specialty", "carcs")
    frame = joined.order_by([ibis.desc("payment_date"), "load_id", "claim_row"]).limit(limit).execute()
    rows = []
    for r in frame.to_dict("records"):
        rows.append({
            "load_id": r["load_id"], "claim_row": int(r["claim_row"]),
            "payment_date": r["payment_date"].isoformat()[:10] if r["payment_date"] is not None else None,
            "payer": r["payer_id"], "charge": _money(r["charge"]), "coding_related": bool(r["coding_related"]),
            "vendor": r["vendor"], "coder": r["coder_id"], "specialty": r["specialty"],
            "carcs": sorted(set(r["carcs"] or [])),
        })
    return rows


def claim(user, load_id: str, claim_row: int) -> dict | None:
    """One remitted claim with its encounter, adjustments and remarks; None when the user may
    not see it (another vendor's claim) or it does not exist."""
    con = cached_connection()
    linked = scoped_linked(user)
    found = linked.filter((linked.load_id == load_id) & (linked.claim_row == claim_row)).execute()
    if found.empty:
        return None
    row = found.to_dict("records")[0]
    adj = con.table("remit_adjustments")
    adj = adj.filter((adj.load_id == load_id) & (adj.claim_row == claim_row)).order_by("segment").execute()
    remarks = con.table("remit_remarks")
    remarks = remarks.filter((remarks.load_id == load_id) & (remarks.claim_row == claim_row)).order_by("segment").execute()
    adjustments = []
    for a in adj.to_dict("records"):
        found_code = carc_catalog.lookup("CARC", a["carc"])
        adjustments.append({
            "level": a["level"], "group": a["group_code"], "carc": a["carc"], "amount": _money(a["amount"]),
            "description": found_code.description if found_code else "not in our catalog",
            "coding_related": found_code.coding_related if found_code else "unknown",
        })
    remark_rows = []
    for m in remarks.to_dict("records"):
        found_code = carc_catalog.lookup("RARC", m["code"])
        remark_rows.append({
            "source": m["source"], "code": m["code"],
            "description": found_code.description if found_code else "not in our catalog",
            "coding_related": found_code.coding_related if found_code else "unknown",
        })
    key = row["encounter_key"]
    encounter = None
    codes: list[dict] = []
    if row["linked"]:
        enc = con.table("encounters")
        enc = enc.filter((enc.encounter_key == key) & (enc.origin == "coded")).order_by(ibis.desc("load_id"))
        enc_rows = enc.limit(1).execute().to_dict("records")
        if enc_rows:
            e = enc_rows[0]
            encounter = {
                "encounter_type": e["encounter_type"], "specialty": e["specialty"], "vendor": e["vendor"],
                "coder": e["coder_id"], "facility": e["facility"],
                "admit_date": _day(e["admit_date"]), "discharge_date": _day(e["discharge_date"]),
                "service_date": _day(e["service_date"]), "drg": None if _missing(e["drg"]) else int(e["drg"]),
            }
            lines = con.table("code_lines")
            lines = lines.filter((lines.encounter_key == key) & (lines.load_id == e["load_id"]))
            for c in lines.order_by(["code_system", "sequence"]).execute().to_dict("records"):
                codes.append({"system": c["code_system"], "code": c["code"], "sequence": int(c["sequence"]),
                              "poa": c["poa"] or "", "modifiers": c["modifiers"] or ""})
    return {
        "load_id": load_id, "claim_row": claim_row, "encounter_key": key,
        "status": row["claim_status"], "denied": bool(row["denied"]), "coding_related": bool(row["coding_related"]),
        "payer": row["payer_id"], "payment_date": _day(row["payment_date"]),
        "charge": _money(row["charge"]), "payment": _money(row["payment"]),
        "patient_responsibility": _money(row["patient_responsibility"]),
        "vendor": row["vendor"] if row["linked"] else None, "coder": row["coder_id"] if row["linked"] else None,
        "adjustments": adjustments, "remarks": remark_rows, "encounter": encounter, "codes": codes,
        "findings": _findings_on(user, key),  # the audit findings on this encounter, linked both ways
    }


def _findings_on(user, key) -> list[dict]:
    from codingwatch.web.review.findings import findings_on

    return findings_on(user, key) if key else []


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _day(value) -> str | None:
    if _missing(value):
        return None
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]


def parse_sort(raw: str | None, default: str = "key") -> tuple[str, bool]:
    raw = raw or default
    descending = raw.startswith("-")
    column = raw.lstrip("-")
    if column not in SORTABLE:
        return default.lstrip("-"), default.startswith("-")
    return column, descending


def rates_csv(rows: list[dict], by: str) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow([by] + list(RATE_COLUMNS))
    for row in rows:
        writer.writerow([row["key"]] + ["" if row[c] is None else row[c] for c in RATE_COLUMNS])
    return out.getvalue()


def pareto_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(PARETO_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in PARETO_COLUMNS])
    return out.getvalue()
