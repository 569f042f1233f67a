"""Fixtures for the sampling tests: a small lake of encounters written through Lake.commit_load."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from codingwatch.lake import open_lake
from codingwatch.lake.keys import source_key
from codingwatch.lake.schema import ENCOUNTERS


def encounter(source_id: str, **fields) -> dict:
    row = {name: None for name in ENCOUNTERS.names}
    row.update(
        encounter_key=source_key(source_id),
        origin="coded",
        facility="Main",
        encounter_type="outpatient",
        specialty="cardiology",
        vendor="Acme",
        coder_id="C1",
        sex="F",
        age=50,
    )
    row.update(fields)
    return row


def commit(lake, rows: list[dict], name: str) -> None:
    # Load ids ordered by name: two loads in the same second would otherwise order at random.
    table = pa.Table.from_pylist(rows, schema=ENCOUNTERS)
    lake.commit_load(kind="encounters", source_name=name, sha256=name * 4, tables={"encounters": table},
                     load_id=f"20260101T000000-{name}")


@pytest.fixture
def encounter_lake(lake_root):
    """A lake with inpatient and outpatient encounters of two vendors and specialties."""
    lake = open_lake()
    rows = []
    for i in range(30):
        rows.append(encounter(
            f"IP{i}", encounter_type="inpatient", admit_date=dt.date(2026, 1, 1),
            discharge_date=dt.date(2026, 1, 1) + dt.timedelta(days=i), service_date=None,
            drg=190 + i % 5, drg_weight=Decimal("0.8") + Decimal(i % 5),
        ))
    for i in range(40):
        rows.append(encounter(f"OP{i}", encounter_type="outpatient", service_date=dt.date(2026, 1, 1) + dt.timedelta(days=i)))
    for i in range(10):
        rows.append(encounter(f"OTHER{i}", vendor="Other", service_date=dt.date(2026, 1, 5)))
    for i in range(5):
        rows.append(encounter(f"ORTHO{i}", specialty="orthopedics", service_date=dt.date(2026, 1, 5)))
    commit(lake, rows, "a")
    return lake


@pytest.fixture
def lake_writer():
    """(make an encounter row, commit rows to a lake) for tests that add their own loads."""
    return encounter, commit
