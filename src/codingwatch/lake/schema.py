"""Table schemas of the lake. One place names every column a machine emits into it.

Nothing here is a name, an address or free text: encounters are keyed by an HMAC of the
source id (`encounter_key`); the source id itself is kept only encrypted (`source_id_enc`).
"""

from __future__ import annotations

import pyarrow as pa

ENCOUNTERS = pa.schema(
    [
        ("encounter_key", pa.string()),  # HMAC-SHA256(secret, source encounter id), hex
        ("source_id_enc", pa.string()),  # the source encounter id, AES-GCM encrypted, base64
        ("origin", pa.string()),  # 'coded' (ingest encounters) or 'billed' (837 claims)
        ("facility", pa.string()),
        ("encounter_type", pa.string()),  # inpatient | outpatient | ed | profee
        ("specialty", pa.string()),
        ("admit_date", pa.date32()),
        ("discharge_date", pa.date32()),
        ("service_date", pa.date32()),
        ("sex", pa.string()),  # M | F | U
        ("age", pa.int16()),
        ("discharge_status", pa.int16()),
        ("coder_id", pa.string()),
        ("vendor", pa.string()),
        ("received_at", pa.timestamp("us", tz="UTC")),
        ("coded_at", pa.timestamp("us", tz="UTC")),
        ("priority", pa.string()),  # standard | complex | urgent (of coded charts)
        ("fiscal_year", pa.int16()),  # of the discharge date (inpatient) or service date
        ("drg_given", pa.int16()),  # the DRG the source file stated, if any
        ("drg", pa.int16()),  # as-coded MS-DRG from the CMS grouper (inpatient only)
        ("drg_weight", pa.decimal128(8, 4)),  # CMS Table 5 relative weight of `drg`
        ("drg_mismatch", pa.bool_()),  # the stated DRG differs from the grouper's
        ("grouper_version", pa.int16()),
        ("load_id", pa.string()),
    ]
)

CODE_LINES = pa.schema(
    [
        ("encounter_key", pa.string()),
        ("code_system", pa.string()),  # ICD10CM | ICD10PCS | CPT | HCPCS
        ("code", pa.string()),  # without dots, upper case
        ("sequence", pa.int16()),  # 1 = principal diagnosis / first procedure
        ("poa", pa.string()),  # Y N U W 1, or empty
        ("modifiers", pa.string()),  # comma-separated, e.g. "25,59"
        ("units", pa.decimal128(9, 2)),
        ("load_id", pa.string()),
    ]
)

# ---- X12 837 claims as billed (codingwatch.ingest.x12.claims; FIELDS there maps each column) ----
_D = pa.decimal128(18, 2)

CLAIMS = pa.schema([
    ("encounter_key", pa.string()), ("load_id", pa.string()), ("segment", pa.int64()),
    ("claim_type", pa.string()), ("guide_version", pa.string()), ("transaction_control", pa.string()),
    ("billing_npi", pa.string()), ("billing_taxonomy", pa.string()), ("payer_id", pa.string()),
    ("filing_indicator", pa.string()), ("total_charge", _D), ("facility_code", pa.string()),
    ("frequency_code", pa.string()), ("type_of_bill", pa.string()), ("place_of_service", pa.string()),
    ("statement_from", pa.date32()), ("statement_to", pa.date32()), ("admission_date", pa.date32()),
    ("admission_type", pa.string()), ("discharge_status", pa.string()), ("drg_given", pa.string()),
    ("attending_npi", pa.string()), ("rendering_npi", pa.string()), ("service_facility_npi", pa.string()),
])

CLAIM_CODES = pa.schema([
    ("encounter_key", pa.string()), ("load_id", pa.string()), ("segment", pa.int64()),
    ("qualifier", pa.string()), ("code_system", pa.string()), ("role", pa.string()),
    ("code", pa.string()), ("poa", pa.string()), ("sequence", pa.int16()),
])

CLAIM_LINES = pa.schema([
    ("encounter_key", pa.string()), ("load_id", pa.string()), ("segment", pa.int64()),
    ("line_number", pa.int32()), ("revenue_code", pa.string()), ("qualifier", pa.string()),
    ("code_system", pa.string()), ("code", pa.string()), ("modifiers", pa.string()),
    ("charge", _D), ("unit_basis", pa.string()), ("units", pa.decimal128(12, 2)),
    ("place_of_service", pa.string()), ("dx_pointers", pa.string()), ("service_date", pa.date32()),
])

# ---- X12 835 remittances (codingwatch.ingest.x12.remits; FIELDS there maps each column) ----
# Rows of one load are tied by (load_id, payment_row / claim_row / service_row).
REMIT_PAYMENTS = pa.schema([
    ("load_id", pa.string()), ("payment_row", pa.int64()), ("handling_code", pa.string()),
    ("total_payment", _D), ("credit_debit", pa.string()), ("payment_method", pa.string()),
    ("payment_date", pa.date32()), ("trace_number", pa.string()), ("payer_identifier", pa.string()),
    ("production_date", pa.date32()), ("payer_name", pa.string()), ("payer_id", pa.string()),
    ("payee_name", pa.string()), ("payee_id", pa.string()), ("payee_id_qualifier", pa.string()),
])

