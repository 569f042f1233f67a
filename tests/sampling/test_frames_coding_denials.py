"""Frames targeted by the payers' coding-related denials (`sample frame --coding-denials`)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.denials import coding_denial_keys_from_lake
from codingwatch.ingest.x12.load import ingest_remits
from codingwatch.lake.keys import source_key
from codingwatch.sampling.frames import FrameError
from codingwatch.synth.x12_writer import write_835
from tests.lake_frames import build_frame

CODING_DENIED = {"OP0", "OP1", "IP3"}


@pytest.fixture
def denied_lake(encounter_lake, tmp_path):
    """The sampling lake plus an 835: three coding denials, one eligibility denial, paid claims."""
    claims = [{"claim_id": cid, "status": "4", "charge": "100.00", "payment": "0",
               "adjustments": [{"group": "CO", "carc": "11", "amount": "100.00"}]} for cid in sorted(CODING_DENIED)]
    claims.append({"claim_id": "OP2", "status": "4", "charge": "100.00", "payment": "0",
                   "adjustments": [{"group": "CO", "carc": "27", "amount": "100.00"}]})
    claims += [{"claim_id": f"OP{i}", "charge": "100.00", "payment": "60.00",
                "adjustments": [{"group": "CO", "carc": "45", "amount": "40.00"}]} for i in range(3, 8)]
    path = tmp_path / "era.835"
    path.write_bytes(write_835(claims, payment_date=dt.date(2026, 2, 25)))
    assert ingest_remits([path], lake=encounter_lake).rejected == []
    return encounter_lake


def _frame(lake, **options):
    return build_frame(lake, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31), vendor="Acme",
                       coding_denial_keys=coding_denial_keys_from_lake, **options)


def test_only_keeps_the_encounters_with_a_coding_related_denial(denied_lake):
    frame = _frame(denied_lake, coding_denials="only")
    assert {e.encounter_key for e in frame.encounters} == {source_key(c) for c in CODING_DENIED}
    assert frame.meta["filters"]["coding_denials"] == "only"


def test_exclude_leaves_out_only_the_coding_denials(denied_lake):
    everyone = _frame(denied_lake)
    frame = _frame(denied_lake, coding_denials="exclude")
    kept = {e.encounter_key for e in frame.encounters}
    assert len(kept) == len(everyone.encounters) - len(CODING_DENIED)
    assert source_key("OP2") in kept  # an eligibility denial is not a coding denial
    assert not kept & {source_key(c) for c in CODING_DENIED}


def test_stratum_gives_the_coding_denials_a_stratum_of_their_own(denied_lake):
    frame = _frame(denied_lake, coding_denials="stratum", strata="encounter_type")
    assert frame.strata == {"inpatient+coding_denied": 1, "inpatient+no_coding_denial": 29,
                            "outpatient+coding_denied": 2, "outpatient+no_coding_denial": 43}
    denied = {e.encounter_key for e in frame.encounters if e.stratum.endswith("+coding_denied")}
    assert denied == {source_key(c) for c in CODING_DENIED}


def test_an_unknown_coding_denials_mode_is_refused(denied_lake):
    with pytest.raises(FrameError, match="only, exclude, stratum"):
        _frame(denied_lake, coding_denials="weight")


def test_the_frame_command_filters_by_coding_denials(denied_lake, tmp_path):
    out = tmp_path / "frame.csv"
    done = CliRunner().invoke(app, ["sample", "frame", "--from", "2026-01-01", "--to", "2026-12-31", "--vendor", "Acme",
                                    "--coding-denials", "only", "--out", str(out), "--format", "json"])
    assert done.exit_code == 0, done.output
    meta = json.loads(done.stdout)
    assert meta["encounters"] == len(CODING_DENIED) and meta["filters"]["coding_denials"] == "only"
