"""Small hand-built access logs, rosters and contracts for the provenance tests."""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest
from provenance_builders import coder

from codingwatch.lake.schema import ACCESS_EVENTS
from codingwatch.provenance import inputs


@pytest.fixture
def events():
    """Build an ibis table of access events (ids e0, e1, ... in the order given)."""

    def build(*rows: dict):
        rows = [dict(r, event_id=f"e{i}") for i, r in enumerate(rows)]
        table = pa.Table.from_pylist(rows, schema=ACCESS_EVENTS)
        return ibis.duckdb.connect().create_table("access_events", table)

    return build


@pytest.fixture
def roster():
    def build(*rows: dict):
        return inputs.roster_table(list(rows) or [coder()])

    return build


@pytest.fixture
def contracts():
    return inputs.contracts_table([
        {"vendor": "northstar", "allowed_countries": "US", "requires_vdi": True},
        {"vendor": "bayshore", "allowed_countries": "IN,PH", "requires_vdi": True},
        {"vendor": "inhouse", "allowed_countries": "US", "requires_vdi": False},
    ])


@pytest.fixture
def assignments():
    return inputs.assignments_table([
        {"login": "no0001", "work_queue": "IP-CARD", "encounter_key": None},
        {"login": "no0001", "work_queue": None, "encounter_key": "k-special"},
    ])


@pytest.fixture
def settings():
    return inputs.Settings(off_hours_min_events=1)
