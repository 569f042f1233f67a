"""Writing X12 5010 835 remittances and 837P/837I claims from plain dicts.

For synthetic worlds and tests: the envelope counts and control numbers are derived, money
is written from Decimal as given. Our own code (not oxedi.write) because the synthetic
world starts from claim dicts, not from parsed tables, and the 837 has no oxedi spec.

A remittance claim dict: {"claim_id", "status" ('1' paid as primary, '4' denied, ...),
"charge", "payment", "patient_responsibility" (default 0), "filing_indicator" (default
'MC'), "payer_claim_id" (optional), "drg" (optional), "adjustments": [{"group", "carc",
"amount", "quantity" (optional)}], "remarks": [RARC, ...] (written as MOA), "lines": [{"code",
"modifiers", "charge", "payment", "units", "adjustments": [...], "remarks": [RARC, ...]}]}.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

ELEMENT, COMPONENT, SEGMENT, REPETITION = "*", ":", "~", "^"


def _money(value) -> str:
    value = Decimal(str(value)).quantize(Decimal("0.01"))
    text = format(value, "f")
    return text


def _envelope(kind: str, body: list[list[str]], *, sender: str, receiver: str, control: int,
              date: dt.date, version: str, line_break: bool) -> bytes:
    isa = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15)[:15], "ZZ",
           receiver.ljust(15)[:15], date.strftime("%y%m%d"), "1200", REPETITION, "00501",
           f"{control:09d}", "0", "P", COMPONENT]
    gs = ["GS", "HP" if kind == "835" else "HC", sender, receiver, date.strftime("%Y%m%d"), "1200",
          str(control), "X", version]
    st = ["ST", kind, "0001"] + ([version] if kind == "837" else [])
    segments = [isa, gs, st, *body, ["SE", str(len(body) + 2), "0001"], ["GE", "1", str(control)],
                ["IEA", "1", f"{control:09d}"]]
    end = SEGMENT + ("\n" if line_break else "")
    return "".join(ELEMENT.join(s) + end for s in segments).encode("latin-1")


def _cas(adjustments: list[dict]) -> list[list[str]]:
    out = []
    by_group: dict[str, list[dict]] = {}
    for adj in adjustments:
        by_group.setdefault(adj["group"], []).append(adj)
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            segment = ["CAS", group]
            for adj in items[start:start + 6]:
                quantity = adj.get("quantity")
                segment += [str(adj["carc"]), _money(adj["amount"]), "" if quantity is None else str(quantity)]
            while segment and segment[-1] == "":
                segment.pop()
            out.append(segment)
    return out


def write_835(claims: list[dict], *, payer_name: str = "SYNTHETIC PAYER", payer_id: str = "9999999999",
              payee_name: str = "SYNTHETIC HOSPITAL", payee_npi: str = "1234567893",
              payment_date: dt.date = dt.date(2026, 1, 15), trace_number: str = "TRACE0001",
              control: int = 1, line_break: bool = False) -> bytes:
    """One interchange with one 835 paying `claims`; BPR02 is the sum of CLP04."""
    total = sum((Decimal(str(c["payment"])) for c in claims), Decimal("0"))
    body: list[list[str]] = [
        ["BPR", "I", _money(total), "C", "ACH", "CCP", "01", "999999999", "DA", "123456", payer_id,
         "", "01", "888888888", "DA", "654321", payment_date.strftime("%Y%m%d")],
        ["TRN", "1", trace_number, payer_id],
        ["DTM", "405", payment_date.strftime("%Y%m%d")],
        ["N1", "PR", payer_name],
        ["N3", "1 PAYER WAY"],
        ["N4", "CITY", "MD", "123451234"],
        ["PER", "BL", "EDI", "TE", "8005551212"],
        ["N1", "PE", payee_name, "XX", payee_npi],
        ["LX", "1"],
    ]
    for claim in claims:
        clp = ["CLP", claim["claim_id"], str(claim.get("status", "1")), _money(claim["charge"]),
               _money(claim["payment"]), _money(claim.get("patient_responsibility", 0)),
               claim.get("filing_indicator", "MC"), claim.get("payer_claim_id", "PCN" + claim["claim_id"])]
        if claim.get("drg"):
            clp += ["", "", "", str(claim["drg"])]
        body.append(clp)
        body += _cas(claim.get("adjustments", []))
        body.append(["NM1", "QC", "1", "PATIENT", "SYNTHETIC"])
        if claim.get("remarks"):
            body.append(["MOA", "", "", *claim["remarks"][:5]])
        for line in claim.get("lines", []):
            procedure = COMPONENT.join(["HC", line["code"], *line.get("modifiers", [])])
            body.append(["SVC", procedure, _money(line["charge"]), _money(line["payment"]), "",
                         str(line.get("units", 1))])
            body += _cas(line.get("adjustments", []))
            for remark in line.get("remarks", []):
                body.append(["LQ", "HE", remark])
    return _envelope("835", body, sender=payer_id, receiver=payee_npi, control=control,
                     date=payment_date, version="005010X221A1", line_break=line_break)


def _837_header(*, control: int, date: dt.date, payer_id: str, billing_name: str, billing_npi: str) -> list[list[str]]:
    """BHT, submitter, receiver and the billing provider's HL of an 837 (837I and 837P alike)."""
    return [
        ["BHT", "0019", "00", f"B{control}", date.strftime("%Y%m%d"), "1200", "CH"],
        ["NM1", "41", "2", "SUBMITTER", "", "", "", "", "46", "SUBMITTER1"],
        ["PER", "IC", "EDI", "TE", "8005551212"],
        ["NM1", "40", "2", "PAYER", "", "", "", "", "46", payer_id],
        ["HL", "1", "", "20", "1"],
        ["NM1", "85", "2", billing_name, "", "", "", "", "XX", billing_npi],
        ["N3", "1 MAIN ST"],
        ["N4", "CITY", "MD", "123451234"],
        ["REF", "EI", "123456789"],
    ]


