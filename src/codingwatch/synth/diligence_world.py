"""The world's due-diligence evidence and vendor declarations, with their ground truth.

`diligence.json` (read by the app's `import_diligence`, docs/diligence.md):

- evidence documents for each outside vendor, dated against the fiscal year: the domestic
  vendor's are current but for its HIPAA training (expired); the split vendor (seed 002)
  signed its BAA two weeks into the access logs, its coders reaching charts before it, its HITRUST certificate,
  penetration test, background checks and exclusion screening have lapsed, and its cyber insurance is below the
  catalogue's $5,000,000;
- a credential on file for every rostered coder, one of the domestic vendor's coders holding
  a credential that lapses mid-year while they keep coding;
- each outside vendor's quarterly declarations: its declared work countries (the roster's
  declared locations), the coders it names with their credentials, a claimed accuracy and
  VDI-only work. The split vendor declares the US only and codes mostly from India and the
  Philippines: the true discrepancy;
- two candidate vendors for the RFP view, one complete and one with no SOC 2 Type II or
  HITRUST (disqualified).

`truth` says, as of the fiscal year's last day (`truth_as_of`), per vendor, which discrepancy kinds, alerts and disqualification are real.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

CANDIDATES = (
    {"code": "Northwind Coding Group", "name": "Northwind Coding Group", "delivery_model": "offshore",
     "work_locations": ["US-WA", "PH"], "complete": True},
    {"code": "Bluewater Health Information", "name": "Bluewater Health Information", "delivery_model": "onshore",
     "work_locations": ["US-OR"], "complete": False},
)
CREDENTIAL_LAPSE_DAYS = 180  # the domestic vendor's coder whose credential lapses mid-year


def _doc(kind, issued, *, title="", period=None, expires=None, amount=None) -> dict:
    out = {"kind": kind, "title": title, "issued_on": issued.isoformat()}
    if period:
        out["period_start"], out["period_end"] = period[0].isoformat(), period[1].isoformat()
    if expires:
        out["expires_on"] = expires.isoformat()
    if amount is not None:
        out["amount"] = str(amount)
    return out


def _complete_documents(start: dt.date, insurance: int = 10_000_000) -> list[dict]:
    d = dt.timedelta
    return [
        _doc("baa", start - d(400), title="Business associate agreement"),
        _doc("soc2_type2", start + d(40), title="SOC 2 Type II", period=(start - d(355), start + d(10))),
        _doc("pentest", start + d(30), title="External and internal penetration test"),
        _doc("cyber_insurance", start, title="Cyber liability policy", expires=start + d(365), amount=insurance),
        _doc("background_checks", start + d(10), title="Criminal and OIG background checks, all coders"),
        _doc("exclusion_screening", start + d(340), title="LEIE and SAM monthly screening"),
        _doc("hipaa_training", start + d(5), title="HIPAA privacy and security training"),
    ]


def write_diligence_file(world, outdir: Path) -> list[str]:
    from codingwatch.synth.access_world import access_inputs

    params, roster = world.params, world.roster
    start = params.fiscal_year_start()
    access_start = access_inputs(world)[3]  # the first day of the access logs
    d = dt.timedelta
    names = {v.key: v.name for v in params.vendors}
    split = params.split_vendor
    out_vendors, truth = [], {}
    for spec in params.vendors:
        if spec.key == "ih":
            continue
        logins = [lg for lg in roster.logins if lg.vendor == spec.key]
        if spec.key == split:
            documents = [
                _doc("baa", access_start + d(14), title="Business associate agreement"),
                _doc("hitrust", start - d(800), title="HITRUST r2 certificate"),
                _doc("pentest", start - d(420), title="Penetration test"),
                _doc("cyber_insurance", start, title="Cyber liability policy", expires=start + d(365),
                     amount=2_000_000),
                _doc("background_checks", start - d(100), title="Background checks, US staff"),
                _doc("exclusion_screening", start + d(60), title="LEIE screening"),
                _doc("hipaa_training", start + d(15), title="HIPAA training"),
            ]
            claimed = "97.00"
        else:
            documents = _complete_documents(start)
            documents[-1] = _doc("hipaa_training", start - d(400), title="HIPAA privacy and security training")
            claimed = "96.00"
        lapsing = next((lg for lg in logins if lg.start_day < 0 and lg.end_day > 300), None) \
            if spec.key != split else None
        credentials = []
        for lg in logins:
            for c in lg.credentials:
                expires = (start + d(CREDENTIAL_LAPSE_DAYS)) if lapsing is not None and lg is lapsing \
                    else start + d(730)
                credentials.append({"login": lg.login_id, "credential": c,
                                    "verified_on": (start - d(30)).isoformat(), "expires_on": expires.isoformat()})
        countries = sorted({loc[:2] for loc in spec.declared_locations})
        declarations = []
        for q in range(4):
            q_start = dt.date(start.year + (start.month - 1 + 3 * q) // 12, (start.month - 1 + 3 * q) % 12 + 1, 1)
            q_end = dt.date(q_start.year + (q_start.month + 2) // 12, (q_start.month + 2) % 12 + 1, 1) - d(1)
            declarations.append({
                "period_start": q_start.isoformat(), "period_end": q_end.isoformat(),
                "declared_on": q_start.isoformat(), "work_countries": countries,
                "coders": {lg.login_id: list(lg.credentials) for lg in logins},
                "claimed_accuracy": claimed, "subcontractors": [], "vdi_only": True})
        true_countries = sorted({p.true_location[:2] for p in roster.persons
                                 if roster.logins[p.login].vendor == spec.key} - set(countries))
        out_vendors.append({"code": names[spec.key], "stage": "current", "ratings": {"references": 4},
                            "documents": documents, "credentials": credentials, "declarations": declarations})
        truth[names[spec.key]] = {
            "undeclared_countries": true_countries,
            "discrepancies": ["undeclared_country"] if true_countries else [],
            "expired_kinds": (["background_checks", "exclusion_screening", "hitrust", "pentest"] if spec.key == split
                              else ["hipaa_training"]),
            "phi_before_baa": spec.key == split,
            "credential_lapses": None if lapsing is None else lapsing.login_id,
            "disqualified": spec.key == split,
        }
    for c in CANDIDATES:
        documents = _complete_documents(start, 5_000_000)
        if not c["complete"]:
            documents = [x for x in documents if x["kind"] != "soc2_type2"]
        out_vendors.append({**{k: c[k] for k in ("code", "name", "delivery_model", "work_locations")},
                            "stage": "candidate", "ratings": {"references": 5 if c["complete"] else 3},
                            "documents": documents, "credentials": [], "declarations": []})
        truth[c["code"]] = {"disqualified": not c["complete"], "discrepancies": []}
    (outdir / "diligence.json").write_text(json.dumps({"fiscal_year_start": start.isoformat(),
                                                       "truth_as_of": params.fiscal_year_end().isoformat(),
                                                       "vendors": out_vendors, "truth": truth}, indent=1))
    return ["diligence.json"]
