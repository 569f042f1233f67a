"""`ingest access`: PHI access events into the lake table `access_events`.

Three source layouts, recognised by their content:

- the documented CSV/Parquet layout (header row): occurred_at (ISO 8601 with an offset),
  login, event (one of vocabulary.ACCESS_EVENTS), session_id, client_ip, country (ISO 3166
  alpha-2, may be blank), device_id, work_queue, encounter_id; optional latitude, longitude,
  encounter_type, outcome;
- FHIR R4 AuditEvent resources, as a JSON Bundle or as NDJSON (one resource per line);
- an Epic Clarity ACCESS_LOG-style extract (CSV): ACCESS_INSTANT, USER_ID, WORKSTATION_ID,
  PAT_ID, CSN, METRIC_ID or ACTION, AUDIT_SESSION_ID (no IP address).

Rules shared with every ingest: a file with any bad line loads nothing, and every bad line is
reported (line, field, value, reason); a good file loads in one atomic lake commit; a file
already loaded (same SHA-256) is skipped. Encounter ids are keyed with lake.keys.source_key
and never stored plain. The country of an event comes from the event itself or, when blank,
from an organization-supplied CIDR-to-country map (no network look-up).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from codingwatch import config
from codingwatch.errors import CodingwatchError
from codingwatch.ingest.lines import data_row_lines, first_bad_utf8, first_csv_problem
from codingwatch.lake import Lake
from codingwatch.lake.keys import source_keys
from codingwatch.lake.schema import ACCESS_EVENTS
from codingwatch.lake.store import file_sha256, new_load_id
from codingwatch.provenance.ipmap import IpCountryMap
from codingwatch.spreadsheet import csv_writer
from codingwatch.vocabulary import ACCESS_EVENTS as EVENT_WORDS
from codingwatch.vocabulary import ENCOUNTER_TYPES

KIND = "access"
REQUIRED = ("occurred_at", "login", "event", "session_id", "client_ip", "country", "device_id",
            "work_queue", "encounter_id")
OPTIONAL = ("latitude", "longitude", "encounter_type", "outcome")
CLARITY_REQUIRED = ("ACCESS_INSTANT", "USER_ID", "WORKSTATION_ID", "PAT_ID", "CSN", "AUDIT_SESSION_ID")
_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_IDENT = re.compile(r"^[A-Za-z0-9._:@/#\\-]{1,128}$")

# FHIR AuditEvent.action (C R U D E) and the DICOM/ATNA event subtypes we map to our words.
_FHIR_ACTION = {"C": "edit", "R": "view", "U": "edit", "D": "edit", "E": "query"}
_FHIR_SUBTYPE = {
    "110122": "login",  # DCM Login
    "110123": "logout",  # DCM Logout
    "110106": "export",  # DCM Export
    "110107": "view",  # DCM Import (read into the EHR)
    "110112": "query",  # DCM Query
    "110110": "view",  # DCM Patient Record
    "read": "view", "vread": "view", "search-type": "query", "search": "query",
    "create": "edit", "update": "edit", "patch": "edit", "delete": "edit",
    "export": "export", "print": "print", "download": "download",
    "login": "login", "logout": "logout",
}
_FHIR_OUTCOME = {"0": "success", "4": "failure", "8": "failure", "12": "failure"}
# Clarity METRIC_ID/ACTION values are site-configured; these words are what extracts carry.
_CLARITY_ACTION = {
    "LOGIN": "login", "LOGOUT": "logout", "VIEW": "view", "READ": "view", "ACCESS": "view",
    "EDIT": "edit", "MODIFY": "edit", "SIGN": "edit", "EXPORT": "export", "PRINT": "print",
    "DOWNLOAD": "download", "QUERY": "query", "SEARCH": "query", "REPORT": "query",
}


class AccessIngestError(CodingwatchError, ValueError):
    """A whole file cannot be read; the message names the file and the reason."""


@dataclass
class Reject:
    line: int
    field: str
    value: str
    reason: str


@dataclass
class AccessFileResult:
    file: str
    status: str  # loaded | skipped | rejected
    source_format: str = ""
    message: str = ""
    load_id: str | None = None
    events_read: int = 0
    events_loaded: int = 0
    country_from_ip_map: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejects_file: str | None = None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["rejects"] = [asdict(r) for r in self.rejects[:50]]
        out["rejects_total"] = len(self.rejects)
        return out


# ---- format detection and reading ---------------------------------------------------------

def detect_format(path: Path) -> str:
    """'parquet', 'fhir', 'clarity' or 'csv', from the file's first bytes (not its name)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head[:4] == b"PAR1":
        return "parquet"
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("{") or text.startswith("["):
        return "fhir"
    first = text.splitlines()[0] if text else ""
    names = {n.strip().strip('"').upper() for n in first.split(",")}
    if "ACCESS_INSTANT" in names:
        return "clarity"
    return "csv"