REMIT_CLAIMS = pa.schema([
    ("load_id", pa.string()), ("payment_row", pa.int64()), ("claim_row", pa.int64()),
    ("encounter_key", pa.string()), ("claim_status", pa.string()), ("charge", _D), ("payment", _D),
    ("patient_responsibility", _D), ("filing_indicator", pa.string()), ("payer_claim_key", pa.string()),
    ("facility_type", pa.string()), ("frequency_code", pa.string()), ("drg", pa.string()),
    ("drg_weight", pa.decimal128(12, 4)), ("statement_from", pa.date32()), ("statement_to", pa.date32()),
    ("segment", pa.int64()),
])

REMIT_LINES = pa.schema([
    ("load_id", pa.string()), ("claim_row", pa.int64()), ("service_row", pa.int64()),
    ("encounter_key", pa.string()), ("qualifier", pa.string()), ("procedure_code", pa.string()),
    ("modifiers", pa.string()), ("charge", _D), ("payment", _D), ("units_paid", pa.decimal128(12, 2)),
    ("original_units", pa.decimal128(12, 2)), ("allowed", _D), ("service_date", pa.date32()),
    ("segment", pa.int64()),
])

REMIT_ADJUSTMENTS = pa.schema([
    ("load_id", pa.string()), ("claim_row", pa.int64()), ("service_row", pa.int64()),
    ("encounter_key", pa.string()), ("level", pa.string()), ("group_code", pa.string()),
    ("carc", pa.string()), ("amount", _D), ("quantity", pa.decimal128(12, 2)), ("segment", pa.int64()),
])

REMIT_REMARKS = pa.schema([
    ("load_id", pa.string()), ("claim_row", pa.int64()), ("service_row", pa.int64()),
    ("encounter_key", pa.string()), ("source", pa.string()), ("qualifier", pa.string()),
    ("code", pa.string()), ("segment", pa.int64()),
])

REMIT_PROVIDER_ADJUSTMENTS = pa.schema([
    ("load_id", pa.string()), ("payment_row", pa.int64()), ("provider_id", pa.string()),
    ("fiscal_period_date", pa.date32()), ("reason_code", pa.string()), ("reference_key", pa.string()),
    ("amount", _D), ("segment", pa.int64()),
])
ACCESS_EVENTS = pa.schema(
    [
        ("event_id", pa.string()),  # "<first 12 hex of the file's sha256>:<line>", unique in the lake
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("login", pa.string()),  # the account that acted (EHR user id, VDI login)
        ("event", pa.string()),  # one of vocabulary.ACCESS_EVENTS
        ("session_id", pa.string()),
        ("client_ip", pa.string()),
        ("country", pa.string()),  # ISO 3166-1 alpha-2, from the event or the CIDR map
        ("country_source", pa.string()),  # 'event' | 'ip_map' | '' (unknown)
        ("latitude", pa.float64()),  # of the place the event came from, when known
        ("longitude", pa.float64()),
        ("device_id", pa.string()),
        ("work_queue", pa.string()),
        ("encounter_key", pa.string()),  # lake.keys.source_key(encounter id); never the plain id
        ("encounter_type", pa.string()),  # inpatient | outpatient | ed | profee, when the source says
        ("outcome", pa.string()),  # 'success' | 'failure' (FHIR outcome / denied actions)
        ("source_format", pa.string()),  # 'csv' | 'parquet' | 'fhir' | 'clarity'
        ("load_id", pa.string()),
    ]
)

# ---- CDI / physician query log (codingwatch.ingest.queries) ----
QUERIES = pa.schema(
    [
        ("query_id", pa.string()),  # the query system's id, unique in the lake
        ("encounter_key", pa.string()),  # lake.keys.source_key(encounter id)
        ("coder_id", pa.string()),  # the login that raised the query
        ("kind", pa.string()),  # 'cdi' | 'physician' | '' (not stated)
        ("sent_at", pa.timestamp("us", tz="UTC")),
        ("answered_at", pa.timestamp("us", tz="UTC")),  # null while the query is open
        ("load_id", pa.string()),
    ]
)

# Every table the lake knows. Ingest modules for other sources add their schemas here.
TABLES: dict[str, pa.Schema] = {
    "encounters": ENCOUNTERS,
    "code_lines": CODE_LINES,
    "claims": CLAIMS,
    "claim_codes": CLAIM_CODES,
    "claim_lines": CLAIM_LINES,
    "remit_payments": REMIT_PAYMENTS,
    "remit_claims": REMIT_CLAIMS,
    "remit_lines": REMIT_LINES,
    "remit_adjustments": REMIT_ADJUSTMENTS,
    "remit_remarks": REMIT_REMARKS,
    "remit_provider_adjustments": REMIT_PROVIDER_ADJUSTMENTS,
    "access_events": ACCESS_EVENTS,
    "queries": QUERIES,
}
