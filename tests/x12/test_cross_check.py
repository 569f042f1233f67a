"""pyx12 (strict, pure Python) and our readers (oxedi for the 835, our walker for the 837)
must find the same claims with the same money on every public fixture."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from x12_helpers import fixture_files

from codingwatch.ingest.x12.claims import read_claims
from codingwatch.ingest.x12.load import remit_tables

# pyx12 knows 005010X222A1 (837P) and 005010X223A2 (837I); later errata keep the structure.
PYX12_LABELS = {"005010X222A2": "005010X222A1", "005010X223A3": "005010X223A2", "005010X223A1": "005010X223A2"}


def pyx12_segments(data: bytes, wanted: str, verdict: list | None = None) -> list:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12n_document

    text = data.decode("latin-1")
    for old, new in PYX12_LABELS.items():
        text = text.replace(old, new)
    found = []

    def callback(seg, src, node, valid):
        if seg.get_seg_id() == wanted:
            found.append(seg)

    valid = pyx12.x12n_document.x12n_document(param=pyx12.params.ParamsBase(), src_file=io.StringIO(text),
                                              fd_997=None, fd_html=None, callback=callback)
    if verdict is not None:
        verdict.append(valid)
    return found


@pytest.mark.parametrize("path", fixture_files("835"), ids=lambda p: p.name)
def test_oxedi_and_pyx12_agree_on_every_835_fixture(path, shared_dir):
    data = path.read_bytes()
    theirs = [(s.get_value("CLP02"), Decimal(s.get_value("CLP03")), Decimal(s.get_value("CLP04")))
              for s in pyx12_segments(data, "CLP")]
    ours = [(c["claim_status"], c["charge"], c["payment"]) for c in remit_tables(data, "L")["remit_claims"].to_pylist()]
    assert ours == theirs


@pytest.mark.parametrize("path", fixture_files("837"), ids=lambda p: p.name)
def test_our_837_reader_and_pyx12_agree_on_every_837_fixture(path, shared_dir):
    data = path.read_bytes()
    theirs = [(s.get_value("CLM01"), Decimal(s.get_value("CLM02"))) for s in pyx12_segments(data, "CLM")]
    ours = [(c.patient_control_number, c.total_charge) for c in read_claims(data, lenient_counts=True)]
    assert ours == theirs