def _rows_from_layout(frame: pd.DataFrame, rejects: list[Reject], line_base: int,
                      lines: np.ndarray | list[int] | None = None) -> pd.DataFrame:
    """Validate the documented layout (all columns as text) and return typed columns. `lines`
    gives each row's line (physical line, or FHIR entry) when it is not row + line_base."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise AccessIngestError(f"missing column(s): {', '.join(missing)}; the layout needs {', '.join(REQUIRED)}")
    for name in OPTIONAL:
        if name not in frame.columns:
            frame[name] = ""
    frame = frame.fillna("").astype(str).apply(lambda s: s.str.strip())
    lines = np.arange(len(frame)) + line_base if lines is None else np.asarray(lines, dtype=int)

    def bad(mask: pd.Series, column: str, reason: str) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            rejects.append(Reject(int(lines[i]), column, str(frame[column].iat[i])[:80], reason))

    for name in frame.columns:
        bad(frame[name].str.len() > MAX_FIELD, name, f"longer than {MAX_FIELD:,} characters")
    has_offset = frame["occurred_at"].str.match(_OFFSET)
    beyond = has_offset & (_offset_minutes(frame["occurred_at"]) > MAX_OFFSET_MINUTES)
    has_offset &= ~beyond
    occurred = pd.to_datetime(frame["occurred_at"].where(has_offset), format="ISO8601", utc=True, errors="coerce")
    bad(beyond, "occurred_at", "UTC offset beyond +-14:00 (the widest in use): the time would move by a day or more")
    bad(~beyond & (~has_offset | occurred.isna()), "occurred_at", "not an ISO 8601 date-time with an offset "
        "(e.g. 2026-01-05T09:30:00+00:00)")
    bad(~frame["login"].str.match(_IDENT), "login", "blank or not an identifier")
    bad(~frame["event"].str.lower().isin(EVENT_WORDS), "event", f"not one of {', '.join(EVENT_WORDS)}")
    bad(~((frame["country"] == "") | frame["country"].str.upper().str.match(_COUNTRY)), "country",
        "not an ISO 3166 alpha-2 country code")
    bad(~((frame["encounter_type"] == "") | frame["encounter_type"].str.lower().isin(ENCOUNTER_TYPES)),
        "encounter_type", f"not one of {', '.join(ENCOUNTER_TYPES)}")
    bad(~frame["outcome"].str.lower().isin(("", "success", "failure")), "outcome", "not success or failure")
    lat = pd.to_numeric(frame["latitude"].replace("", np.nan), errors="coerce")
    lon = pd.to_numeric(frame["longitude"].replace("", np.nan), errors="coerce")
    bad((frame["latitude"] != "") & ~lat.between(-90, 90), "latitude", "not a number in -90..90")
    bad((frame["longitude"] != "") & ~lon.between(-180, 180), "longitude", "not a number in -180..180")
    bad((frame["latitude"] == "") != (frame["longitude"] == ""), "latitude", "latitude and longitude go together")
    ip = frame["client_ip"]
    bad((ip != "") & ~ip.map(_is_ip).astype(bool), "client_ip", "not an IPv4 or IPv6 address")
    return pd.DataFrame(
        {
            "occurred_at": occurred,
            "login": frame["login"],
            "event": frame["event"].str.lower(),
            "session_id": frame["session_id"],
            "client_ip": ip,
            "country": frame["country"].str.upper(),
            "latitude": lat,
            "longitude": lon,
            "device_id": frame["device_id"],
            "work_queue": frame["work_queue"],
            "encounter_id": frame["encounter_id"],
            "encounter_type": frame["encounter_type"].str.lower(),
            "outcome": frame["outcome"].str.lower().replace("", "success"),
            "line": lines,
        }
    )


# UTC offsets in use run from -12:00 to +14:00; pandas accepts +23:59 and moves the instant a day.
MAX_OFFSET_MINUTES = 14 * 60
# No field of an access event is this long; a 20 MB cell is a broken export, named by its line.
MAX_FIELD = 4096


def _offset_minutes(texts: pd.Series) -> pd.Series:
    """Minutes of each text's trailing UTC offset (+05:30, -0500); 0 for Z or none."""
    parts = texts.str.extract(r"[+-](\d{2}):?(\d{2})$")
    return (pd.to_numeric(parts[0], errors="coerce") * 60 + pd.to_numeric(parts[1], errors="coerce")).fillna(0)


