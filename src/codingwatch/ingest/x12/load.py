"""Loading 837 and 835 files into the lake: one Lake.commit_load per file, whole or nothing.

`ingest_x12_file(path, kind)` loads one file and returns its X12Result (the ingest contract's
IngestResult, codingwatch.ingest.contract); `ingest_claims(paths)` and `ingest_remits(paths)`
load several and return an IngestReport of their results. A file already loaded (same
SHA-256) is skipped; a rejected file is reported with its segment and reason and the other
files still load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from codingwatch.codesets import COVERED_FISCAL_YEARS, Grouper, carc, fiscal_year
from codingwatch.ingest import contract
from codingwatch.ingest.contract import (
    LOADED,
    REJECTED,
    SKIPPED,
    IngestResult,
    Problem,
    Progress,
    no_progress,
)
from codingwatch.ingest.x12 import claims as claims_reader
from codingwatch.ingest.x12 import remits as remits_reader
from codingwatch.ingest.x12.envelope import X12Reject, check_control_characters
from codingwatch.lake import keys
from codingwatch.lake.schema import TABLES
from codingwatch.lake.store import Lake, new_load_id, open_lake
from codingwatch.vocabulary import Vocabulary

MAX_WARNINGS_PER_FILE = 20


@dataclass
class X12Result(IngestResult):
    """One 837 or 835 file's result: the contract's, plus its figures and its warnings (faults
    loaded anyway with --lenient, each a Problem naming its segment)."""

    claims: int = 0
    service_lines: int = 0
    adjustments: int = 0
    charge_total: Decimal = Decimal("0")
    paid_total: Decimal = Decimal("0")
    warnings: list[Problem] = field(default_factory=list)
    warnings_total: int = 0
    unknown_carcs: list[str] = field(default_factory=list)  # kept in the lake, not in our catalog
    unknown_rarcs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = super().as_dict()
        out["charge_total"], out["paid_total"] = str(self.charge_total), str(self.paid_total)
        out["warnings"] = [w.as_dict() for w in self.warnings]
        return out


@dataclass
class IngestReport:
    """A run over several X12 files: the result of each (`results`) and their totals."""

    kind: str
    results: list[X12Result] = field(default_factory=list)

    def _of(self, status: str) -> list[X12Result]:
        return [r for r in self.results if r.status == status]

    @property
    def files(self) -> int:  # files loaded in this run
        return len(self._of(LOADED))

    @property
    def skipped(self) -> list[str]:  # already in the lake
        return [r.file for r in self._of(SKIPPED)]

    @property
    def rejected(self) -> list[dict]:  # each a Problem as JSON: {file, segment, reason}
        return [p.as_dict() for r in self._of(REJECTED) for p in r.problems]

    @property
    def warnings(self) -> list[dict]:  # the first MAX_WARNINGS_PER_FILE of each file, as JSON
        return [w.as_dict() for r in self.results for w in r.warnings[:MAX_WARNINGS_PER_FILE]]

    @property
    def warnings_total(self) -> int:
        return sum(r.warnings_total for r in self.results)

    @property
    def loads(self) -> list[str]:
        return [r.load_id for r in self._of(LOADED)]

    @property
    def claims(self) -> int:
        return sum(r.claims for r in self._of(LOADED))

    @property
    def service_lines(self) -> int:
        return sum(r.service_lines for r in self._of(LOADED))

    @property
    def adjustments(self) -> int:
        return sum(r.adjustments for r in self._of(LOADED))

    @property
    def charge_total(self) -> Decimal:
        return sum((r.charge_total for r in self._of(LOADED)), Decimal("0"))

    @property
    def paid_total(self) -> Decimal:
        return sum((r.paid_total for r in self._of(LOADED)), Decimal("0"))

    @property
    def unknown_carcs(self) -> set[str]:
        return {c for r in self.results for c in r.unknown_carcs}

    @property
    def unknown_rarcs(self) -> set[str]:
        return {c for r in self.results for c in r.unknown_rarcs}

    def as_dict(self) -> dict:
        total = "paid_total" if self.kind == "remits" else None
        out = {
            "kind": self.kind,
            "files": self.files,
            "skipped": self.skipped,
            "claims": self.claims,
            "service_lines": self.service_lines,
            "adjustments": self.adjustments,
            "charge_total": str(self.charge_total),
            "rejected": self.rejected,
            "warnings": self.warnings,
            "warnings_total": self.warnings_total,
            "loads": self.loads,
        }
        if total:
            out["paid_total"] = str(self.paid_total)
            out["unknown_carcs"] = sorted(self.unknown_carcs)
            out["unknown_rarcs"] = sorted(self.unknown_rarcs)
        return out


def _sum(table: pa.Table, column: str) -> Decimal:
    import pyarrow.compute as pc

    value = pc.sum(table.column(column)).as_py() if table.num_rows else None
    return Decimal(value) if value is not None else Decimal("0")


def _distinct(table: pa.Table, column: str) -> list:
    import pyarrow.compute as pc

    return pc.unique(table.column(column)).to_pylist()


# ---- 835 ---------------------------------------------------------------------------------
def remit_tables(data: bytes, load_id: str, *, warnings: list | None = None,
                 lenient: bool = False) -> dict[str, pa.Table]:
    """The lake tables of one 835 (raises X12Reject); `lenient` as for `remits.parse`."""
    check_control_characters(data)
    result = remits_reader.parse(data, warnings=warnings, lenient=lenient)
    try:
        return remits_reader.tables(result, load_id)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise X12Reject(0, f"a value does not fit the lake's columns (e.g. an amount too large): {exc}") from None


@contract.batched
def ingest_remits(paths: Iterable[Path], *, lake: Lake | None = None, lenient: bool = False,
                  progress: Progress | None = None, vocabulary: Vocabulary | None = None) -> IngestReport:
    """`vocabulary`: the organization's names; a payer (N1*PR N102) it maps is stored under its
    canonical name, so one payer written two ways by two clearinghouses is one payer.
    `progress(step, fraction)` is called as each file starts (0.0) and ends (1.0)."""
    report = IngestReport(kind="remits")
    lake = lake or open_lake()
    for path in paths:
        report.results.append(ingest_x12_file(Path(path), "remits", lake=lake, lenient=lenient,
                                              vocabulary=vocabulary, progress=progress))
    return report


def _canonical_payers(payments: pa.Table, vocabulary: Vocabulary) -> pa.Table:
    """The payments with each payer name replaced by the organization's canonical name."""
    column = payments.schema.get_field_index("payer_name")
    names = [vocabulary.canonical("payer", name) if name else name
             for name in payments.column(column).to_pylist()]
    return payments.set_column(column, payments.schema.field(column), pa.array(names, pa.string()))


