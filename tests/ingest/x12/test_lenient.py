"""`--lenient` for 835s as for 837s: envelope counts and control numbers that disagree with their
headers load with a warning naming the segment; structural damage is refused all the same.

The real files are ../shared/fixtures/x12; the damaged ones are copies edited in tmp.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.ingest.x12.load import ingest_claims, ingest_remits
from codingwatch.ingest.x12.remits import LENIENT_HINT
from codingwatch.lake import open_lake
from tests.ingest.x12.x12_helpers import fixture_files, plain_segments, plain_totals

FILES_835 = fixture_files("835")
FILES_837 = [p for p in fixture_files("837") if not p.name.startswith("imsweb-")]  # imsweb's counts are wrong

# (segment, element, what the element is): each edit makes one envelope value disagree.
ENVELOPE_EDITS = [
    ("SE", 1, "SE01"),  # segment count
    ("SE", 2, "SE02"),  # transaction control number (ST02)
    ("GE", 1, "GE01"),  # transaction count
    ("GE", 2, "GE02"),  # group control number (GS06)
    ("IEA", 1, "IEA01"),  # group count
    ("IEA", 2, "IEA02"),  # interchange control number (ISA13)
]


def delimiters(data: bytes) -> tuple[str, str]:
    text = data.decode("latin-1").lstrip()
    return text[3], text[105]


def edited(data: bytes, segment_id: str, element: int) -> tuple[bytes, int]:
    """The file with element `element` of its first `segment_id` segment changed (its last digit
    moved on by one, so it keeps its length), and that segment's 1-based position."""
    sep, end = delimiters(data)
    segments = plain_segments(data)
    index = next(i for i, s in enumerate(segments) if s[0] == segment_id)
    fields = list(segments[index])
    value = fields[element]
    fields[element] = value[:-1] + str((int(value[-1]) + 1) % 10)
    segments[index] = fields
    return (end.join(sep.join(s) for s in segments) + end).encode("latin-1"), index + 1


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("path", FILES_835, ids=lambda p: p.name)
@pytest.mark.parametrize(("segment_id", "element", "field"), ENVELOPE_EDITS, ids=[e[2] for e in ENVELOPE_EDITS])
def test_an_835_envelope_mismatch_is_refused_then_loads_leniently_with_a_warning(
        path, segment_id, element, field, shared_dir, lake_root, tmp_path):
    data, position = edited(path.read_bytes(), segment_id, element)
    copy = write(tmp_path, path.name, data)
    strict = ingest_remits([copy])
    assert strict.files == 0 and open_lake().loads() == []
    [reject] = strict.rejected
    assert (reject["segment"], reject["reason"].split(":")[0]) == (position, segment_id)
    assert field in reject["reason"]
    assert reject["reason"].endswith(LENIENT_HINT)  # the refusal says how to load it anyway

    lenient = ingest_remits([copy], lenient=True)
    assert lenient.rejected == [] and lenient.files == 1
    expected = plain_totals(path.read_bytes())
    assert (lenient.claims, lenient.charge_total, lenient.paid_total) == (
        expected["claims_835"], expected["charge_835"], expected["paid_835"])
    envelope = [w for w in lenient.warnings if field in w["reason"]]
    assert [(w["segment"], w["reason"]) for w in envelope] == [(position, reject["reason"].removesuffix(LENIENT_HINT))]
    assert lenient.warnings[0] == envelope[0]  # listed first, never lost behind the per-file cap


@pytest.mark.parametrize("path", FILES_835, ids=lambda p: p.name)
def test_an_unchanged_835_loads_the_same_with_or_without_lenient(path, shared_dir, tmp_path, monkeypatch):
    reports = []
    for lenient in (False, True):
        monkeypatch.setenv("CODINGWATCH_LAKE", str(tmp_path / f"lake-{lenient}"))
        reports.append(ingest_remits([path], lenient=lenient).as_dict())
    for report in reports:
        report.pop("loads")
    assert reports[0] == reports[1]


