"""Every engine error derives from codingwatch.errors.CodingwatchError and keeps its builtin
base, so the shells show any of them the same way and old `except ValueError` still works."""

from __future__ import annotations

import importlib

import pytest

from codingwatch.errors import CodingwatchError

ENGINE_ERRORS = [
    ("codingwatch.config", "SettingError", ValueError),
    ("codingwatch.vocabulary", "VocabularyError", ValueError),
    ("codingwatch.lake.store", "LakeError", RuntimeError),
    ("codingwatch.lake.metrics", "MetricsError", ValueError),
    ("codingwatch.audit.reader", "EncounterFileError", ValueError),
    ("codingwatch.ingest.encounters", "IngestError", ValueError),
    ("codingwatch.ingest.access", "AccessIngestError", ValueError),
    ("codingwatch.ingest.ipmap", "IpMapError", ValueError),
    ("codingwatch.ingest.x12.envelope", "X12Reject", Exception),
    ("codingwatch.codesets.calendar", "CodeSetDateError", ValueError),
    ("codingwatch.codesets.cms_tables", "CmsTableError", RuntimeError),
    ("codingwatch.codesets.weights", "WeightTableError", ValueError),
    ("codingwatch.provenance.inputs", "InputError", ValueError),
    ("codingwatch.sampling.attribute", "AppraisalError", ValueError),
    ("codingwatch.sampling.draws", "DrawError", ValueError),
    ("codingwatch.sampling.inputs", "InputFileError", ValueError),
    ("codingwatch.sampling.frames", "FrameError", ValueError),
    ("codingwatch.sampling.rng", "SeedError", ValueError),
    ("codingwatch.cost.scenario", "ScenarioError", ValueError),
    ("codingwatch.commands.common", "UserError", Exception),
]


@pytest.mark.parametrize(("module", "name", "builtin"), ENGINE_ERRORS, ids=[e[1] for e in ENGINE_ERRORS])
def test_each_engine_error_is_a_codingwatch_error(module, name, builtin):
    error = getattr(importlib.import_module(module), name)
    assert issubclass(error, CodingwatchError) and issubclass(error, builtin)


def test_the_message_is_the_text_and_problems_are_kept():
    from codingwatch.audit.reader import EncounterFileError

    error = EncounterFileError(["a.csv line 2, field code: not a code", "a.csv line 3, field sex: must be M, F or U"])
    assert error.message == "a.csv line 2, field code: not a code (and 1 more)"
    assert error.problems == ["a.csv line 2, field code: not a code", "a.csv line 3, field sex: must be M, F or U"]
    assert CodingwatchError("the lake is busy").problems == []
