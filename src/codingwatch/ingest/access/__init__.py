"""`ingest access`: PHI access events into the lake table `access_events`.

Three source layouts, recognised by their content, each read by its own module:

- `layout_csv`, `layout_parquet`: the documented CSV/Parquet layout (header row): occurred_at
  (ISO 8601 with an offset), login, event (one of vocabulary.ACCESS_EVENTS), session_id,
  client_ip, country (ISO 3166 alpha-2, may be blank), device_id, work_queue, encounter_id;
  optional latitude, longitude, encounter_type, outcome;
- `fhir`: FHIR R4 AuditEvent resources, as a JSON Bundle or as NDJSON (one resource per line);
- `clarity`: an Epic Clarity ACCESS_LOG-style extract (CSV): ACCESS_INSTANT, USER_ID,
  WORKSTATION_ID, PAT_ID, CSN, METRIC_ID or ACTION, AUDIT_SESSION_ID (no IP address).

Each parser maps its rows into the documented layout, validated once (`common`); `load` runs
the ingest contract (codingwatch.ingest.contract): a file with any bad line loads nothing, and
every bad line is reported (line, field, value, reason); a good file loads in one atomic lake
commit; a file already loaded (same SHA-256) is skipped. Encounter ids are keyed with
lake.keys.source_key and never stored plain. The country of an event comes from the event
itself or, when blank, from an organization-supplied CIDR-to-country map
(codingwatch.ingest.ipmap; no network look-up).
"""

from __future__ import annotations

from codingwatch.ingest.access.common import (
    MAX_FIELD,
    MAX_OFFSET_MINUTES,
    OPTIONAL,
    REQUIRED,
    AccessIngestError,
    rows_from_layout,
)
from codingwatch.ingest.access.load import (
    KIND,
    READERS,
    AccessFileResult,
    AccessResult,
    detect_format,
    ingest_access_file,
    to_lake_table,
)

__all__ = [
    "KIND", "MAX_FIELD", "MAX_OFFSET_MINUTES", "OPTIONAL", "READERS", "REQUIRED", "AccessFileResult",
    "AccessIngestError", "AccessResult", "detect_format", "ingest_access_file", "rows_from_layout",
    "to_lake_table",
]
