"""FHIR R4 AuditEvent resources, as a JSON Bundle, a single resource, a JSON array or NDJSON
(one resource per line)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from codingwatch.ingest.access.common import _OFFSET, REQUIRED, AccessIngestError, _is_ip, rows_from_layout
from codingwatch.ingest.contract import VALUE_SHOWN, Problem
from codingwatch.ingest.lines import first_bad_utf8

FORMAT = "fhir"

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


def _fhir_resources(path: Path) -> list[tuple[int, object]]:
    """(line or entry number, resource) pairs from a Bundle/single resource JSON or NDJSON."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        line, byte = first_bad_utf8(path) or (1, 1)
        raise AccessIngestError(f"byte {byte} is not UTF-8 text (FHIR JSON is UTF-8)", line=line) from None
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


def read_fhir(path: Path, problems: list[Problem]) -> pd.DataFrame:
    """FHIR R4 AuditEvent. Fields read, each checked strictly: recorded (instant, required,
    with offset), action (C|R|U|D|E), subtype/type codes, outcome (0|4|8|12), agent[requestor]
    .who.identifier.value or .who.reference (the login), agent.network.address (IP), the
    extension-free device in source.observer or agent.altId, entity.what.identifier/reference
    (the encounter), purposeOfEvent (kept as the work queue when coded as one)."""
    rows = []
    for number, resource in _fhir_resources(path):
        def reject(fld: str, value: object, reason: str, number=number) -> None:
            shown = json.dumps(value) if isinstance(value, dict | list) else str(value)
            problems.append(Problem(file=str(path), line=number, field=fld, value=shown[:VALUE_SHOWN],
                                    reason=reason))

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
    return rows_from_layout(str(path), frame, problems, line_base=0, lines=lines)