# ---- 837 ---------------------------------------------------------------------------------
def _billed_drg(claim, grouper_box: list) -> tuple | None:
    """(drg, weight, grouper version) of a billed inpatient claim with ICD-10 codes whose
    discharge falls in an installed fiscal year; None otherwise (e.g. ICD-9 era claims)."""
    if claim.encounter_type != "inpatient" or not claim.statement_to or claim.age is None:
        return None
    diagnoses = sorted((c for c in claim.codes if c["system"] == "ICD10CM" and c["role"] in ("principal", "other")),
                       key=lambda c: c["role"] != "principal")
    if not diagnoses or diagnoses[0]["role"] != "principal":
        return None
    if fiscal_year(claim.statement_to) not in COVERED_FISCAL_YEARS:
        return None
    try:
        status = int(claim.discharge_status or "")
    except ValueError:
        return None
    procedures = [c["code"] for c in sorted(claim.codes, key=lambda c: c["role"] != "principal")
                  if c["system"] == "ICD10PCS"]
    if not grouper_box:
        grouper_box.append(Grouper())
    result = grouper_box[0].group(
        discharge_date=claim.statement_to, age=claim.age, sex=claim.sex or "U", discharge_status=status,
        diagnoses=[(c["code"], c["poa"] or "") for c in diagnoses], procedures=procedures,
    )
    return result.drg, result.weight, result.version


def claim_tables(data: bytes, load_id: str, *, warnings: list | None = None,
                 lenient: bool = False) -> dict[str, pa.Table]:
    """The lake tables of one 837 (raises X12Reject): encounters and code lines as billed,
    plus claims, claim_codes and claim_lines. Billed inpatient claims go through the CMS
    MS-DRG grouper, so that the DRG the claim states (HI*DR) can be checked."""
    grouper_box: list = []
    try:
        return _claim_tables(data, load_id, warnings=warnings, lenient=lenient, grouper_box=grouper_box)
    finally:
        if grouper_box:
            grouper_box[0].close()


