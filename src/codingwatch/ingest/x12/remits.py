"""X12 5010 835 remittances -> lake tables, read with oxedi.

oxedi (Rust) indexes the file, walks the 835 loops, checks envelopes, structure and
balancing, and projects typed Arrow tables; we patch its built-in 5010 spec with the remark
segments (LQ, MOA, MIA) and the SVC modifiers, then reshape its tables into ours with Arrow
compute (no Python loop per claim, so a 100 MB file loads in seconds). pyx12 reads the same
files in the tests and must agree (tests/ingest/x12/test_x12_cross_check.py).

What is rejected (whole file): input oxedi cannot index (not X12, broken ISA); any SNIP
level 1 finding (envelope counts and control numbers, unterminated loops = truncation,
unknown or misplaced segments); an amount that is not a number in CLP, CAS, SVC, PLB or
BPR02; a transaction that is not an 835. SNIP 2/3 findings (e.g. a missing PER, a claim that
does not balance) are kept as warnings.

Kept: codes, amounts, dates, payer/payee ids and names (organizations), trace numbers;
the patient control number only keyed (encounter_key). Never patient names or member ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codingwatch.ingest.x12.envelope import Delimiters, X12Reject, read_delimiters
from codingwatch.lake import keys

# lake column -> X12 element (835 5010, X221A1). The one map of what we keep.
FIELDS: dict[str, dict[str, str]] = {
    "remit_payments": {
        "payment_row": "the transaction's position in the file (oxedi payments.row)",
        "handling_code": "BPR01 transaction handling code (I remittance + payment, H notification only)",
        "total_payment": "BPR02 total actual provider payment amount",
        "credit_debit": "BPR03",
        "payment_method": "BPR04 (ACH, CHK, NON, ...)",
        "payment_date": "BPR16 check issue or EFT effective date",
        "trace_number": "TRN02 check or EFT trace number",
        "payer_identifier": "TRN03 payer identifier",
        "production_date": "DTM*405 DTM02",
        "payer_name": "1000A N1*PR N102",
        "payer_id": "1000A N1*PR N104 (or TRN03 when N104 is absent)",
        "payee_name": "1000B N1*PE N102",
        "payee_id": "1000B N1*PE N104 (NPI when N103 = XX)",
        "payee_id_qualifier": "1000B N1*PE N103",
    },
    "remit_claims": {
        "encounter_key": "2100 CLP01 patient control number, HMAC-keyed (joins the 837's CLM01)",
        "claim_row": "2100 loop instance (oxedi claims.row)",
        "claim_status": "CLP02 (1 primary, 2 secondary, 3 tertiary, 4 denied, 19-23 forwarded/reversal, 22 reversal)",
        "charge": "CLP03 total claim charge",
        "payment": "CLP04 claim payment amount",
        "patient_responsibility": "CLP05",
        "filing_indicator": "CLP06 claim filing indicator code",
        "payer_claim_key": "CLP07 payer claim control number, HMAC-keyed",
        "facility_type": "CLP08 facility type code (place of service or TOB digits 1-2)",
        "frequency_code": "CLP09 claim frequency code",
        "drg": "CLP11 DRG code",
        "drg_weight": "CLP12 DRG weight",
        "statement_from": "DTM*232 DTM02",
        "statement_to": "DTM*233 DTM02",
        "segment": "position of CLP in the file (1-based)",
    },
    "remit_lines": {
        "service_row": "2110 loop instance (oxedi services.row)",
        "qualifier": "SVC01-1 product/service id qualifier (HC, NU revenue code, ...)",
        "procedure_code": "SVC01-2",
        "modifiers": "SVC01-3..6",
        "charge": "SVC02 line item charge",
        "payment": "SVC03 line item provider payment",
        "units_paid": "SVC05",
        "original_units": "SVC07",
        "allowed": "AMT*B6 AMT02",
        "service_date": "DTM*472 DTM02",
    },
    "remit_adjustments": {
        "level": "'claim' (2100 CAS) or 'line' (2110 CAS)",
        "group_code": "CAS01 (CO, PR, OA, PI, CR)",
        "carc": "CAS02/05/08/11/14/17 claim adjustment reason code",
        "amount": "CAS03/06/09/12/15/18",
        "quantity": "CAS04/07/10/13/16/19",
    },
    "remit_remarks": {
        "source": "LQ (2110, LQ01 = HE), MOA (2100 outpatient) or MIA (2100 inpatient)",
        "qualifier": "LQ01 code list qualifier (HE = RARC); empty for MOA/MIA",
        "code": "LQ02; MOA03-07; MIA05, MIA20-23 remittance advice remark codes (RARC)",
    },
    "remit_provider_adjustments": {
        "provider_id": "PLB01",
        "fiscal_period_date": "PLB02",
        "reason_code": "PLB03-1/05-1/... adjustment reason code",
        "reference_key": "PLB03-2/05-2/... reference id, HMAC-keyed",
        "amount": "PLB04/06/...",
    },
}

_SPEC_PATCH = {
    "tables": {
        "remarks_lq": {"columns": {"qualifier": {"element": 1}, "code": {"element": 2}},
                       "loops": ["2110"], "segment": "LQ"},
        "remarks_moa": {"columns": {f"r{i}": {"element": e} for i, e in enumerate((3, 4, 5, 6, 7), 1)},
                        "loops": ["2100"], "segment": "MOA"},
        "remarks_mia": {"columns": {f"r{i}": {"element": e} for i, e in enumerate((5, 20, 21, 22, 23), 1)},
                        "loops": ["2100"], "segment": "MIA"},
        "services": {"columns": {f"mod{i}": {"element": 1, "component": i + 2, "segment": "SVC"}
                                 for i in (1, 2, 3, 4)}},
    }
}

MONEY_SEGMENTS = ("CLP", "CAS", "SVC", "PLB")


@lru_cache(maxsize=1)
def spec():
    import oxedi

    return oxedi.Spec.builtin("5010").patch(_SPEC_PATCH)


def _text(array) -> pa.Array:
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    if pa.types.is_binary(array.type):
        try:
            return array.cast(pa.string())
        except pa.ArrowInvalid:
            # X12 text is ASCII in practice, Latin-1 at worst (e.g. a payer name with É)
            return pa.array([None if v is None else v.decode("latin-1") for v in array.to_pylist()], pa.string())
    return array


def _segment_ids(document, indexes: list[int]) -> dict[int, str]:
    return {i: bytes(document[i].id).decode("latin-1") for i in indexes if i is not None and i < len(document)}


def interchange_starts(data: bytes) -> list[tuple[int, Delimiters]]:
    """Byte offset and delimiters of every ISA that starts a segment of the file."""
    starts: list[tuple[int, Delimiters]] = []
    lead = len(data) - len(data.lstrip())
    index = data.find(b"ISA")
    while index != -1:
        before = data[index - 1:index]
        at_start = index == lead
        after_segment = bool(starts) and before in (b"\r", b"\n", b" ", b"\t",
                                                    starts[-1][1].segment.encode("latin-1"))
        if at_start or after_segment:
            try:
                delimiters, _ = read_delimiters(data[index:index + 200].decode("latin-1"), 0, 1)
                starts.append((index, delimiters))
            except X12Reject:
                if at_start:
                    raise
        index = data.find(b"ISA", index + 3)
    return starts


@dataclass
class Parsed:
    """oxedi's parse of each run of interchanges that share delimiters, with the number of
    segments before each run (oxedi reads delimiters once per parse, from the first ISA)."""

    results: list = field(default_factory=list)
    segment_bases: list[int] = field(default_factory=list)


# Envelope faults `lenient` loads with a warning: a count (SE01, GE01, IEA01) or a control number
# (SE02, GE02, IEA02) that disagrees with its header. Structure (truncation, a segment out of
# place, no ISA) is always refused.
LENIENT_KINDS = frozenset({"ControlCountMismatch", "ControlNumberMismatch"})


# What a refusal says when lenient mode would load the file with a warning instead.
LENIENT_HINT = " (an envelope count or control number: --lenient loads the file with a warning)"


def parse(data: bytes, *, warnings: list | None = None, lenient: bool = False) -> Parsed:
    """Parse an 835 with oxedi, or raise X12Reject naming the first fault (1-based segment).

    With `lenient`, envelope count and control-number mismatches are appended to `warnings`
    as (segment, reason) instead."""
    warnings = [] if warnings is None else warnings
    starts = interchange_starts(data)
    pieces: list[tuple[int, int]] = []
    for number, (offset, delimiters) in enumerate(starts):
        if not pieces or delimiters != starts[number - 1][1]:
            pieces.append((offset, len(data)))
            if len(pieces) > 1:
                pieces[-2] = (pieces[-2][0], offset)
    if not pieces:
        pieces = [(0, len(data))]
    pieces[0] = (0, pieces[0][1])
    parsed = Parsed()
    base = 0
    envelope: list = []  # the envelope faults `lenient` let through: listed first
    for start, end in pieces:
        result = _parse_one(data[start:end] if len(pieces) > 1 else data, base, warnings, lenient, envelope)
        parsed.results.append(result)
        parsed.segment_bases.append(base)
        base += len(result.document)
    if sum(len(r.tables["payments"]) for r in parsed.results) == 0:
        raise X12Reject(1, "the file holds no 835 transaction")
    warnings[:0] = envelope
    return parsed


def _parse_one(data: bytes, base: int, warnings: list, lenient: bool = False, envelope: list | None = None):
    import oxedi

    try:
        result = oxedi.parse(data, spec=spec())
    except oxedi.ParseError as exc:
        raise X12Reject(base + 1, f"not a readable X12 file: {exc}") from None
    diagnostics = result.diagnostics
    ids = _segment_ids(result.document, [d.segment for d in diagnostics])
    for d in diagnostics:
        position = base + ((d.segment + 1) if d.segment is not None else len(result.document) + 1)
        where = ids.get(d.segment, "end of file")
        if d.level == 1:
            if not (lenient and d.kind in LENIENT_KINDS):
                hint = LENIENT_HINT if d.kind in LENIENT_KINDS else ""
                raise X12Reject(position, f"{where}: {d.rule}{hint}")
            (warnings if envelope is None else envelope).append(
                (position, f"{where}: {d.rule}"))
            continue
        if d.level == 2 and re.match(r"element (ST01|GS01|GS08)\b", d.rule):
            raise X12Reject(position, f"{where}: not an 835 5010 transaction: {d.rule}")
        if d.level == 2 and d.kind == "TypeMismatch" and where in MONEY_SEGMENTS:
            raise X12Reject(position, f"{where}: {d.rule}")
        if d.level == 2 and d.kind == "TypeMismatch" and where == "BPR" and d.element == 2:
            raise X12Reject(position, f"{where}: {d.rule}")
        warnings.append((position, f"{where}: {d.rule}"))
    return result


def _const(value, n: int, type_: pa.DataType) -> pa.Array:
    """`value` n times, without a Python list of n items."""
    if value is None:
        return pa.nulls(n, type_)
    return pa.array([value], type_).take(pa.array(np.zeros(n, dtype=np.int32)))


def _keyed(values: pa.Array) -> pa.Array:
    """HMAC keys of a text column, computed once per distinct value."""
    values = _text(values)
    unique = pc.unique(values)
    plain = [v for v in unique.to_pylist()]
    present = [v for v in plain if v is not None]
    mapping = dict(zip(present, keys.source_keys(present), strict=True))
    keyed_unique = pa.array([mapping.get(v) if v is not None else None for v in plain], pa.string())
    return pc.take(keyed_unique, pc.index_in(values, value_set=unique))


def _join_modifiers(table) -> pa.Array:
    parts = [_text(table.column(f"mod{i}")) for i in (1, 2, 3, 4)]
    joined = pc.binary_join_element_wise(*[pc.fill_null(p, "") for p in parts], ",")
    joined = pc.replace_substring_regex(joined, r",+$", "")
    joined = pc.replace_substring_regex(joined, r",,+", ",")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)


def _money(array, scale: int = 2) -> pa.Array:
    return pc.cast(array, pa.decimal128(18, scale))


ROW_COLUMNS = {"payment_row": "remit_payments", "claim_row": "remit_claims", "service_row": "remit_lines"}


def tables(parsed: Parsed, load_id: str) -> dict[str, pa.Table]:
    """Our lake tables from oxedi's tables (see FIELDS), one set for the whole file."""
    if len(parsed.results) == 1:
        return _tables_one(parsed.results[0], load_id)
    parts = [_tables_one(result, load_id) for result in parsed.results]
    out: dict[str, list[pa.Table]] = {}
    offsets = {column: 0 for column in ROW_COLUMNS}
    for part, base in zip(parts, parsed.segment_bases, strict=True):
        for name, table in part.items():
            for column in ROW_COLUMNS:
                if column in table.column_names:
                    shifted = pc.add(table.column(column), offsets[column])
                    table = table.set_column(table.column_names.index(column), column, shifted)
            if "segment" in table.column_names:
                shifted = pc.add(table.column("segment"), base)
                table = table.set_column(table.column_names.index("segment"), "segment", shifted)
            out.setdefault(name, []).append(table)
        for column, name in ROW_COLUMNS.items():
            offsets[column] += part[name].num_rows
    return {name: pa.concat_tables(tables_, promote_options="permissive") for name, tables_ in out.items()}