def _is_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _read_csv(path: Path) -> pd.DataFrame:
    """The CSV as text columns; a file that is not CSV is refused naming its physical line."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise AccessIngestError("the file is empty; expected a header row naming the columns") from None
    except UnicodeDecodeError:
        bad = first_bad_utf8(path)
        where = f"line {bad[0]}: byte {bad[1]}" if bad else "a byte"
        raise AccessIngestError(f"{where} is not UTF-8 text; save the file as UTF-8 CSV") from None
    except pd.errors.ParserError as exc:
        problem = first_csv_problem(path)
        if problem is None:
            raise AccessIngestError(f"not a readable CSV: {str(exc).splitlines()[0]}") from None
        raise AccessIngestError(f"line {problem[0]}: {problem[1]}") from None


def read_layout_csv(path: Path, rejects: list[Reject]) -> pd.DataFrame:
    frame = _read_csv(path)
    return _rows_from_layout(frame, rejects, line_base=2, lines=data_row_lines(path, len(frame)))


def read_layout_parquet(path: Path, rejects: list[Reject]) -> pd.DataFrame:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise AccessIngestError(f"not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    frame = pd.DataFrame()
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_timestamp(column.type):
            if column.type.tz is None:
                raise AccessIngestError(f"column {name} is a timestamp without a time zone")
            frame[name] = pd.Series(column.to_pandas()).map(lambda t: t.isoformat() if pd.notna(t) else "")
        else:
            frame[name] = column.cast(pa.string()).to_pandas()
    return _rows_from_layout(frame, rejects, line_base=1)


def read_clarity(path: Path, rejects: list[Reject]) -> pd.DataFrame:
    """Epic Clarity ACCESS_LOG-style extract. ACCESS_INSTANT must carry an offset (Clarity
    stores local time: the extract query must convert, e.g. with EPIC_UTIL.EFN_UTC_TO_LOCAL's
    inverse, so the instant is unambiguous across daylight-saving changes)."""
    frame = _read_csv(path)
    physical = data_row_lines(path, len(frame))
    lines = np.arange(len(frame)) + 2 if physical is None else np.asarray(physical)
    frame.columns = [c.strip().upper() for c in frame.columns]
    missing = [c for c in CLARITY_REQUIRED if c not in frame.columns]
    action_col = "METRIC_ID" if "METRIC_ID" in frame.columns else "ACTION" if "ACTION" in frame.columns else None
    if missing or action_col is None:
        need = list(missing) + ([] if action_col else ["METRIC_ID or ACTION"])
        raise AccessIngestError(f"Clarity extract missing column(s): {', '.join(need)}")
    words = frame[action_col].str.strip().str.upper().map(_CLARITY_ACTION)
    unknown = words.isna()
    for i in np.flatnonzero(unknown.to_numpy()):
        rejects.append(Reject(int(lines[i]), action_col, frame[action_col].iat[i][:80],
                              f"unknown action (known: {', '.join(sorted(_CLARITY_ACTION))})"))
    layout = pd.DataFrame(
        {
            "occurred_at": frame["ACCESS_INSTANT"],
            "login": frame["USER_ID"],
            "event": words.fillna("view"),
            "session_id": frame["AUDIT_SESSION_ID"],
            "client_ip": "",
            "country": "",
            "device_id": frame["WORKSTATION_ID"],
            "work_queue": frame["WORK_QUEUE"] if "WORK_QUEUE" in frame.columns else "",
            # the CSN (contact serial number) identifies the encounter; PAT_ID is not kept
            "encounter_id": frame["CSN"],
        }
    )
    return _rows_from_layout(layout, rejects, line_base=2, lines=lines)


def _fhir_resources(path: Path) -> list[tuple[int, object]]:
    """(line or entry number, resource) pairs from a Bundle/single resource JSON or NDJSON."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        line, byte = first_bad_utf8(path) or (1, 1)
        raise AccessIngestError(f"line {line}: byte {byte} is not UTF-8 text (FHIR JSON is UTF-8)") from None
    stripped = text.lstrip()
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:
        whole = None
    except RecursionError:
        raise AccessIngestError(_TOO_DEEP) from None
    if whole is not None:
        if isinstance(whole, dict) and whole.get("resourceType") == "Bundle":
            entries = whole.get("entry")
            if not isinstance(entries, list):
                raise AccessIngestError("Bundle has no entry list")
            return [(i + 1, (e or {}).get("resource") if isinstance(e, dict) else None) for i, e in enumerate(entries)]
        if isinstance(whole, dict):
            return [(1, whole)]
        if isinstance(whole, list):
            return [(i + 1, r) for i, r in enumerate(whole)]
        raise AccessIngestError("JSON is neither a FHIR resource nor a Bundle")
    out: list[tuple[int, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            out.append((number, ValueError(f"not JSON: {exc.msg} at column {exc.colno}")))
        except RecursionError:
            out.append((number, ValueError(_TOO_DEEP)))
    return out


_TOO_DEEP = "JSON nested too deeply to be a FHIR resource (arrays or objects inside one another, past Python's limit)"

# The R4 structure of the AuditEvent fields read (http://hl7.org/fhir/R4/auditevent.html):
# (R4 type name, shape), a shape being a JSON type, a dict of fields or a one-item list (0..*).
# A hand-written schema of these fields and not fhir.resources: that library validates every
# element of the resource with pydantic (a model per resource, far slower over millions of
# events), refuses resources for elements we never read, and would be a large dependency for
# the dozen fields that decide what an event means. Unknown fields are left alone, as FHIR
# readers must.
_STRING = ("string", str)
_CODING = ("Coding", {"system": _STRING, "code": _STRING, "display": _STRING})
_CODEABLE_CONCEPT = ("CodeableConcept", {"coding": [_CODING], "text": _STRING})
_IDENTIFIER = ("Identifier", {"system": _STRING, "value": _STRING})
_REFERENCE = ("Reference", {"reference": _STRING, "identifier": _IDENTIFIER, "display": _STRING})
_AUDIT_EVENT = ("AuditEvent", {
    "type": _CODING,
    "subtype": [_CODING],
    "action": ("code", str),
    "recorded": ("instant", str),
    "outcome": ("code", str),
    "purposeOfEvent": [_CODEABLE_CONCEPT],
    "agent": [("AuditEvent.agent", {
        "who": _REFERENCE, "requestor": ("boolean", bool), "altId": _STRING,
        "network": ("AuditEvent.agent.network", {"address": _STRING, "type": ("code", str)}),
    })],
    "source": ("AuditEvent.source", {"observer": _REFERENCE}),
    "entity": [("AuditEvent.entity", {"what": _REFERENCE})],
    "extension": [("Extension", {"url": ("uri", str), "valueString": _STRING})],
})
_JSON_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
               float: "a number", type(None): "null"}


def _r4_problem(value: object, spec, path: str) -> tuple[str, object, str] | None:
    """(field, value, reason) of the first field whose JSON type is not its R4 type, or None."""
    if isinstance(spec, list):
        (item,) = spec
        if not isinstance(value, list):
            return path, value, f"must be an array of {item[0]} (R4: 0..*), found {_JSON_NAMES.get(type(value), 'a value')}"
        for i, element in enumerate(value):
            problem = _r4_problem(element, item, f"{path}[{i}]")
            if problem:
                return problem
        return None
    name, shape = spec
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return path, value, f"must be an object ({name}), found {_JSON_NAMES.get(type(value), 'a value')}"
        for key, sub in shape.items():
            if key in value:
                problem = _r4_problem(value[key], sub, f"{path}.{key}" if path else key)
                if problem:
                    return problem
        return None
    if not isinstance(value, shape) or (shape is not bool and isinstance(value, bool)):
        return path, value, f"must be {_JSON_NAMES[shape]} ({name}), found {_JSON_NAMES.get(type(value), 'a value')}"
    return None


def _codings(concept: object) -> list[dict]:
    if isinstance(concept, dict) and "code" in concept:  # a bare Coding (AuditEvent.type, subtype)
        return [concept]
    if isinstance(concept, dict):
        return [c for c in concept.get("coding", []) if isinstance(c, dict)]
    return []


def read_fhir(path: Path, rejects: list[Reject]) -> pd.DataFrame:
    """FHIR R4 AuditEvent. Fields read, each checked strictly: recorded (instant, required,
    with offset), action (C|R|U|D|E), subtype/type codes, outcome (0|4|8|12), agent[requestor]
    .who.identifier.value or .who.reference (the login), agent.network.address (IP), the
    extension-free device in source.observer or agent.altId, entity.what.identifier/reference
    (the encounter), purposeOfEvent (kept as the work queue when coded as one)."""
    rows = []
    for number, resource in _fhir_resources(path):
        def reject(fld: str, value: object, reason: str, number=number) -> None:
            shown = json.dumps(value) if isinstance(value, dict | list) else str(value)
            rejects.append(Reject(number, fld, shown[:80], reason))

        if isinstance(resource, ValueError):
            reject("json", "", str(resource))
            continue
        if not isinstance(resource, dict) or resource.get("resourceType") != "AuditEvent":
            reject("resourceType", (resource or {}).get("resourceType") if isinstance(resource, dict) else resource,
                   "not an AuditEvent")
            continue
        problem = _r4_problem(resource, _AUDIT_EVENT, "")
        if problem:
            reject(*problem)
            continue
        recorded = resource.get("recorded")
        if not isinstance(recorded, str) or not _OFFSET.match(recorded):
            reject("recorded", recorded, "missing or not a FHIR instant with an offset")
            continue
        action = resource.get("action")
        if action is not None and action not in _FHIR_ACTION:
            reject("action", action, "not one of C, R, U, D, E")
            continue
        word = None
        for coding in _codings(resource.get("type")) + [
            c for s in resource.get("subtype", []) or [] for c in _codings(s)
        ]:
            word = _FHIR_SUBTYPE.get(str(coding.get("code", "")).lower()) or word
        word = word or (_FHIR_ACTION.get(action) if action else None)
        if word is None:
            reject("action", action, "neither action nor a known type/subtype code says what was done")
            continue
        outcome = resource.get("outcome", "0")
        if outcome not in _FHIR_OUTCOME:
            reject("outcome", outcome, "not one of 0, 4, 8, 12")
            continue
        agents = resource.get("agent")
        if not isinstance(agents, list) or not agents:
            reject("agent", agents, "an AuditEvent needs at least one agent")
            continue
        agent = next((a for a in agents if isinstance(a, dict) and a.get("requestor") is True), agents[0])
        if not isinstance(agent, dict):
            reject("agent", agent, "agent is not an object")
            continue
        who = agent.get("who") or {}
        login = ((who.get("identifier") or {}).get("value") if isinstance(who, dict) else None) or (
            who.get("reference") if isinstance(who, dict) else None)
        if not isinstance(login, str) or not login.strip():
            reject("agent.who", who, "the requesting agent has no identifier or reference")
            continue
        login = login.split("/")[-1]
        network = agent.get("network") or {}
        address = network.get("address", "") if isinstance(network, dict) else ""
        if address and not _is_ip(address):
            address = ""  # a host name: FHIR allows it, but it says nothing about the country
        device = agent.get("altId") or ""
        observer = ((resource.get("source") or {}).get("observer") or {})
        if not device and isinstance(observer, dict):
            device = observer.get("display") or (observer.get("identifier") or {}).get("value") or ""
        encounter = ""
        for entity in resource.get("entity", []) or []:
            what = (entity or {}).get("what") or {}
            ref = what.get("reference", "") if isinstance(what, dict) else ""
            ident = (what.get("identifier") or {}).get("value", "") if isinstance(what, dict) else ""
            if ref.startswith("Encounter/") or (ident and not encounter):
                encounter = ident or ref.split("/", 1)[1]
        queue = ""
        for purpose in resource.get("purposeOfEvent", []) or []:
            for coding in _codings(purpose):
                queue = queue or str(coding.get("code", ""))
        session = ""
        for extension in resource.get("extension", []) or []:
            if isinstance(extension, dict) and str(extension.get("url", "")).endswith("session-id"):
                session = str(extension.get("valueString", ""))
        rows.append({
            "occurred_at": recorded, "login": login, "event": word, "session_id": session,
            "client_ip": address, "country": "", "device_id": str(device), "work_queue": queue,
            "encounter_id": encounter, "outcome": _FHIR_OUTCOME[outcome], "line": number,
        })
    frame = pd.DataFrame(rows, columns=list(REQUIRED) + ["outcome", "line"])
    lines = frame.pop("line").to_numpy() if len(frame) else np.array([], dtype=int)
    return _rows_from_layout(frame, rejects, line_base=0, lines=lines)


READERS: dict[str, Callable[[Path, list[Reject]], pd.DataFrame]] = {
    "csv": read_layout_csv,
    "parquet": read_layout_parquet,
    "fhir": read_fhir,
    "clarity": read_clarity,
}


# ---- the load -----------------------------------------------------------------------------

def to_lake_table(frame: pd.DataFrame, *, sha256: str, load_id: str, source_format: str,
                  ip_map: IpCountryMap | None) -> tuple[pa.Table, int]:
    country = frame["country"].to_numpy(dtype=object, copy=True)
    source = np.where(country != "", "event", "").astype(object)
    lat = frame["latitude"].to_numpy(dtype=float, copy=True)
    lon = frame["longitude"].to_numpy(dtype=float, copy=True)
    from_map = 0
    if ip_map is not None:
        ips = frame["client_ip"].to_numpy(dtype=object)
        need = (country == "") & (ips != "")
        if need.any():
            unique = pd.unique(ips[need])
            places = dict(zip(unique, ip_map.lookup(list(unique)), strict=True))
            hits = pd.Series(ips[need]).map(places)
            found = hits.notna().to_numpy()
            idx = np.flatnonzero(need)[found]
            chosen = hits[found]
            country[idx] = [p.country for p in chosen]
            source[idx] = "ip_map"
            from_map = len(idx)
            no_place = np.isnan(lat[idx])
            lat[idx[no_place]] = [p.latitude if p.latitude is not None else np.nan for p in chosen[no_place]]
            lon[idx[no_place]] = [p.longitude if p.longitude is not None else np.nan for p in chosen[no_place]]
    country = pd.Series(country)
    encounter_ids = frame["encounter_id"].tolist()
    keys = source_keys([e for e in encounter_ids if e])
    it = iter(keys)
    encounter_keys = [next(it) if e else None for e in encounter_ids]
    prefix = sha256[:12]
    table = pa.table(
        {
            "event_id": [f"{prefix}:{int(n)}" for n in frame["line"]],
            "occurred_at": pa.array(frame["occurred_at"].dt.tz_convert("UTC").astype("datetime64[us, UTC]")),
            "login": frame["login"].tolist(),
            "event": frame["event"].tolist(),
            "session_id": frame["session_id"].tolist(),
            "client_ip": frame["client_ip"].tolist(),
            "country": [c or None for c in country.tolist()],
            "country_source": source.tolist(),
            "latitude": pa.array(lat, mask=np.isnan(lat)),
            "longitude": pa.array(lon, mask=np.isnan(lon)),
            "device_id": frame["device_id"].tolist(),
            "work_queue": [q or None for q in frame["work_queue"].tolist()],
            "encounter_key": encounter_keys,
            "encounter_type": [t or None for t in frame["encounter_type"].tolist()],
            "outcome": frame["outcome"].tolist(),
            "source_format": [source_format] * len(frame),
            "load_id": [load_id] * len(frame),
        },
        schema=ACCESS_EVENTS,
    )
    return table, from_map


def ingest_access_file(path: Path, *, lake: Lake, ip_map: IpCountryMap | None = None,
                       rejects_dir: Path | None = None,
                       tick: Callable[[str, float], None] | None = None) -> AccessFileResult:
    path = Path(path)
    tick = tick or (lambda step, fraction: None)
    result = AccessFileResult(file=str(path), status="rejected")
    if not path.is_file():
        result.message = f"{path}: no such file"
        return result
    tick("hashing", 0.05)
    sha = file_sha256(path)
    previous = lake.find_load(KIND, sha)
    if previous is not None:
        result.status = "skipped"
        result.load_id = previous.load_id
        result.message = f"{path.name}: already loaded ({previous.load_id}, {previous.loaded_at}); nothing changed"
        return result
    source_format = detect_format(path)
    result.source_format = source_format
    tick(f"reading {source_format}", 0.2)
    rejects: list[Reject] = []
    try:
        frame = READERS[source_format](path, rejects)
    except AccessIngestError as exc:
        result.message = f"{path.name}: {exc}; nothing loaded"
        return result
    result.events_read = len(frame) + sum(1 for r in rejects if r.field in ("json", "resourceType"))
    if rejects:
        rejects.sort(key=lambda r: r.line)
        result.rejects = rejects
        result.rejects_file = str(_write_rejects(path, sha, rejects, rejects_dir))
        first = rejects[0]
        result.message = (f"{path.name}: {len({r.line for r in rejects})} bad line(s), nothing loaded; first: "
                          f"line {first.line} field {first.field} ({first.value!r}): {first.reason} "
                          f"(all in {result.rejects_file})")
        return result
    if frame.empty:
        result.message = f"{path.name}: no access events in the file; nothing loaded"
        return result
    tick("keying encounters", 0.5)
    load_id = new_load_id()
    table, from_map = to_lake_table(frame, sha256=sha, load_id=load_id, source_format=source_format,
                                    ip_map=ip_map)
    tick("committing", 0.8)
    summary = {"source_format": source_format, "events": table.num_rows, "country_from_ip_map": from_map,
               "logins": int(frame["login"].nunique())}
    with lake.writing():  # checked again under the lake's lock: another load may have committed it
        previous = lake.find_load(KIND, sha)
        if previous is not None:
            result.status = "skipped"
            result.load_id = previous.load_id
            result.message = f"{path.name}: already loaded ({previous.load_id}, {previous.loaded_at}); nothing changed"
            return result
        record = lake.commit_load(kind=KIND, source_name=path.name, sha256=sha, tables={"access_events": table},
                                  summary=summary, load_id=load_id)
    result.status = "loaded"
    result.load_id = record.load_id
    result.events_loaded = table.num_rows
    result.country_from_ip_map = from_map
    result.message = (f"{path.name}: loaded {table.num_rows} {source_format} event(s) of "
                      f"{summary['logins']} login(s); country from the IP map for {from_map}")
    tick("done", 1.0)
    return result


def _write_rejects(path: Path, sha: str, rejects: list[Reject], rejects_dir: Path | None) -> Path:
    directory = rejects_dir or (config.var_dir() / "rejects")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{path.stem}-{sha[:8]}.rejects.csv"
    with open(target, "w", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(["line", "field", "value", "reason"])
        for r in rejects:
            writer.writerow([r.line, r.field, r.value, r.reason])
    return target