def _claim_tables(data: bytes, load_id: str, *, warnings: list | None, lenient: bool,
                  grouper_box: list) -> dict[str, pa.Table]:
    claims = claims_reader.read_claims(data, warnings=warnings, lenient_counts=lenient)
    ids = [c.patient_control_number for c in claims]
    encounter_keys = keys.source_keys(ids)
    encrypted = keys.encrypt_source_ids(ids)
    rows: dict[str, list[dict]] = {name: [] for name in
                                   ("encounters", "code_lines", "claims", "claim_codes", "claim_lines")}
    for claim, key, enc in zip(claims, encounter_keys, encrypted, strict=True):
        inpatient = claim.encounter_type == "inpatient"
        day = (claim.statement_to if inpatient else claim.service_date) or claim.service_date
        try:
            status = int(claim.discharge_status) if claim.discharge_status else None
        except ValueError:
            status = None
        try:
            drg_given = int(claim.drg_given) if claim.drg_given else None
        except ValueError:
            drg_given = None
        grouped = _billed_drg(claim, grouper_box)
        drg, weight, version = grouped if grouped else (None, None, None)
        rows["encounters"].append({
            "encounter_key": key, "source_id_enc": enc, "origin": "billed",
            "facility": claim.billing_npi, "encounter_type": claim.encounter_type, "specialty": None,
            "admit_date": claim.admission_date or (claim.statement_from if inpatient else None),
            "discharge_date": claim.statement_to if inpatient else None,
            "service_date": claim.service_date,
            "sex": claim.sex if claim.sex in ("M", "F", "U") else ("U" if claim.sex else None),
            "age": claim.age, "discharge_status": status,
            "fiscal_year": fiscal_year(day) if day else None,
            "drg_given": drg_given, "drg": drg, "drg_weight": weight,
            "drg_mismatch": (drg_given != drg) if (drg_given is not None and drg is not None) else None,
            "grouper_version": version, "load_id": load_id,
        })
        rows["claims"].append({
            "encounter_key": key, "load_id": load_id, "segment": claim.segment,
            "claim_type": claim.claim_type, "guide_version": claim.guide_version,
            "transaction_control": claim.transaction_control, "billing_npi": claim.billing_npi,
            "billing_taxonomy": claim.billing_taxonomy, "payer_id": claim.payer_id,
            "filing_indicator": claim.filing_indicator, "total_charge": claim.total_charge,
            "facility_code": claim.facility_code, "frequency_code": claim.frequency_code,
            "type_of_bill": claim.type_of_bill,
            "place_of_service": claim.facility_code if claim.claim_type == "837P" else None,
            "statement_from": claim.statement_from, "statement_to": claim.statement_to,
            "admission_date": claim.admission_date, "admission_type": claim.admission_type,
            "discharge_status": claim.discharge_status, "drg_given": claim.drg_given,
            "attending_npi": claim.attending_npi, "rendering_npi": claim.rendering_npi,
            "service_facility_npi": claim.service_facility_npi,
        })
        sequence: dict[str, int] = {}
        for code in sorted(claim.codes, key=lambda c: c["role"] != "principal"):
            system = code["system"]
            billed = code["role"] in ("principal", "other")
            number = None
            if billed:
                sequence[system] = sequence.get(system, 0) + 1
                number = sequence[system]
            rows["claim_codes"].append({
                "encounter_key": key, "load_id": load_id, "segment": code["segment"],
                "qualifier": code["qualifier"], "code_system": system, "role": code["role"],
                "code": code["code"], "poa": code["poa"], "sequence": number,
            })
            if billed and system in ("ICD10CM", "ICD10PCS"):
                rows["code_lines"].append({
                    "encounter_key": key, "code_system": system, "code": code["code"],
                    "sequence": number, "poa": code["poa"] if system == "ICD10CM" else None,
                    "modifiers": None, "units": None, "load_id": load_id,
                })
        proc_sequence = 0
        for line in claim.lines:
            system = claims_reader.code_system_of(line.qualifier or "", line.code or "")
            modifiers = ",".join(line.modifiers) or None
            rows["claim_lines"].append({
                "encounter_key": key, "load_id": load_id, "segment": line.segment,
                "line_number": line.line_number, "revenue_code": line.revenue_code,
                "qualifier": line.qualifier, "code_system": system, "code": line.code,
                "modifiers": modifiers, "charge": line.charge, "unit_basis": line.unit_basis,
                "units": line.units, "place_of_service": line.place_of_service,
                "dx_pointers": line.dx_pointers, "service_date": line.service_date,
            })
            if system:
                proc_sequence += 1
                rows["code_lines"].append({
                    "encounter_key": key, "code_system": system, "code": line.code,
                    "sequence": proc_sequence, "poa": None, "modifiers": modifiers,
                    "units": line.units if line.units is not None else Decimal("1"), "load_id": load_id,
                })
    try:
        return {name: pa.Table.from_pylist(values, schema=TABLES[name]) for name, values in rows.items()}
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise X12Reject(0, f"a value does not fit the lake's columns (e.g. an amount too large): {exc}") from None


