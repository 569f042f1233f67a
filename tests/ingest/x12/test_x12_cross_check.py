"""pyx12 (strict, pure Python) and our readers (oxedi for the 835, our walker for the 837)
must find the same claims with the same money on every public fixture."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from codingwatch.ingest.x12.claims import read_claims
from codingwatch.ingest.x12.load import remit_tables
from tests.ingest.x12.x12_helpers import fixture_files

# pyx12 knows 005010X222A1 (837P) and 005010X223A2 (837I); later errata keep the structure.
PYX12_LABELS = {"005010X222A2": "005010X222A1", "005010X223A3": "005010X223A2", "005010X223A1": "005010X223A2"}


def pyx12_segments(data: bytes, wanted: str | tuple[str, ...], verdict: list | None = None, component: str | None = None) -> list:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12n_document

    wanted = (wanted,) if isinstance(wanted, str) else wanted
    text = data.decode("latin-1")
    if component:  # the separator the composites use, where ISA16 declares another
        text = text[:104] + component + text[105:]
    for old, new in PYX12_LABELS.items():
        text = text.replace(old, new)
    found = []

    def callback(seg, src, node, valid):
        if seg.get_seg_id() in wanted:
            found.append(seg)

    valid = pyx12.x12n_document.x12n_document(param=pyx12.params.ParamsBase(), src_file=io.StringIO(text),
                                              fd_997=None, fd_html=None, callback=callback)
    if verdict is not None:
        verdict.append(valid)
    return found


@pytest.mark.parametrize("path", fixture_files("835"), ids=lambda p: p.name)
def test_oxedi_and_pyx12_agree_on_every_835_fixture(path, shared_dir):
    data = path.read_bytes()
    segments = pyx12_segments(data, ("CLP", "SVC", "CAS"))
    theirs = [(s.get_value("CLP02"), Decimal(s.get_value("CLP03")), Decimal(s.get_value("CLP04")))
              for s in segments if s.get_seg_id() == "CLP"]
    tables = remit_tables(data, "L")
    ours = [(c["claim_status"], c["charge"], c["payment"]) for c in tables["remit_claims"].to_pylist()]
    assert ours == theirs
    their_lines = [(s.get_value("SVC01-2"), Decimal(s.get_value("SVC02")), Decimal(s.get_value("SVC03")))
                   for s in segments if s.get_seg_id() == "SVC"]
    our_lines = [(r["procedure_code"], r["charge"], r["payment"]) for r in tables["remit_lines"].to_pylist()]
    assert our_lines == their_lines
    their_adjustments = sorted(
        (s.get_value("CAS01"), s.get_value(f"CAS{i:02d}"), Decimal(s.get_value(f"CAS{i + 1:02d}")))
        for s in segments if s.get_seg_id() == "CAS" for i in range(2, 19, 3) if s.get_value(f"CAS{i:02d}"))
    our_adjustments = sorted((r["group_code"], r["carc"], r["amount"]) for r in tables["remit_adjustments"].to_pylist())
    assert our_adjustments == their_adjustments


@pytest.mark.parametrize("path", fixture_files("837"), ids=lambda p: p.name)
def test_our_837_reader_and_pyx12_agree_on_every_837_fixture(path, shared_dir):
    data = path.read_bytes()
    warnings: list = []
    claims = read_claims(data, lenient_counts=True, warnings=warnings)
    # a few public files declare ':' in ISA16 and write '>': give pyx12 the one they use
    component = next((reason.split("use ")[1][1] for _, reason in warnings if "ISA16 declares" in reason), None)
    segments = pyx12_segments(data, ("CLM", "SV1", "SV2"), component=component)
    theirs = [(s.get_value("CLM01"), Decimal(s.get_value("CLM02"))) for s in segments if s.get_seg_id() == "CLM"]
    ours = [(c.patient_control_number, c.total_charge) for c in claims]
    assert ours == theirs
    their_lines = [(s.get_value("SV101-2"), Decimal(s.get_value("SV102"))) if s.get_seg_id() == "SV1"
                   else (s.get_value("SV202-2") or None, Decimal(s.get_value("SV203")))
                   for s in segments if s.get_seg_id() in ("SV1", "SV2")]
    our_lines = [(line.code, line.charge) for c in claims for line in c.lines]
    assert our_lines == their_lines
