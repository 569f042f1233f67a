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

# Every table the lake knows. Ingest modules for other sources add their schemas here.
TABLES: dict[str, pa.Schema] = {
    "encounters": ENCOUNTERS,
    "code_lines": CODE_LINES,
    "access_events": ACCESS_EVENTS,
}
