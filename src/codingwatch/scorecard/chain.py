"""The evidence chain of one chart: every fact the lake holds about one encounter, in order.

For an encounter key: who touched it and from where (access events), who coded it and when
(the coded encounter and its code lines), the claim as billed (837: claim, codes, lines), and
what the payer did (835: status, amounts, CARC adjustments and RARC remarks, whether the
denial is coding-related). The audit side (as-audited codes and findings) lives in the app
database; the caller passes it in as plain rows and `link` ties findings and denials together
in both directions. Engines only: a lake connection (ibis) in, plain dicts out.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import ibis

from codingwatch import denials
from codingwatch.codesets import carc as carc_catalog
from codingwatch.lake.schema import TABLES

ACCESS_COLUMNS = ("event_id", "occurred_at", "login", "event", "session_id", "client_ip", "country",
                  "country_source", "device_id", "work_queue", "outcome", "source_format")
EVENT_LIMIT = 500


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(expr) -> list[dict]:
    return [{k: _plain(v) for k, v in r.items()} for r in expr.to_pyarrow().to_pylist()]


def _has(con, name: str) -> bool:
    return name in TABLES


def encounter_vendor(con, encounter_key: str) -> str | None:
    """The vendor whose coded encounter this is (the latest load's), None when not coded."""
    if not _has(con, "encounters"):
        return None
    enc = con.table("encounters")
    rows = _rows(enc.filter((enc.encounter_key == encounter_key) & (enc.origin == "coded"))
                 .order_by(ibis.desc("load_id")).select("vendor").limit(1))
    return rows[0]["vendor"] if rows else None


def chain(con, encounter_key: str) -> dict | None:
    """The lake's side of the chain; None when the lake knows nothing of this key."""
    out: dict = {"encounter_key": encounter_key, "coded": [], "billed": [], "remits": [], "access": [],
                 "access_total": 0}
    if _has(con, "encounters"):
        enc = con.table("encounters")
        coded = _rows(enc.filter((enc.encounter_key == encounter_key) & (enc.origin == "coded"))
                      .drop("source_id_enc").order_by("load_id"))
        lines = con.table("code_lines")
        for record in coded:
            record["codes"] = _rows(lines.filter((lines.encounter_key == encounter_key)
                                                 & (lines.load_id == record["load_id"]))
                                    .drop("encounter_key").order_by(["code_system", "sequence"]))
            if record.get("received_at") and record.get("coded_at"):
                took = dt.datetime.fromisoformat(record["coded_at"]) - dt.datetime.fromisoformat(record["received_at"])
                record["turnaround_hours"] = round(took.total_seconds() / 3600, 1)
        out["coded"] = coded
    if _has(con, "claims"):
        claims = con.table("claims")
        billed = _rows(claims.filter(claims.encounter_key == encounter_key).order_by(["load_id", "segment"]))
        codes, claim_lines = con.table("claim_codes"), con.table("claim_lines")
        for claim in billed:
            key = (codes.encounter_key == encounter_key) & (codes.load_id == claim["load_id"])
            claim["codes"] = _rows(codes.filter(key & (codes.segment >= claim["segment"]))
                                   .drop("encounter_key").order_by(["segment", "sequence"]))
            lkey = (claim_lines.encounter_key == encounter_key) & (claim_lines.load_id == claim["load_id"])
            claim["lines"] = _rows(claim_lines.filter(lkey).drop("encounter_key").order_by("line_number"))
        out["billed"] = billed
    if _has(con, "remit_claims"):
        outcomes = denials.from_lake(con)["outcomes"]
        remits = _rows(outcomes.filter(outcomes.encounter_key == encounter_key)
                       .order_by(["payment_date", "load_id", "claim_row"]))
        adj, rem = con.table("remit_adjustments"), con.table("remit_remarks")
        for r in remits:
            on = (adj.load_id == r["load_id"]) & (adj.claim_row == r["claim_row"])
            r["adjustments"] = []
            for a in _rows(adj.filter(on).order_by("segment")):
                found = carc_catalog.lookup("CARC", a["carc"])
                r["adjustments"].append({"level": a["level"], "group": a["group_code"], "carc": a["carc"],
                                         "amount": a["amount"],
                                         "description": found.description if found else "not in our catalog",
                                         "coding_related": found.coding_related if found else "unknown"})
            r["remarks"] = []
            on = (rem.load_id == r["load_id"]) & (rem.claim_row == r["claim_row"])
            for m in _rows(rem.filter(on).order_by("segment")):
                found = carc_catalog.lookup("RARC", m["code"])
                r["remarks"].append({"source": m["source"], "code": m["code"],
                                     "description": found.description if found else "not in our catalog",
                                     "coding_related": found.coding_related if found else "unknown"})
        out["remits"] = remits
    if _has(con, "access_events"):
        ev = con.table("access_events")
        mine = ev.filter(ev.encounter_key == encounter_key)
        out["access_total"] = int(mine.count().to_pyarrow().as_py())
        out["access"] = _rows(mine.select(*ACCESS_COLUMNS).order_by(["occurred_at", "event_id"]).limit(EVENT_LIMIT))
        logins = {e["login"] for e in out["access"]}
        out["access_by_country"] = sorted(
            ({"country": c or "unknown", "events": sum(1 for e in out["access"] if e["country"] == c)}
             for c in {e["country"] for e in out["access"]}), key=lambda r: -r["events"])
        out["access_logins"] = sorted(logins)
    if not (out["coded"] or out["billed"] or out["remits"] or out["access"]):
        return None
    return out


def link(remits: list[dict], findings: list[dict]) -> None:
    """Tie denials and findings of one encounter both ways, in place: each denied remit gets
    `findings` (ids of the counted findings on the chart) and each finding gets `denials`
    ((load_id, claim_row) of the chart's denied claims). On one chart every finding may
    explain every denial; the CARC says which kind (a coding-related CARC beside a coding finding)."""
    denied = [r for r in remits if r.get("denied")]
    for f in findings:
        f["denials"] = [{"load_id": r["load_id"], "claim_row": r["claim_row"],
                         "coding_related": bool(r.get("coding_related")),
                         "carcs": sorted({a["carc"] for a in r.get("adjustments", [])})} for r in denied]
    for r in remits:
        r["findings"] = [f["id"] for f in findings] if r.get("denied") else []
