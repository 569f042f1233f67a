"""A control character inside an X12 element (a NUL in CLM01 or CLP01) refuses the file,
naming the segment (counted from the ISA), the element and the character."""

from __future__ import annotations

import pytest

from codingwatch.ingest.x12.load import ingest_claims, ingest_remits
from codingwatch.lake import open_lake
from tests.ingest.x12.x12_helpers import plain_segments


@pytest.mark.parametrize(("kind", "name", "segment_id"), [
    ("837", "lfh-837i-institutional-claim.837", "CLM"),
    ("835", "lfh-managed-care.835", "CLP"),
])
@pytest.mark.parametrize("char", [b"\x00", b"\x1b", b"\x7f"])
def test_a_control_character_in_the_claim_id_refuses_the_file(x12_dir, tmp_path, lake_root, kind, name, segment_id,
                                                               char):
    data = (x12_dir / kind / name).read_bytes()
    at = data.index(segment_id.encode() + b"*") + len(segment_id) + 3  # the 3rd character of XX01
    path = tmp_path / name
    path.write_bytes(data[:at] + char + data[at:])
    segment = 1 + next(i for i, s in enumerate(plain_segments(data)) if s[0] == segment_id)
    report = (ingest_claims if kind == "837" else ingest_remits)([path])
    assert report.rejected == [{
        "file": str(path), "segment": segment,
        "reason": f"{segment_id}01 holds the control character {ord(char):#04x} at character 3: "
                  "X12 elements are printable text",
    }]
    assert open_lake().loads() == []
