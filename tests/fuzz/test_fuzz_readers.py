"""Fuzz targets, one per reader: X12 835, X12 837, CSV encounters, access CSV, FHIR AuditEvent.

A crash is any exception other than the reader's documented way of refusing input: X12Reject
for the X12 readers; none at all for the file ingests (`ingest_encounter_file`,
`ingest_access_file`), which report a bad file in their result.

In the default test run each target runs one short seeded batch (the same inputs every run).
`make fuzz` sets CODINGWATCH_FUZZ_MINUTES: each target then runs unseeded batches until its
share of the minutes is spent, and CODINGWATCH_FUZZ_REPORT names a JSON file that receives the
inputs tried and the crashes per reader.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codingwatch.ingest.x12.envelope import X12Reject
from codingwatch.synth.x12_writer import write_835, write_837i, write_837p
from tests.ingest.x12.x12_helpers import fixture_files

READERS = ("x12_835", "x12_837", "encounters_csv", "access_csv", "fhir")
MINUTES = float(os.environ.get("CODINGWATCH_FUZZ_MINUTES") or 0)
# examples of the seeded run in the default test run (a few seconds per reader)
SHORT = {"x12_835": 150, "x12_837": 150, "encounters_csv": 25, "access_csv": 60, "fhir": 80}


def run_target(reader: str, body, **strategies) -> None:
    """Run `body` on inputs drawn from `strategies`: seeded and short, or for its share of
    CODINGWATCH_FUZZ_MINUTES."""
    counts = {"inputs": 0, "crashes": 0}
    crashes: list[str] = []

    def counting(**kwargs):
        counts["inputs"] += 1
        body(**kwargs)

    checks = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
              HealthCheck.large_base_example]
    started = time.monotonic()
    if not MINUTES:
        short = settings(max_examples=SHORT[reader], derandomize=True, database=None, deadline=None,
                         suppress_health_check=checks)
        short(given(**strategies)(counting))()
        _report(reader, counts, started)
        return
    budget = MINUTES * 60 / len(READERS)
    batch = settings(max_examples=200, database=None, deadline=None, suppress_health_check=checks)
    while time.monotonic() - started < budget:
        try:
            batch(given(**strategies)(counting))()
        except Exception as exc:  # a crash: keep it and go on fuzzing
            counts["crashes"] += 1
            crashes.append(f"{type(exc).__name__}: {str(exc)[:300]} {getattr(exc, '__notes__', '')}")
    _report(reader, counts, started, crashes)
    assert not crashes, "\n".join(crashes)


def _report(reader: str, counts: dict, started: float, crashes: list[str] | None = None) -> None:
    target = os.environ.get("CODINGWATCH_FUZZ_REPORT")
    if not target:
        return
    path = Path(target)
    report = json.loads(path.read_text()) if path.is_file() else {}
    report[reader] = {**counts, "seconds": round(time.monotonic() - started, 1), "crash_messages": crashes or []}
    path.write_text(json.dumps(report, indent=2) + "\n")


# ---- byte-level mutation of good files -------------------------------------------------------

TOKENS = [b"*", b"~", b":", b"^", b">", b"\x00", b"\x1b", b"\xff", b"\xe9", b"ISA", b"SE*", b"GS*", b"ST*",
          b"CLM*", b"CLP*", b"HL*", b"LX*", b"SV1*", b"HI*", b"NM1*", b"DTP*", b"-", b"99999999999999999999",
          b"1E9999", b"\n", b"\r\n", b'"', b",", b"{", b"[", b"]", b"}", b"null", b"\\u0000", b"+23:00"]


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 4))):
        if not data:
            break
        op = draw(st.sampled_from(["set", "insert", "delete", "truncate", "duplicate"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "set":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data[i:i] = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)))
        elif op == "delete":
            del data[i:draw(st.integers(i, min(len(data), i + 80)))]
        elif op == "truncate":
            del data[i:]
        else:
            j = draw(st.integers(i, min(len(data), i + 200)))
            data[i:i] = data[i:j]
    return bytes(data)


# ---- X12 -------------------------------------------------------------------------------------

x12_text = st.text(alphabet=st.characters(codec="latin-1"), max_size=12)
amounts = st.one_of(st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=2),
                    st.sampled_from([Decimal("0"), Decimal("99999999999999999.99"), Decimal("-0.01")]))
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


@st.composite
def written_837(draw) -> bytes:
    kind = draw(st.sampled_from(["837I", "837P"]))
    claims = []
    for number in range(draw(st.integers(1, 3))):
        lines = [{"revenue_code": draw(st.sampled_from(["0300", "0450", draw(x12_text)])),
                  "code": draw(st.sampled_from(["99213", "71046", draw(x12_text)])), "modifiers": [],
                  "charge": draw(amounts), "units": draw(st.sampled_from([1, 0, 3])),
                  "service_date": draw(days)} for _ in range(draw(st.integers(0, 3)))]
        admit = draw(days)
        claims.append({
            "claim_id": draw(st.one_of(st.just(f"C{number}"), x12_text)), "charge": draw(amounts),
            "type_of_bill": draw(st.sampled_from(["111", "131", "831"])), "place_of_service": "11",
            "sex": draw(st.sampled_from("MFU")), "birth_date": draw(days), "admit_date": admit,
            "discharge_date": admit + dt.timedelta(days=draw(st.integers(-2, 9))), "discharge_status": "01",
            "admission_type": "1",
            "diagnoses": ([(draw(st.sampled_from(["I5023", "N179", "A419", "Q"])), draw(st.sampled_from("YNUW1")))]
                          if kind == "837I" else [draw(st.sampled_from(["I10", "E119", "Z"]))]),
            "procedures": draw(st.lists(st.sampled_from(["02703ZZ", "5A1955Z", "X"]), max_size=2)),
            "drg": draw(st.sampled_from([None, 291, 871])), "lines": lines,
        })
    writer = write_837i if kind == "837I" else write_837p
    return writer(claims, line_break=draw(st.booleans()))


@st.composite
def written_835(draw) -> bytes:
    claims = []
    for number in range(draw(st.integers(1, 3))):
        charge = draw(amounts)
        claims.append({"claim_id": draw(st.one_of(st.just(f"C{number}"), x12_text)),
                       "status": draw(st.sampled_from(["1", "4", "22", "X"])), "charge": charge,
                       "payment": draw(amounts), "patient_responsibility": Decimal("0"),
                       "adjustments": [{"group": draw(st.sampled_from(["CO", "PR", "ZZ"])),
                                        "carc": draw(st.sampled_from(["45", "16", "999", "A1"])),
                                        "amount": draw(amounts)} for _ in range(draw(st.integers(0, 2)))]})
    return write_835(claims, payment_date=draw(days), line_break=draw(st.booleans()))


def _writer_seeds_835() -> list[bytes]:
    return [write_835([{"claim_id": "C1", "status": "1", "charge": Decimal("100.00"), "payment": Decimal("80.00"),
                        "patient_responsibility": Decimal("0"),
                        "adjustments": [{"group": "CO", "carc": "45", "amount": Decimal("20.00")}]}])]


def _safe_writer(strategy):
    """Inputs from our writer; the writer refusing a drawn value is no reader input (b'' instead)."""
    @st.composite
    def build(draw):
        try:
            return draw(strategy)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, ArithmeticError):
            return b""
    return build()


SEEDS_837 = [p.read_bytes() for p in fixture_files("837") + fixture_files("invalid")]
SEEDS_835 = [p.read_bytes() for p in fixture_files("835")] or _writer_seeds_835()
if not SEEDS_837:
    SEEDS_837 = [write_837p([{"claim_id": "C1", "charge": Decimal("100.00"), "place_of_service": "11", "sex": "F",
                              "birth_date": dt.date(1980, 1, 1), "diagnoses": ["I10"],
                              "lines": [{"code": "99213", "modifiers": [], "charge": Decimal("100.00"),
                                         "units": 1, "service_date": dt.date(2026, 1, 5)}]}])]


@pytest.fixture(scope="module")
def grouper():
    from codingwatch.codesets import Grouper

    with Grouper() as shared:
        yield shared


def test_fuzz_x12_835():
    from codingwatch.ingest.x12.load import remit_tables

    def target(data):
        try:
            remit_tables(data, "L", warnings=[])
        except X12Reject:
            pass

    run_target("x12_835", target,
               data=st.one_of(mutated(SEEDS_835), _safe_writer(written_835()).flatmap(lambda b: mutated([b or b"x"]))))


def test_fuzz_x12_837(grouper):
    from codingwatch.ingest.x12 import load

    def target(data, lenient):
        try:
            # claim_tables with one grouper for every input (a grouper per input would start the JVM each time)
            load._claim_tables(data, "L", warnings=[], lenient=lenient, grouper_box=[grouper])
        except X12Reject:
            pass

    run_target("x12_837", target, lenient=st.booleans(),
               data=st.one_of(mutated(SEEDS_837), _safe_writer(written_837()).flatmap(lambda b: mutated([b or b"x"]))))


# ---- CSV encounters ------------------------------------------------------------------------

EDGE_DATES = ["10000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "2026-1-5", "2026-01-05T00:00", ""]
EDGE_TIMES = ["2026-01-05T10:00:00+23:59", "2026-01-05T10:00:00+14:00", "2026-01-05T10:00:00-14:01",
              "2026-01-05T10:00:00", "10000-01-05T10:00:00Z", "2026-01-05T10:00:00+05:60", "2026-01-05 10:00Z"]
EDGE_TEXT = ["", " ", "-1", "0", "99999999999", "1e309", "NaN", "=1+1", "\x00", "é", "a\nb", '"', "ICD10CM",
             "I50.21"]


def _edge_text(valid: list[str], column: str = ""):
    typed = EDGE_DATES if column.endswith("_date") else EDGE_TIMES if column.endswith("_at") else EDGE_TEXT
    return st.one_of(st.sampled_from(valid), st.sampled_from(typed), st.sampled_from(EDGE_TEXT), st.text(max_size=10))


ENCOUNTER_VALUES = {
    "encounter_id": ["E1", "E2", "-E3"], "facility": ["F1"], "encounter_type": ["outpatient", "inpatient", "ed"],
    "specialty": ["cardiology", "radiology"], "admit_date": ["2026-01-02", ""], "discharge_date": ["2026-01-05", ""],
    "service_date": ["2026-02-01", ""], "sex": ["M", "F"], "age": ["70", "0"], "discharge_status": ["01", ""],
    "coder_id": ["c1"], "vendor": ["Acme Coding"], "received_at": ["2026-01-05T10:00:00+00:00"],
    "coded_at": ["2026-01-07T10:00:00-05:00"], "code_system": ["ICD10CM", "ICD10PCS", "CPT"],
    "code": ["I50.21", "N17.9", "R07.9", "71046", "02703ZZ"], "sequence": ["1", "2"], "poa": ["Y", "N", ""],
    "modifiers": ["", "26"], "units": ["", "1"], "drg": ["", "291"], "priority": ["", "standard", "urgent", "STAT"],
}


@st.composite
def encounter_file(draw) -> bytes:
    from codingwatch.ingest.encounters import COLUMNS

    columns = list(COLUMNS)
    if draw(st.integers(0, 9)) == 0:
        columns = draw(st.permutations(columns))[: draw(st.integers(0, len(columns)))]
    rows = [{c: draw(_edge_text(ENCOUNTER_VALUES[c], c)) if draw(st.integers(0, 2)) == 0
             else ENCOUNTER_VALUES[c][0] for c in COLUMNS} for _ in range(draw(st.integers(0, 6)))]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator=draw(
        st.sampled_from(["\n", "\r\n"])))
    writer.writeheader()
    writer.writerows(rows)
    text = out.getvalue().encode("utf-8", errors="surrogatepass")
    return draw(mutated([text])) if draw(st.booleans()) else text


def test_fuzz_encounters_csv(grouper):
    from codingwatch.codesets import CodeValidator
    from codingwatch.ingest.encounters import ingest_encounter_file
    from codingwatch.lake import open_lake

    with CodeValidator() as validator, tempfile.TemporaryDirectory(prefix="codingwatch-fuzz-") as folder:
        counter = iter(range(10**9))

        def target(data):
            root = Path(folder) / str(next(counter))
            root.mkdir()
            path = root / "encounters.csv"
            path.write_bytes(data)
            result = ingest_encounter_file(path, lake=open_lake(root / "lake"), rejects_dir=root,
                                           validator=validator, grouper=grouper)
            assert result.status in ("loaded", "rejected") and result.message

        run_target("encounters_csv", target, data=encounter_file())


# ---- access CSV and FHIR ---------------------------------------------------------------------

ACCESS_VALUES = {
    "occurred_at": ["2026-03-02T09:00:00-06:00", "2026-03-02T15:10:00Z"], "login": ["no0001"],
    "event": ["view", "export", "login"], "session_id": ["s1"], "client_ip": ["10.20.1.5", "", "::1"],
    "country": ["", "US"], "device_id": ["pc-1"], "work_queue": ["", "IP-CARD"], "encounter_id": ["ENC-1", ""],
    "latitude": ["", "32.7"], "longitude": ["", "-96.8"], "encounter_type": ["", "inpatient"], "outcome": ["", "failure"],
}


@st.composite
def access_file(draw) -> bytes:
    columns = list(ACCESS_VALUES)[: draw(st.sampled_from([9, 13]))]
    if draw(st.integers(0, 9)) == 0:
        columns = draw(st.permutations(columns))[: draw(st.integers(0, len(columns)))]
    rows = [{c: draw(_edge_text(ACCESS_VALUES[c], c)) if draw(st.integers(0, 2)) == 0 else ACCESS_VALUES[c][0]
             for c in ACCESS_VALUES} for _ in range(draw(st.integers(0, 8)))]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text = out.getvalue().encode("utf-8", errors="surrogatepass")
    return draw(mutated([text])) if draw(st.booleans()) else text


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
FHIR_FIELDS = ["type", "subtype", "action", "recorded", "outcome", "agent", "source", "entity", "purposeOfEvent",
               "extension", "resourceType"]


def _audit_event() -> dict:
    return {
        "resourceType": "AuditEvent",
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110"},
        "subtype": [{"code": "110106"}], "action": "R", "recorded": "2026-03-02T15:00:00Z", "outcome": "0",
        "agent": [{"who": {"identifier": {"value": "no0001"}}, "requestor": True, "altId": "pc-1",
                   "network": {"address": "10.20.1.5", "type": "2"}}],
        "source": {"observer": {"display": "ehr-prod"}},
        "entity": [{"what": {"reference": "Encounter/ENC-1"}}],
        "purposeOfEvent": [{"coding": [{"code": "IP-CARD"}]}],
        "extension": [{"url": "http://example.org/session-id", "valueString": "s1"}],
    }


def _set_path(event: dict, path: list[str], value) -> None:
    node = event
    for key in path[:-1]:
        child = node.get(key) if isinstance(node, dict) else None
        if isinstance(child, list) and child:
            child = child[0]
        if not isinstance(child, dict):
            return
        node = child
    node[path[-1]] = value


NESTED = [["agent", "who"], ["agent", "requestor"], ["agent", "network", "address"], ["agent", "who", "identifier"],
          ["source", "observer"], ["entity", "what"], ["entity", "what", "reference"], ["subtype", "code"],
          ["purposeOfEvent", "coding"], ["extension", "valueString"], ["type", "code"]]


@st.composite
def fhir_file(draw) -> bytes:
    events = []
    for _ in range(draw(st.integers(1, 4))):
        event = _audit_event()
        for _ in range(draw(st.integers(0, 3))):
            path = draw(st.one_of(st.sampled_from(FHIR_FIELDS).map(lambda f: [f]), st.sampled_from(NESTED)))
            _set_path(event, path, draw(json_values))
        events.append(event)
    shape = draw(st.sampled_from(["ndjson", "bundle", "array", "single"]))
    if shape == "ndjson":
        text = "".join(json.dumps(e) + "\n" for e in events)
    elif shape == "bundle":
        text = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": e} for e in events]})
    elif shape == "array":
        text = json.dumps(events)
    else:
        text = json.dumps(events[0])
    data = text.encode()
    return draw(mutated([data])) if draw(st.booleans()) else data


def _access_target(name: str):
    from codingwatch.ingest.access import ingest_access_file
    from codingwatch.lake import open_lake

    folder = tempfile.mkdtemp(prefix="codingwatch-fuzz-")
    counter = iter(range(10**9))

    def load(data: bytes) -> None:
        root = Path(folder) / str(next(counter))
        root.mkdir()
        path = root / name
        path.write_bytes(data)
        result = ingest_access_file(path, lake=open_lake(root / "lake"), rejects_dir=root)
        assert result.status in ("loaded", "rejected") and result.message

    return load


def test_fuzz_access_csv():
    load = _access_target("access.csv")

    run_target("access_csv", load, data=access_file())


def test_fuzz_fhir():
    load = _access_target("audit.json")

    run_target("fhir", load, data=fhir_file())