def _tables_one(result, load_id: str) -> dict[str, pa.Table]:
    t = {name: pa.table(result.tables[name]) for name in result.tables.keys()}
    payments, claims, services, adjustments = t["payments"], t["claims"], t["services"], t["adjustments"]
    n = claims.num_rows
    load = _const(load_id, n, pa.string())

    encounter_key = _keyed(claims.column("claim_id")) if n else pa.array([], pa.string())
    claim_key_by_row = encounter_key  # claims.row is 0..n-1 in order

    pay_cols = payments
    payer_id = pc.coalesce(_text(pay_cols.column("payer_id")), _text(pay_cols.column("payer_identifier")))
    remit_payments = pa.table({
        "load_id": _const(load_id, payments.num_rows, pa.string()),
        "payment_row": payments.column("row"),
        "handling_code": _text(payments.column("handling_code")),
        "total_payment": _money(payments.column("total_payment_amount")),
        "credit_debit": _text(payments.column("credit_debit_flag")),
        "payment_method": _text(payments.column("payment_method")),
        "payment_date": payments.column("payment_date"),
        "trace_number": _text(payments.column("trace_number")),
        "payer_identifier": _text(payments.column("payer_identifier")),
        "production_date": payments.column("production_date"),
        "payer_name": _text(payments.column("payer_name")),
        "payer_id": payer_id,
        "payee_name": _text(payments.column("payee_name")),
        "payee_id": _text(payments.column("payee_id")),
        "payee_id_qualifier": _text(payments.column("payee_id_qualifier")),
    })

    payment_of_claim = claims.column("payment")
    remit_claims = pa.table({
        "load_id": load,
        "payment_row": payment_of_claim,
        "claim_row": claims.column("row"),
        "encounter_key": encounter_key,
        "claim_status": _text(claims.column("claim_status")),
        "charge": _money(claims.column("charge_amount")),
        "payment": _money(claims.column("payment_amount")),
        "patient_responsibility": _money(claims.column("patient_responsibility")),
        "filing_indicator": _text(claims.column("filing_indicator")),
        "payer_claim_key": _keyed(claims.column("payer_control_number")) if n else pa.array([], pa.string()),
        "facility_type": _text(claims.column("facility_type")),
        "frequency_code": _text(claims.column("frequency_code")),
        "drg": _text(claims.column("drg_code")),
        "drg_weight": pc.cast(claims.column("drg_weight"), pa.decimal128(12, 4)),
        "statement_from": claims.column("statement_from"),
        "statement_to": claims.column("statement_to"),
        "segment": pc.add(claims.column("segment"), 1),
    })

    claim_rows = claims.column("row").combine_chunks() if n else None
    # oxedi numbers the rows of a table 0..n-1 in file order; take() by row then needs no lookup
    contiguous = n and claim_rows[0].as_py() == 0 and claim_rows[n - 1].as_py() == n - 1

    def claim_key(ref_column) -> pa.Array:
        if not n:
            return _const(None, len(ref_column), pa.string())
        if contiguous:
            return pc.take(claim_key_by_row, ref_column)
        return pc.take(claim_key_by_row, pc.index_in(ref_column, value_set=claim_rows))

    remit_lines = pa.table({
        "load_id": _const(load_id, services.num_rows, pa.string()),
        "claim_row": services.column("claim"),
        "service_row": services.column("row"),
        "encounter_key": claim_key(services.column("claim")),
        "qualifier": _text(services.column("procedure_qualifier")),
        "procedure_code": _text(services.column("procedure_code")),
        "modifiers": _join_modifiers(services),
        "charge": _money(services.column("charge_amount")),
        "payment": _money(services.column("payment_amount")),
        "units_paid": pc.cast(services.column("units_paid"), pa.decimal128(12, 2)),
        "original_units": pc.cast(services.column("original_units"), pa.decimal128(12, 2)),
        "allowed": _money(services.column("allowed_amount")),
        "service_date": services.column("service_date"),
        "segment": pc.add(services.column("segment"), 1),
    })

    level = pc.if_else(pc.is_null(adjustments.column("service")), "claim", "line")
    remit_adjustments = pa.table({
        "load_id": _const(load_id, adjustments.num_rows, pa.string()),
        "claim_row": adjustments.column("claim"),
        "service_row": adjustments.column("service"),
        "encounter_key": claim_key(adjustments.column("claim")),
        "level": level,
        "group_code": _text(adjustments.column("group_code")),
        "carc": _text(adjustments.column("reason_code")),
        "amount": _money(adjustments.column("amount")),
        "quantity": pc.cast(adjustments.column("quantity"), pa.decimal128(12, 2)),
        "segment": pc.add(adjustments.column("segment"), 1),
    })

    remark_parts = []
    lq = t["remarks_lq"]
    if lq.num_rows:
        remark_parts.append(pa.table({
            "claim_row": lq.column("claim"), "service_row": lq.column("service"),
            "source": _const("LQ", lq.num_rows, pa.string()),
            "qualifier": _text(lq.column("qualifier")), "code": _text(lq.column("code")),
            "segment": pc.add(lq.column("segment"), 1),
        }))
    for name, source in (("remarks_moa", "MOA"), ("remarks_mia", "MIA")):
        table = t[name]
        for i in range(1, 6):
            if not table.num_rows:
                continue
            codes = _text(table.column(f"r{i}"))
            mask = pc.is_valid(codes)
            if not pc.any(mask).as_py():
                continue
            sub = table.filter(mask)
            remark_parts.append(pa.table({
                "claim_row": sub.column("claim"),
                "service_row": _const(None, sub.num_rows, pa.int64()),
                "source": _const(source, sub.num_rows, pa.string()),
                "qualifier": _const(None, sub.num_rows, pa.string()),
                "code": _text(sub.column(f"r{i}")),
                "segment": pc.add(sub.column("segment"), 1),
            }))
    if remark_parts:
        remarks = pa.concat_tables(remark_parts)
        remit_remarks = pa.table({
            "load_id": _const(load_id, remarks.num_rows, pa.string()),
            "claim_row": remarks.column("claim_row"),
            "service_row": remarks.column("service_row"),
            "encounter_key": claim_key(remarks.column("claim_row")),
            "source": remarks.column("source"),
            "qualifier": remarks.column("qualifier"),
            "code": remarks.column("code"),
            "segment": remarks.column("segment"),
        })
    else:
        remit_remarks = None

    plb = t["provider_adjustments"]
    remit_provider_adjustments = pa.table({
        "load_id": _const(load_id, plb.num_rows, pa.string()),
        "payment_row": plb.column("payment"),
        "provider_id": _text(plb.column("provider_id")),
        "fiscal_period_date": plb.column("fiscal_period_date"),
        "reason_code": _text(plb.column("reason_code")),
        "reference_key": _keyed(plb.column("reference_id")) if plb.num_rows else pa.array([], pa.string()),
        "amount": _money(plb.column("amount")),
        "segment": pc.add(plb.column("segment"), 1),
    })
    out = {
        "remit_payments": remit_payments,
        "remit_claims": remit_claims,
        "remit_lines": remit_lines,
        "remit_adjustments": remit_adjustments,
        "remit_provider_adjustments": remit_provider_adjustments,
    }
    if remit_remarks is not None:
        out["remit_remarks"] = remit_remarks
    return out
