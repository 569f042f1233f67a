"""X12 5010 837I / 837P claims -> encounters and code lines as billed, plus claim tables.

The reader walks the segments of each transaction (see envelope.py for why we split them
ourselves) through the HL hierarchy: 2000A billing provider -> 2000B subscriber -> 2000C
patient -> 2300 claim -> 2400 service line. What it keeps, and from where, is FIELDS below:
one row per lake column. It keeps codes, dates, amounts, provider NPIs and keyed ids; never
a patient's name, address, member id or birth date (age is computed, then the date dropped).

A segment the 5010 837 does not have, a required element missing, a segment in a loop it
cannot be in, or a name-loop segment out of order rejects the whole file with its position.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from codingwatch.ingest.x12.envelope import Segment, Transaction, X12Reject, read_interchanges

# lake column -> where it comes from (loop, segment, element). The one map of what we keep.
FIELDS: dict[str, dict[str, str]] = {
    "claims": {
        "encounter_key": "2300 CLM01 patient control number, HMAC-keyed (lake.keys.source_key)",
        "claim_type": "GS08 / ST03: 005010X223* = 837I, 005010X222* = 837P",
        "guide_version": "GS08 implementation guide (e.g. 005010X222A1)",
        "transaction_control": "ST02",
        "billing_npi": "2010AA NM1*85 NM109 (NM108 = XX)",
        "billing_taxonomy": "2000A PRV*BI PRV03",
        "payer_id": "2010BB NM1*PR NM109",
        "filing_indicator": "2000B SBR09 claim filing indicator code",
        "total_charge": "2300 CLM02",
        "facility_code": "2300 CLM05-1 (837I: type of bill digits 2-3; 837P: place of service)",
        "frequency_code": "2300 CLM05-3 claim frequency type code (1 original, 7 replacement, 8 void)",
        "type_of_bill": "837I: '0' + CLM05-1 + CLM05-3",
        "place_of_service": "837P: CLM05-1",
        "statement_from": "2300 DTP*434 DTP03 (RD8 from)",
        "statement_to": "2300 DTP*434 DTP03 (RD8 to)",
        "admission_date": "2300 DTP*435 DTP03 (first 8 digits)",
        "admission_type": "2300 CL1 CL101",
        "discharge_status": "2300 CL1 CL103 patient status code",
        "drg_given": "2300 HI*DR HI01-2",
        "attending_npi": "2310A NM1*71 NM109",
        "rendering_npi": "2310B NM1*82 NM109",
        "service_facility_npi": "2310C/E NM1*77 NM109",
        "segment": "position of CLM in the file (1-based)",
    },
    "claim_codes": {
        "qualifier": "2300 HIxx-1 code list qualifier (ABK principal dx, ABF other dx, ABJ admitting, "
        "APR reason for visit, ABN external cause, BBR principal PCS, BBQ other PCS; BK/BF/... ICD-9)",
        "code_system": "from the HIxx-1 qualifier: ICD10CM, ICD10PCS, ICD9CM, ICD9PCS (HI_QUALIFIERS)",
        "role": "from the HIxx-1 qualifier: principal, other, admitting, reason_for_visit, external_cause",
        "code": "2300 HIxx-2",
        "poa": "2300 HIxx-9 present on admission (837I)",
        "sequence": "order within the code system on the claim (principal = 1)",
        "segment": "position of the HI segment",
    },
    "claim_lines": {
        "line_number": "2400 LX01",
        "revenue_code": "2400 SV201 (837I)",
        "qualifier": "2400 SV101-1 / SV202-1 product/service id qualifier (HC = CPT/HCPCS)",
        "code_system": "CPT or HCPCS by the shape of a qualifier-HC code (code_system_of), else empty",
        "code": "2400 SV101-2 / SV202-2",
        "modifiers": "2400 SV101-3..6 / SV202-3..6",
        "charge": "2400 SV102 / SV203",
        "unit_basis": "2400 SV103 / SV204",
        "units": "2400 SV104 / SV205",
        "place_of_service": "2400 SV105 (837P), else the claim's",
        "dx_pointers": "2400 SV107 (837P)",
        "service_date": "2400 DTP*472 DTP03 (first date)",
        "segment": "position of SV1/SV2",
    },
    "encounters": {
        "encounter_key": "2300 CLM01 keyed",
        "source_id_enc": "2300 CLM01, AES-GCM encrypted (shown only to roles that review charts)",
        "origin": "'billed'",
        "facility": "2010AA NM109 billing provider NPI",
        "encounter_type": "837P -> profee; 837I: CLM05-1 second digit 1 -> inpatient, "
        "else ED revenue line (045x, 0981) -> ed, else outpatient",
        "admit_date": "2300 DTP*435",
        "discharge_date": "inpatient: 2300 DTP*434 through date",
        "service_date": "837I: DTP*434 from date; 837P: earliest 2400 DTP*472",
        "sex": "2010CA DMG03 (patient) or 2010BA DMG03 (subscriber is the patient)",
        "age": "DMG02 birth date -> whole years at the admit/service date (birth date not kept)",
        "discharge_status": "2300 CL103",
        "drg_given": "2300 HI*DR",
        "drg": "CMS MS-DRG grouper on the billed inpatient claim (ICD-10 codes with POA, CL103, "
        "age, sex, discharge date in an installed fiscal year)",
        "drg_weight": "CMS Table 5 relative weight of drg",
        "grouper_version": "grouper release in force on the discharge date",
        "drg_mismatch": "drg_given differs from the grouper's drg",
    },
    "code_lines": {
        "ICD10CM": "HI ABK (sequence 1) then ABF, with HIxx-9 POA",
        "ICD10PCS": "HI BBR (sequence 1) then BBQ",
        "CPT/HCPCS": "2400 SV101 / SV202 with qualifier HC, modifiers and units",
    },
}

HI_QUALIFIERS = {
    # qualifier: (code system, role)
    "ABK": ("ICD10CM", "principal"), "ABF": ("ICD10CM", "other"), "ABJ": ("ICD10CM", "admitting"),
    "APR": ("ICD10CM", "reason_for_visit"), "ABN": ("ICD10CM", "external_cause"),
    "BBR": ("ICD10PCS", "principal"), "BBQ": ("ICD10PCS", "other"),
    "BK": ("ICD9CM", "principal"), "BF": ("ICD9CM", "other"), "BJ": ("ICD9CM", "admitting"),
    "PR": ("ICD9CM", "reason_for_visit"), "BN": ("ICD9CM", "external_cause"),
    "BR": ("ICD9PCS", "principal"), "BQ": ("ICD9PCS", "other"),
}

# Segment ids of the 5010 837I and 837P (and the envelope); anything else is rejected.
KNOWN_SEGMENTS = frozenset(
    "ISA GS ST BHT REF NM1 N2 N3 N4 PER HL PRV SBR PAT DMG CUR CLM DTP PWK CN1 AMT K3 NTE CR1 CR2 "
    "CRC HI HCP LX SV1 SV2 SV5 CR3 QTY MEA CL1 LIN CTP SVD CAS MOA MIA OI LQ FRM PS1 TOO SE GE IEA".split()
)

# Elements the 5010 guides make required in the segments we read.
REQUIRED = {
    "BHT": (1, 2, 4, 5), "HL": (1, 3), "NM1": (1, 2), "N3": (1,), "N4": (1,), "PER": (1,),
    "REF": (1, 2), "PRV": (1, 2, 3), "SBR": (1,), "DMG": (1, 2), "CLM": (1, 2, 5), "DTP": (1, 2, 3),
    "HI": (1,), "LX": (1,), "SV1": (1, 2, 3, 4), "SV2": (1, 3, 4, 5), "CL1": (), "PAT": (),
}

# Order of segments inside a name loop (NM1 then PRV, N2, N3, N4, DMG, REF, PER).
NAME_LOOP_RANK = {"PRV": 1, "N2": 2, "N3": 3, "N4": 4, "DMG": 5, "REF": 6, "PER": 7}

CPT_SHAPE = re.compile(r"^\d{4}[0-9FTU]$")
HCPCS_SHAPE = re.compile(r"^[A-V]\d{4}$")
ED_REVENUE = re.compile(r"^0?(45\d|981)$")


def code_system_of(qualifier: str, code: str) -> str | None:
    """CPT or HCPCS for a 'HC' procedure code of the right shape; None otherwise."""
    if qualifier != "HC":
        return None
    if CPT_SHAPE.match(code):
        return "CPT"
    if HCPCS_SHAPE.match(code):
        return "HCPCS"
    return None


@dataclass
class ServiceLine:
    line_number: int
    segment: int
    revenue_code: str | None
    qualifier: str | None
    code: str | None
    modifiers: list[str]
    charge: Decimal
    unit_basis: str | None
    units: Decimal | None
    place_of_service: str | None
    dx_pointers: str | None
    service_date: dt.date | None = None


@dataclass
class Claim:
    """One CLM and what belongs to it; `patient_control_number` is CLM01 (kept only keyed)."""

    patient_control_number: str
    segment: int
    claim_type: str  # 837I | 837P
    guide_version: str
    transaction_control: str
    total_charge: Decimal
    facility_code: str
    frequency_code: str
    billing_npi: str | None
    billing_taxonomy: str | None
    payer_id: str | None
    filing_indicator: str | None
    sex: str | None
    birth_date: dt.date | None
    statement_from: dt.date | None = None
    statement_to: dt.date | None = None
    admission_date: dt.date | None = None
    admission_type: str | None = None
    discharge_status: str | None = None
    drg_given: str | None = None
    attending_npi: str | None = None
    rendering_npi: str | None = None
    service_facility_npi: str | None = None
    codes: list[dict] = field(default_factory=list)  # qualifier, system, role, code, poa, segment
    lines: list[ServiceLine] = field(default_factory=list)

    @property
    def type_of_bill(self) -> str | None:
        return f"0{self.facility_code}{self.frequency_code}" if self.claim_type == "837I" else None

    @property
    def encounter_type(self) -> str:
        if self.claim_type == "837P":
            return "profee"
        if len(self.facility_code) >= 2 and self.facility_code[1] == "1":
            return "inpatient"
        if any(line.revenue_code and ED_REVENUE.match(line.revenue_code) for line in self.lines):
            return "ed"
        return "outpatient"

    @property
    def service_date(self) -> dt.date | None:
        if self.claim_type == "837I":
            return self.statement_from or self.admission_date
        dates = [line.service_date for line in self.lines if line.service_date]
        return min(dates) if dates else self.statement_from

    @property
    def age(self) -> int | None:
        on = self.admission_date or self.service_date
        if not self.birth_date or not on:
            return None
        years = on.year - self.birth_date.year - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        return years if 0 <= years <= 124 else None


def _date(segment: Segment, text: str) -> dt.date:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except (ValueError, IndexError):
        raise X12Reject(segment.position, f"{segment.id}: {text!r} is not a CCYYMMDD date") from None


X12_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")  # the X12 'R' type: no exponent, at most 18 digits


def _money(segment: Segment, index: int) -> Decimal:
    text = segment.get(index)
    digits = sum(ch.isdigit() for ch in text)
    if not X12_DECIMAL.match(text) or digits > 18:
        raise X12Reject(segment.position, f"{segment.id}{index:02d} {text!r} is not an X12 decimal amount")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise X12Reject(segment.position, f"{segment.id}{index:02d} {text!r} is not an amount") from None


def _claim_type(version: str, transaction: Transaction) -> str:
    guide = transaction.segments[0].get(3) or version
    if "X223" in guide:
        return "837I"
    if "X222" in guide:
        return "837P"
    raise X12Reject(transaction.segments[0].position,
                    f"implementation guide {guide!r} is neither 837I (005010X223) nor 837P (005010X222)")


def _check_required(segment: Segment) -> None:
    for index in REQUIRED.get(segment.id, ()):
        if not segment.get(index):
            raise X12Reject(segment.position, f"{segment.id}{index:02d} is required but missing")


COUNT_FAULTS = ("SE01 declares", "GE01 declares", "IEA01 declares")


def read_claims(data: bytes, *, warnings: list | None = None, lenient_counts: bool = False) -> list[Claim]:
    """Every claim of an 837 file; raises X12Reject (whole file) on the first fault.

    `warnings` collects (segment, reason) for what loads but deserves a look.
    """
    warnings = [] if warnings is None else warnings
    claims: list[Claim] = []
    # Counts are checked after the structure, so that a file with both faults is rejected
    # for the more telling one (a misplaced segment also breaks the count).
    counts: list = []
    for interchange in read_interchanges(data, warnings=counts, lenient_counts=True,
                                         lenient_controls=lenient_counts):
        for transaction in interchange.transactions:
            if transaction.set_id != "837":
                raise X12Reject(transaction.segments[0].position,
                                f"ST01 is {transaction.set_id!r}: this is not an 837 claim transaction")
            claims.extend(_walk(transaction, warnings, lenient_counts))
    # Only the envelope counts are faults here; the other envelope warnings (a component
    # separator other than ISA16's) load, as documented.
    count_faults = [c for c in counts if c[1].startswith(COUNT_FAULTS)]
    if count_faults and not lenient_counts:
        raise X12Reject(*count_faults[0])
    warnings[:0] = counts
    return claims


def _walk(transaction: Transaction, warnings: list, lenient: bool) -> list[Claim]:  # noqa: C901 - one loop over the 837 grammar
    claim_type = _claim_type(transaction.version, transaction)
    claims: list[Claim] = []
    hl_levels: dict[str, str] = {}
    billing: dict = {}
    subscriber: dict = {}
    patient: dict = {}
    claim: Claim | None = None
    line: ServiceLine | None = None
    level = ""  # HL03 of the open HL
    entity = ""  # NM101 of the open name loop, '' when none is open
    name_rank = 0
    in_other_payer = False  # inside a 2320/2330 loop (other subscriber, COB)
    pending_lx: Segment | None = None
    segments = transaction.segments
    if len(segments) < 2 or segments[1].id != "BHT":
        raise X12Reject(segments[1].position if len(segments) > 1 else segments[0].position,
                        "BHT must follow ST in an 837")
    for segment in segments[1:-1]:
        sid = segment.id
        if sid not in KNOWN_SEGMENTS:
            raise X12Reject(segment.position, f"segment id {sid!r} is not a segment of the 5010 837")
        _check_required(segment)
        if sid in NAME_LOOP_RANK and entity:
            rank = NAME_LOOP_RANK[sid]
            if rank < name_rank:
                raise X12Reject(segment.position,
                                f"{sid} is out of place: it comes after a later segment of the NM1*{entity} loop")
            name_rank = rank
        elif sid != "NM1":
            entity = ""
        if sid == "HL":
            hl_id, parent, level = segment.get(1), segment.get(2), segment.get(3)
            expected_parent = {"20": None, "22": "20", "23": "22"}
            if level not in expected_parent:
                raise X12Reject(segment.position, f"HL03 {level!r} is not 20, 22 or 23 in an 837")
            numbering = None
            if hl_id in hl_levels:
                numbering = f"HL01 {hl_id!r} repeats an earlier HL id"
            elif expected_parent[level] is not None and hl_levels.get(parent) != expected_parent[level]:
                numbering = f"HL02 {parent!r} is not an HL*{expected_parent[level]} before this HL*{level}"
            if numbering:
                if not lenient:
                    raise X12Reject(segment.position, numbering)
                # read as nested under the last open HL of the parent level
                if expected_parent[level] is not None and expected_parent[level] not in hl_levels.values():
                    raise X12Reject(segment.position, numbering)
                warnings.append((segment.position, numbering))
            hl_levels[hl_id] = level
            claim, line, in_other_payer = None, None, False
            if level == "20":
                billing, subscriber, patient = {}, {}, {}
            elif level == "22":
                subscriber, patient = {}, {}
            else:
                patient = {}
        elif sid == "NM1":
            entity, name_rank = segment.get(1), 0
            npi = segment.get(9) if segment.get(8) == "XX" else None
            if in_other_payer:
                continue
            if entity == "85" and level == "20":
                billing["npi"] = npi
            elif entity == "IL" and claim is None:
                subscriber["named"] = True
            elif entity == "PR" and claim is None and level == "22":
                subscriber["payer_id"] = segment.get(9)
            elif entity == "QC":
                patient["named"] = True
            elif claim is not None and line is None:
                if entity == "71":
                    claim.attending_npi = npi
                elif entity == "82":
                    claim.rendering_npi = npi
                elif entity == "77":
                    claim.service_facility_npi = npi
        elif sid == "PRV":
            if level == "20" and claim is None and segment.get(1) == "BI":
                billing["taxonomy"] = segment.get(3)
        elif sid == "SBR":
            if claim is not None:
                in_other_payer = True  # 2320: other subscriber information (COB)
            elif level == "22":
                subscriber["filing_indicator"] = segment.get(9) or None
            else:
                raise X12Reject(segment.position, "SBR is out of place: it belongs in an HL*22 or a claim")
        elif sid == "DMG":
            if not in_other_payer:
                holder = patient if level == "23" else subscriber
                if segment.get(1) == "D8" and segment.get(2):
                    holder["birth_date"] = _date(segment, segment.get(2))
                holder["sex"] = segment.get(3) or None
        elif sid == "CLM":
            if level not in ("22", "23"):
                raise X12Reject(segment.position, "CLM is out of place: a claim belongs under an HL*22 or HL*23")
            parts = segment.components(5)
            if len(parts) < 3 or not parts[0] or not parts[2]:
                raise X12Reject(segment.position,
                                "CLM05 needs facility code, qualifier and frequency code (e.g. 11:B:1)")
            person = patient if level == "23" else subscriber
            claim = Claim(
                patient_control_number=segment.get(1),
                segment=segment.position,
                claim_type=claim_type,
                guide_version=transaction.version,
                transaction_control=transaction.control,
                total_charge=_money(segment, 2),
                facility_code=parts[0],
                frequency_code=parts[2],
                billing_npi=billing.get("npi"),
                billing_taxonomy=billing.get("taxonomy"),
                payer_id=subscriber.get("payer_id"),
                filing_indicator=subscriber.get("filing_indicator"),
                sex=person.get("sex"),
                birth_date=person.get("birth_date"),
            )
            claims.append(claim)
            line, in_other_payer = None, False
        elif sid == "LX":
            if claim is None:
                raise X12Reject(segment.position, "LX is out of place: a service line needs a CLM before it")
            line = None
            in_other_payer = False
            pending_lx = segment
        elif sid in ("SV1", "SV2"):
            if claim is None or pending_lx is None:
                raise X12Reject(segment.position, f"{sid} is out of place: it must follow LX")
            if (sid == "SV1") != (claim_type == "837P"):
                raise X12Reject(segment.position, f"{sid} does not belong in an {claim_type}")
            try:
                number = int(pending_lx.get(1))
            except ValueError:
                raise X12Reject(pending_lx.position, f"LX01 {pending_lx.get(1)!r} is not a number") from None
            if sid == "SV1":
                proc = segment.components(1)
                line = ServiceLine(
                    line_number=number, segment=segment.position, revenue_code=None,
                    qualifier=proc[0] or None, code=(proc[1] if len(proc) > 1 else "") or None,
                    modifiers=[m for m in proc[2:6] if m], charge=_money(segment, 2),
                    unit_basis=segment.get(3) or None,
                    units=_money(segment, 4) if segment.get(4) else None,
                    place_of_service=segment.get(5) or claim.facility_code,
                    dx_pointers=segment.get(7) or None,
                )
            else:
                proc = segment.components(2)
                line = ServiceLine(
                    line_number=number, segment=segment.position, revenue_code=segment.get(1),
                    qualifier=(proc[0] if proc else "") or None,
                    code=(proc[1] if len(proc) > 1 else "") or None,
                    modifiers=[m for m in proc[2:6] if m], charge=_money(segment, 3),
                    unit_basis=segment.get(4) or None,
                    units=_money(segment, 5) if segment.get(5) else None,
                    place_of_service=None, dx_pointers=None,
                )
            claim.lines.append(line)
            pending_lx = None
        elif sid == "DTP":
            qualifier, fmt, value = segment.get(1), segment.get(2), segment.get(3)
            if line is not None:
                if qualifier == "472":
                    line.service_date = _date(segment, value[:8])
            elif claim is not None and not in_other_payer:
                if qualifier == "434":
                    claim.statement_from = _date(segment, value[:8])
                    claim.statement_to = _date(segment, value[9:17]) if fmt == "RD8" else claim.statement_from
                elif qualifier == "435":
                    claim.admission_date = _date(segment, value[:8])
        elif sid == "CL1":
            if claim is None or line is not None:
                raise X12Reject(segment.position, "CL1 is out of place: it belongs in the claim (2300)")
            claim.admission_type = segment.get(1) or None
            claim.discharge_status = segment.get(3) or None
        elif sid == "HI":
            if claim is None or line is not None or in_other_payer:
                raise X12Reject(segment.position, "HI is out of place: it belongs in the claim (2300), before LX")
            for index in range(1, 13):
                parts = segment.components(index)
                if not parts:
                    continue
                qualifier = parts[0]
                code = parts[1] if len(parts) > 1 else ""
                if not code:
                    warnings.append((segment.position, f"HI{index:02d} {segment.get(index)!r} has no code "
                                     "(not a qualifier:code composite): skipped"))
                    continue
                if qualifier == "DR":
                    claim.drg_given = code
                    continue
                if qualifier not in HI_QUALIFIERS:
                    continue  # value, occurrence, condition codes: not coding
                system, role = HI_QUALIFIERS[qualifier]
                claim.codes.append({
                    "qualifier": qualifier, "system": system, "role": role,
                    "code": code.replace(".", "").upper(),
                    "poa": (parts[8] if len(parts) > 8 else "") or None,
                    "segment": segment.position,
                })
    return claims