def write_837p(claims: list[dict], *, billing_npi: str = "1234567893", payer_id: str = "9999999999",
               control: int = 1, date: dt.date = dt.date(2026, 1, 5), line_break: bool = False) -> bytes:
    """One 837P interchange. A claim dict: {"claim_id", "charge", "place_of_service" ('11'),
    "sex", "birth_date" (date), "diagnoses": [ICD-10-CM codes, principal first],
    "lines": [{"code", "modifiers", "charge", "units", "service_date"}]}."""
    body = _837_header(control=control, date=date, payer_id=payer_id, billing_name="BILLING PROVIDER", billing_npi=billing_npi)
    hl = 1
    for claim in claims:
        hl += 1
        body += [
            ["HL", str(hl), "1", "22", "0"],
            ["SBR", "P", "18", "", "", "", "", "", "", "MB"],
            ["NM1", "IL", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI", "M" + claim["claim_id"]],
            ["DMG", "D8", claim.get("birth_date", dt.date(1960, 1, 1)).strftime("%Y%m%d"), claim.get("sex", "U")],
            ["NM1", "PR", "2", "PAYER", "", "", "", "", "PI", payer_id],
            ["CLM", claim["claim_id"], _money(claim["charge"]), "", "",
             COMPONENT.join([claim.get("place_of_service", "11"), "B", claim.get("frequency", "1")]),
             "Y", "A", "Y", "Y"],
        ]
        diagnoses = claim.get("diagnoses", [])
        if diagnoses:
            hi = ["HI", COMPONENT.join(["ABK", diagnoses[0]])]
            hi += [COMPONENT.join(["ABF", code]) for code in diagnoses[1:12]]
            body.append(hi)
        for number, line in enumerate(claim.get("lines", []), start=1):
            procedure = COMPONENT.join(["HC", line["code"], *line.get("modifiers", [])])
            body += [
                ["LX", str(number)],
                ["SV1", procedure, _money(line["charge"]), "UN", str(line.get("units", 1)), "", "", "1"],
                ["DTP", "472", "D8", line.get("service_date", date).strftime("%Y%m%d")],
            ]
    return _envelope("837", body, sender="SUBMITTER1", receiver=payer_id, control=control, date=date,
                     version="005010X222A1", line_break=line_break)


def write_837i(claims: list[dict], *, billing_npi: str = "1234567893", payer_id: str = "9999999999",
               control: int = 1, date: dt.date = dt.date(2026, 1, 5), line_break: bool = False) -> bytes:
    """One 837I interchange. A claim dict: {"claim_id", "charge", "type_of_bill" ('111'
    inpatient, '131' outpatient: facility code + frequency), "sex", "birth_date",
    "admit_date", "discharge_date" (statement from/through), "discharge_status" ('01'),
    "admission_type" ('1'), "diagnoses": [(ICD-10-CM, POA), ... principal first],
    "procedures": [ICD-10-PCS, ... principal first], "drg" (optional),
    "lines": [{"revenue_code", "code" (optional HCPCS), "modifiers", "charge", "units"}]}."""
    body = _837_header(control=control, date=date, payer_id=payer_id, billing_name="BILLING FACILITY", billing_npi=billing_npi)
    hl = 1
    for claim in claims:
        hl += 1
        tob = claim.get("type_of_bill", "111")
        admit = claim.get("admit_date", date)
        discharge = claim.get("discharge_date", admit)
        body += [
            ["HL", str(hl), "1", "22", "0"],
            ["SBR", "P", "18", "", "", "", "", "", "", "MA"],
            ["NM1", "IL", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI", "M" + claim["claim_id"]],
            ["DMG", "D8", claim.get("birth_date", dt.date(1950, 1, 1)).strftime("%Y%m%d"), claim.get("sex", "U")],
            ["NM1", "PR", "2", "PAYER", "", "", "", "", "PI", payer_id],
            ["CLM", claim["claim_id"], _money(claim["charge"]), "", "",
             COMPONENT.join([tob[:2], "A", tob[2:] or "1"]), "", "A", "Y", "Y"],
            ["DTP", "434", "RD8", f"{admit:%Y%m%d}-{discharge:%Y%m%d}"],
        ]
        if tob[1:2] == "1":
            body.append(["DTP", "435", "DT", f"{admit:%Y%m%d}0800"])
        body.append(["CL1", claim.get("admission_type", "1"), "7", claim.get("discharge_status", "01")])
        diagnoses = claim.get("diagnoses", [])
        if diagnoses:
            def dx(qualifier: str, code: str, poa: str | None) -> str:
                parts = [qualifier, code] + ([""] * 6 + [poa] if poa else [])
                return COMPONENT.join(parts)
            first_code, first_poa = diagnoses[0]
            body.append(["HI", dx("ABK", first_code, first_poa)])
            others = diagnoses[1:]
            for start in range(0, len(others), 12):
                body.append(["HI", *[dx("ABF", code, poa) for code, poa in others[start:start + 12]]])
        procedures = claim.get("procedures", [])
        if procedures:
            stamp = admit.strftime("%Y%m%d")
            body.append(["HI", COMPONENT.join(["BBR", procedures[0], "D8", stamp])])
            for start in range(1, len(procedures), 12):
                body.append(["HI", *[COMPONENT.join(["BBQ", p, "D8", stamp]) for p in procedures[start:start + 12]]])
        if claim.get("drg"):
            body.append(["HI", COMPONENT.join(["DR", str(claim["drg"])])])
        for number, line in enumerate(claim.get("lines", []), start=1):
            procedure = COMPONENT.join(["HC", line["code"], *line.get("modifiers", [])]) if line.get("code") else ""
            body += [
                ["LX", str(number)],
                ["SV2", line.get("revenue_code", "0300"), procedure, _money(line["charge"]), "UN",
                 str(line.get("units", 1))],
            ]
    return _envelope("837", body, sender="SUBMITTER1", receiver=payer_id, control=control, date=date,
                     version="005010X223A2", line_break=line_break)
