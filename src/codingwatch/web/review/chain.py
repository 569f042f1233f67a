"""The evidence chain of one chart for the page and the API: the lake's side from
codingwatch.scorecard.chain, the audit side (cases, as-audited codes, findings) from the app
database, denials and findings linked both ways, and what the chart did to its vendor's month.

A vendor user sees only their own vendor's charts (404 otherwise), and audit findings only of
audits routed to them (VENDOR_VISIBLE_STATES), as on the audit pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from codingwatch.lake.schema import TABLES
from codingwatch.lake.store import cached_connection
from codingwatch.reports import format as fmt
from codingwatch.scorecard import chain as engine
from codingwatch.web.dashboard.figures import visible_vendors
from codingwatch.web.review.findings import _cases, findings_on
from codingwatch.web.vendors.services.contracts import rework_cost_per_denial


def _month_impact(con, vendor: str, coded_at: str | None, remits: list[dict], cases: list, findings: list[dict]):
    """What the chart did to its vendor's month: its share of the month's volume, of the month's
    audited charts and errors, of its coding denials, and the rework the contract charges."""
    if not coded_at:
        return None
    when = dt.datetime.fromisoformat(coded_at)
    start = dt.datetime(when.year, when.month, 1, tzinfo=dt.UTC)
    end = dt.datetime(when.year + (when.month == 12), when.month % 12 + 1, 1, tzinfo=dt.UTC)
    enc = con.table("encounters")
    month = enc.filter((enc.origin == "coded") & (enc.vendor == vendor) & (enc.coded_at >= start)
                       & (enc.coded_at < end))
    charts = int(month.encounter_key.nunique().to_pyarrow().as_py())
    lines = []
    lines.append(f"one of {fmt.count(charts)} charts {vendor} coded in {start:%Y-%m}")
    coding_denials = [r for r in remits if r.get("coding_related")]
    month_denials = None
    if "remit_claims" in TABLES:
        from codingwatch import denials

        linked = denials.from_lake(con)["linked"]
        keys = month.select("encounter_key").distinct()
        mine = linked.semi_join(keys, "encounter_key")
        month_denials = int(mine.coding_related.sum().fill_null(0).to_pyarrow().as_py())
        claims = int(mine.count().to_pyarrow().as_py())
        if coding_denials:
            lines.append(f"{len(coding_denials)} of the month's {fmt.count(month_denials)} coding-related denials "
                         f"({fmt.count(claims)} remitted claims): coding-denial rate "
                         f"{fmt.percent(month_denials / claims, 2)}" if claims else "coding-related denial")
    rework = None
    if coding_denials:
        cost, source = rework_cost_per_denial(vendor)
        if cost is not None:
            rework = (cost * len(coding_denials)).quantize(Decimal("0.01"))
            lines.append(f"rework at {fmt.money(cost, cents=True)} a denial ({source}): {fmt.money(rework, cents=True)}")
    counted = [f for f in findings if f["status"] == "upheld"]
    for case in cases:
        if case.audit.state == "final":
            lines.append(f"audited in final audit {case.audit_id}: "
                         + ("correct at record level" if not counted else
                            f"{len(counted)} upheld finding{'s' if len(counted) != 1 else ''}, an error "
                            "against the month's record accuracy"))
        else:
            lines.append(f"under audit {case.audit_id} ({case.audit.get_state_display()}): not counted until final")
    return {"vendor": vendor, "month": f"{start:%Y-%m}", "quarter": f"{start.year}Q{(start.month - 1) // 3 + 1}", "charts": charts, "coding_denials": month_denials,
            "rework_cost": None if rework is None else str(rework), "lines": lines}


def chain_for(user, encounter_key: str) -> dict | None:
    """The whole chain, or None when the user may not see this chart (or it is unknown)."""
    con = cached_connection()
    vendor = engine.encounter_vendor(con, encounter_key)
    visible = visible_vendors(user)
    if vendor is None and user.is_vendor_user:
        return None
    if vendor is not None and vendor not in visible:
        return None
    found = engine.chain(con, encounter_key)
    cases = _cases(user, encounter_key)
    if found is None and not cases:
        return None
    found = found or {"encounter_key": encounter_key, "coded": [], "billed": [], "remits": [], "access": [],
                      "access_total": 0}
    findings = findings_on(user, encounter_key)
    engine.link(found["remits"], findings)
    for r in found["remits"]:
        r["url"] = reverse("denials-claim", args=[r["load_id"], r["claim_row"]])
    found["vendor"] = vendor
    found["findings"] = findings
    found["audits"] = [{
        "audit": c.audit_id, "title": c.audit.title, "state": c.audit.state, "case": c.number,
        "reviewed_at": c.reviewed_at.isoformat() if c.reviewed_at else None,
        "reviewed_by": c.reviewed_by.get_username() if c.reviewed_by else None,
        "coded_lines": c.coded_lines, "audited_lines": c.audited_lines,
        "coded_drg": c.coded_drg, "audited_drg": c.audited_drg,
        "url": reverse("audit-case", args=[c.audit_id, c.number])} for c in cases]
    latest = found["coded"][-1] if found["coded"] else None
    found["impact"] = (_month_impact(con, vendor, latest.get("coded_at"), found["remits"], cases, findings)
                       if latest and vendor else None)
    return found
