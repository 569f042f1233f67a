"""Denials as finished rows: what a page, an export or the API shows, ready to render.

The functions of `analytics` return ibis expressions; these run them and finish each row:
group keys as people read them (payer names from the 835's N1*PR, months as YYYY-MM, "(not
linked)" for claims without a coded encounter), claim status in words (CLP02), rates rounded
to 4 places, money as Decimal cents, reason codes with our catalog's words, months after today
left out and months covered in part marked. Callers pass `linked` (from `analytics.from_lake`)
already limited to what the reader may see.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from codingwatch import periods
from codingwatch.codesets import carc as carc_catalog
from codingwatch.denials import analytics

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# by (a page's word) -> (column of `linked`, label)
BREAKDOWNS = {
    "vendor": ("vendor", "Vendor"),
    "coder": ("coder_id", "Coder"),
    "specialty": ("specialty", "Specialty"),
    "payer": ("payer", "Payer"),
    "month": ("month", "Month"),
}
RATE_COLUMNS = ("claims", "denied", "coding_denied", "denial_rate", "coding_denial_rate", "denied_charge",
                "coding_denied_charge")
PARETO_COLUMNS = ("carc", "description", "category", "coding_related", "claims", "share", "cumulative_share",
                  "amount")
NOT_LINKED = "(not linked)"


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value) -> Decimal | None:
    return None if missing(value) else Decimal(str(value)).quantize(CENT)


def rate(value) -> float | None:
    return None if missing(value) else round(float(value), 4)


def day(value) -> str | None:
    if missing(value):
        return None
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]


def _as_date(value) -> dt.date | None:
    if missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return value.to_pydatetime().date()
    return value


def in_period(linked: ir.Table, period: periods.Period) -> ir.Table:
    """The remitted claims paid within the period (by payment date)."""
    if period.start is not None:
        linked = linked.filter(linked.payment_date >= period.start)
    if period.end is not None:
        linked = linked.filter(linked.payment_date <= period.end)
    return linked


def coverage(linked: ir.Table) -> tuple[dt.date | None, dt.date | None]:
    """The first and last payment dates of the claims."""
    found = linked.aggregate(first=linked.payment_date.min(), last=linked.payment_date.max()).to_pyarrow().to_pylist()
    if not found:
        return None, None
    return _as_date(found[0]["first"]), _as_date(found[0]["last"])


def rates(linked: ir.Table, by: str, *, today: dt.date | None = None, period: periods.Period = periods.ALL,
          covered: tuple[dt.date | None, dt.date | None] | None = None) -> list[dict]:
    """Denial rate and coding-related denial rate grouped by `by` (a key of BREAKDOWNS), one
    finished row per group: key (as shown), claims, denied, coding_denied, rates, charges; by
    month also `month` (the first day), `partial`, `days` and `label` ("2026-03 (partial)"),
    without months after today.
    `covered`: the first and last payment date of the data (found here when not given)."""
    column = BREAKDOWNS[by][0]
    frame = analytics.denial_rates(linked, [column]).to_pyarrow().to_pylist()
    rows = []
    for r in frame:
        value = r[column]
        if missing(value):
            key = NOT_LINKED
        elif by == "month":
            value = _as_date(value)
            key = periods.month_label(value)
        else:
            key = str(value)
        row = {
            "key": key,
            "claims": int(r["claims"]), "denied": int(r["denied"] or 0), "coding_denied": int(r["coding_denied"] or 0),
            "denial_rate": rate(r["denial_rate"]), "coding_denial_rate": rate(r["coding_denial_rate"]),
            "denied_charge": money(r["denied_charge"]) or ZERO,
            "coding_denied_charge": money(r["coding_denied_charge"]) or ZERO,
        }
        if by == "month":
            row["month"] = value
        rows.append(row)
    if by == "month":
        first, last = covered if covered is not None else coverage(linked)
        rows = periods.mark_months(rows, covered_from=first, covered_to=last, today=today or dt.date.today(),
                                   period=period)
        for row in rows:
            if row["partial"]:
                row["label"] = f"{row['key']} (partial)"
    return rows


def pareto(linked: ir.Table, remit_adjustments: ir.Table, *, coding_only: bool = False) -> list[dict]:
    """The CARCs behind the denials, most frequent first, with our catalog's words."""
    frame = analytics.carc_pareto(linked, remit_adjustments, coding_only=coding_only).to_pyarrow().to_pylist()
    rows = []
    for r in frame:
        found = carc_catalog.lookup("CARC", r["carc"])
        rows.append({
            "carc": r["carc"], "description": found.description if found else "not in our catalog",
            "category": r["category"] if isinstance(r["category"], str) else "unknown",
            "coding_related": r["coding_related"], "claims": int(r["claims"]),
            "share": rate(r["share"]), "cumulative_share": rate(r["cumulative_share"]),
            "amount": money(r["amount"]) or ZERO,
        })
    return rows


def totals(linked: ir.Table) -> dict:
    """Claims, denials, coding-related denials, their rates and the denied charges of all of `linked`."""
    t = linked.aggregate(claims=linked.count(), denied=linked.denied.sum(), coding_denied=linked.coding_related.sum(),
                         denied_charge=linked.charge.sum(where=linked.denied)).to_pyarrow().to_pylist()[0]
    claims = int(t["claims"] or 0)
    denied, coding = int(t["denied"] or 0), int(t["coding_denied"] or 0)
    return {
        "claims": claims, "denied": denied, "coding_denied": coding,
        "denial_rate": round(denied / claims, 4) if claims else None,
        "coding_denial_rate": round(coding / claims, 4) if claims else None,
        "denied_charge": money(t["denied_charge"]) or ZERO,
    }