@pytest.mark.parametrize("path", FILES_835, ids=lambda p: p.name)
def test_a_truncated_835_is_refused_even_leniently(path, shared_dir, lake_root, tmp_path):
    text = path.read_bytes().decode("latin-1")
    _, end = delimiters(path.read_bytes())
    cuts = [i + 1 for i, ch in enumerate(text) if ch == end]
    for cut in [0, *cuts[:-1]]:
        copy = write(tmp_path, "cut.835", text[:cut].encode("latin-1"))
        report = ingest_remits([copy], lenient=True)
        assert report.files == 0 and len(report.rejected) == 1, cut
        assert report.rejected[0]["reason"]
    assert open_lake().loads() == []


@pytest.mark.parametrize("path", FILES_835, ids=lambda p: p.name)
def test_an_835_with_a_segment_out_of_place_is_refused_even_leniently(path, shared_dir, lake_root, tmp_path):
    sep, end = delimiters(path.read_bytes())
    segments = plain_segments(path.read_bytes())
    clp = next(i for i, s in enumerate(segments) if s[0] == "CLP")
    bpr = next(i for i, s in enumerate(segments) if s[0] == "BPR")
    moved = segments[:bpr] + [segments[clp]] + [s for i, s in enumerate(segments[bpr:], start=bpr) if i != clp]
    copy = write(tmp_path, "moved.835", (end.join(sep.join(s) for s in moved) + end).encode("latin-1"))
    report = ingest_remits([copy], lenient=True)
    assert report.files == 0
    [reject] = report.rejected
    assert reject["segment"] == bpr + 1 and reject["reason"].startswith("CLP")
    assert open_lake().loads() == []


@pytest.mark.parametrize("path", FILES_835[:1], ids=lambda p: p.name)
def test_an_835_without_its_isa_is_refused_even_leniently(path, shared_dir, lake_root, tmp_path):
    _, end = delimiters(path.read_bytes())
    text = path.read_bytes().decode("latin-1").lstrip()
    copy = write(tmp_path, "no-isa.835", text[text.index(end) + 1:].encode("latin-1"))
    report = ingest_remits([copy], lenient=True)
    assert report.files == 0
    [reject] = report.rejected
    assert reject["segment"] == 1 and "ISA" in reject["reason"]


def test_the_cli_loads_a_remittance_leniently_and_names_the_segment(x12_dir, lake_root, tmp_path):
    path = x12_dir / "835" / "lfh-managed-care.835"
    data, position = edited(path.read_bytes(), "SE", 1)
    copy = write(tmp_path, "wrong-se.835", data)
    runner = CliRunner()
    refused = runner.invoke(app, ["ingest", "remits", str(copy)])
    assert refused.exit_code == 1
    assert f"rejected {copy} segment {position}: SE: SE01 declares" in " ".join(refused.output.split())
    loaded = runner.invoke(app, ["ingest", "remits", "--lenient", str(copy)])
    assert loaded.exit_code == 0, loaded.output
    text = " ".join(loaded.output.split())
    assert "loaded 1 file(s)" in text and f"warning {copy} segment {position}: SE: SE01 declares" in text


@pytest.mark.parametrize("path", FILES_837, ids=lambda p: p.name)
@pytest.mark.parametrize(("segment_id", "element", "field"), ENVELOPE_EDITS, ids=[e[2] for e in ENVELOPE_EDITS])
def test_837_control_numbers_are_lenient_too(path, segment_id, element, field, shared_dir, lake_root, tmp_path):
    unedited = ingest_claims([path], lake=open_lake(tmp_path / "unedited"))
    if unedited.rejected:
        pytest.skip(f"the unedited file is refused without --lenient already: {unedited.rejected[0]['reason']}")
    data, position = edited(path.read_bytes(), segment_id, element)
    copy = write(tmp_path, path.name, data)
    strict = ingest_claims([copy])
    [reject] = strict.rejected
    assert reject["segment"] == position and field in reject["reason"]
    lenient = ingest_claims([copy], lenient=True)
    assert lenient.rejected == [] and lenient.claims == plain_totals(path.read_bytes())["claims_837"]
    assert any(w["segment"] == position and field in w["reason"] for w in lenient.warnings)