@contract.batched
def ingest_claims(paths: Iterable[Path], *, lake: Lake | None = None, lenient: bool = False,
                  progress: Progress | None = None) -> IngestReport:
    report = IngestReport(kind="claims")
    lake = lake or open_lake()
    for path in paths:
        report.results.append(ingest_x12_file(Path(path), "claims", lake=lake, lenient=lenient, progress=progress))
    return report


def ingest_x12_file(path: Path, kind: str, *, lake: Lake, lenient: bool = False,
                    vocabulary: Vocabulary | None = None, progress: Progress | None = None) -> X12Result:
    """Load one 837 (`kind` "claims") or 835 ("remits") file, whole or nothing, per the ingest
    contract; a file already loaded is skipped; a fault refuses it naming the segment."""
    progress = progress or no_progress
    progress(f"{path.name}: reading", 0.0)
    try:
        return _ingest_one(lake, path, kind, lenient=lenient, vocabulary=vocabulary)
    finally:
        progress(f"{path.name}: done", 1.0)


def _ingest_one(lake: Lake, path: Path, kind: str, *, lenient: bool = False,
                vocabulary: Vocabulary | None = None) -> X12Result:
    name = path.name
    result = X12Result(file=str(path), kind=kind)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return result.refuse(Problem(file=str(path), segment=0, reason=f"cannot read: {exc.strerror}"))
    if not contract.start(result, path, lake, sha256=hashlib.sha256(data).hexdigest()):
        return result
    load_id = new_load_id()
    warnings: list = []
    try:
        if kind == "remits":
            tables = remit_tables(data, load_id, warnings=warnings, lenient=lenient)
            if vocabulary is not None:
                tables["remit_payments"] = _canonical_payers(tables["remit_payments"], vocabulary)
        else:
            tables = claim_tables(data, load_id, warnings=warnings, lenient=lenient)
    except X12Reject as exc:
        return result.refuse(Problem(file=str(path), segment=exc.segment, reason=exc.reason))
    if kind == "remits":
        claims, lines, adjustments = (tables["remit_claims"], tables["remit_lines"],
                                      tables["remit_adjustments"])
        charge, paid = _sum(claims, "charge"), _sum(claims, "payment")
    else:
        claims, lines, adjustments = tables["claims"], tables["claim_lines"], None
        charge, paid = _sum(claims, "total_charge"), Decimal("0")
    summary = {
        "claims": claims.num_rows, "service_lines": lines.num_rows,
        "adjustments": adjustments.num_rows if adjustments is not None else 0,
        "charge_total": str(charge), "warnings": len(warnings),
    }
    if kind == "remits":
        summary["paid_total"] = str(paid)
        carcs = carc.unknown_codes("CARC", _distinct(adjustments, "carc"))
        remarks = tables.get("remit_remarks")
        rarcs = carc.unknown_codes("RARC", _distinct(remarks, "code")) if remarks is not None else []
        summary["unknown_carcs"], summary["unknown_rarcs"] = carcs, rarcs
        result.unknown_carcs, result.unknown_rarcs = list(carcs), list(rarcs)
    # checked again under the lake's lock: another load may have committed it
    if contract.commit(result, lake, path, tables=tables, summary=summary, load_id=load_id) is None:
        result.unknown_carcs, result.unknown_rarcs = [], []
        return result
    result.claims = claims.num_rows
    result.service_lines = lines.num_rows
    result.adjustments = summary["adjustments"]
    result.charge_total = charge
    result.paid_total = paid
    result.warnings_total = len(warnings)
    result.warnings = [Problem(file=str(path), segment=segment, reason=reason) for segment, reason in warnings]
    result.message = f"{name}: loaded {claims.num_rows} claims ({lines.num_rows} service lines)"
    return result