def recovered(linked: ir.Table) -> dict:
    """Denied claims paid on resubmission (a later remittance of the same encounter)."""
    r = analytics.recoveries(linked)
    t = r.aggregate(claims=r.count(), amount=r.recovered.sum(), coding_claims=r.count(where=r.coding_related),
                    coding_amount=r.recovered.sum(where=r.coding_related)).to_pyarrow().to_pylist()[0]
    return {"claims": int(t["claims"] or 0), "amount": money(t["amount"]) or ZERO,
            "coding_claims": int(t["coding_claims"] or 0), "coding_amount": money(t["coding_amount"]) or ZERO}


def denied_claims(linked: ir.Table, remit_adjustments: ir.Table, *, offset: int = 0, limit: int = 50) -> dict:
    """One page of the denied claims, newest first, with their CARCs: {"total", "rows"}."""
    denied = linked.filter(linked.denied)
    total = int(denied.count().to_pyarrow().as_py())
    page = denied.order_by([ibis.desc("payment_date"), "load_id", "claim_row"]).limit(limit, offset=offset)
    page = page.select("load_id", "claim_row", "payment_date", "payer", "charge", "coding_related", "vendor",
                       "coder_id", "specialty", "claim_status")
    adj = remit_adjustments.join(page.select("load_id", "claim_row"), ["load_id", "claim_row"])
    carcs = adj.group_by(["load_id", "claim_row"]).aggregate(carcs=adj.carc.collect())
    joined = page.left_join(carcs, ["load_id", "claim_row"]).drop("load_id_right", "claim_row_right")
    joined = joined.order_by([ibis.desc("payment_date"), "load_id", "claim_row"])
    rows = []
    for r in joined.to_pyarrow().to_pylist():
        rows.append({
            "load_id": r["load_id"], "claim_row": int(r["claim_row"]), "payment_date": day(r["payment_date"]),
            "payer": r["payer"], "charge": money(r["charge"]), "coding_related": bool(r["coding_related"]),
            "status": analytics.claim_status_words(r["claim_status"]),
            "vendor": r["vendor"], "coder": r["coder_id"], "specialty": r["specialty"],
            "carcs": sorted(set(r["carcs"] or [])),
        })
    return {"total": total, "rows": rows}


def claim(linked: ir.Table, remit_adjustments: ir.Table, remit_remarks: ir.Table, encounters: ir.Table,
          code_lines: ir.Table, load_id: str, claim_row: int) -> dict | None:
    """One remitted claim with its status in words, payer name, adjustments and remarks in our
    catalog's words, and its coded encounter with its codes; None when `linked` has no such claim."""
    found = linked.filter((linked.load_id == load_id) & (linked.claim_row == claim_row)).to_pyarrow().to_pylist()
    if not found:
        return None
    row = found[0]
    adj = remit_adjustments.filter((remit_adjustments.load_id == load_id) & (remit_adjustments.claim_row == claim_row))
    adjustments = []
    for a in adj.order_by("segment").to_pyarrow().to_pylist():
        code = carc_catalog.lookup("CARC", a["carc"])
        adjustments.append({
            "level": a["level"], "group": a["group_code"], "carc": a["carc"], "amount": money(a["amount"]),
            "description": code.description if code else "not in our catalog",
            "coding_related": code.coding_related if code else "unknown",
        })
    rem = remit_remarks.filter((remit_remarks.load_id == load_id) & (remit_remarks.claim_row == claim_row))
    remarks = []
    for m in rem.order_by("segment").to_pyarrow().to_pylist():
        code = carc_catalog.lookup("RARC", m["code"])
        remarks.append({
            "source": m["source"], "code": m["code"],
            "description": code.description if code else "not in our catalog",
            "coding_related": code.coding_related if code else "unknown",
        })
    key = row["encounter_key"]
    encounter, codes = None, []
    if row["linked"]:
        enc = encounters.filter((encounters.encounter_key == key) & (encounters.origin == "coded"))
        enc_rows = enc.order_by(ibis.desc("load_id")).limit(1).to_pyarrow().to_pylist()
        if enc_rows:
            e = enc_rows[0]
            encounter = {
                "encounter_type": e["encounter_type"], "specialty": e["specialty"], "vendor": e["vendor"],
                "coder": e["coder_id"], "facility": e["facility"],
                "admit_date": day(e["admit_date"]), "discharge_date": day(e["discharge_date"]),
                "service_date": day(e["service_date"]), "drg": None if missing(e["drg"]) else int(e["drg"]),
            }
            lines = code_lines.filter((code_lines.encounter_key == key) & (code_lines.load_id == e["load_id"]))
            for c in lines.order_by(["code_system", "sequence"]).to_pyarrow().to_pylist():
                codes.append({"system": c["code_system"], "code": c["code"], "sequence": int(c["sequence"]),
                              "poa": c["poa"] or "", "modifiers": c["modifiers"] or ""})
    return {
        "load_id": load_id, "claim_row": claim_row, "encounter_key": key,
        "status_code": row["claim_status"], "status": analytics.claim_status_words(row["claim_status"]),
        "denied": bool(row["denied"]), "coding_related": bool(row["coding_related"]),
        "payer": row["payer"], "payer_id": row["payer_id"], "payment_date": day(row["payment_date"]),
        "charge": money(row["charge"]), "payment": money(row["payment"]),
        "patient_responsibility": money(row["patient_responsibility"]),
        "vendor": row["vendor"] if row["linked"] else None, "coder": row["coder_id"] if row["linked"] else None,
        "adjustments": adjustments, "remarks": remarks, "encounter": encounter, "codes": codes,
        "findings": [],  # filled in when an audits app records findings on this encounter
    }
