"""The lake's tables for the engines: the embedded DuckDB's views and `loads`, and the same
tables registered on another ibis backend (`Lake.tables_on`)."""

from __future__ import annotations

import shutil

import ibis
import pyarrow as pa

from codingwatch.lake import open_lake
from codingwatch.lake.keys import source_key
from codingwatch.lake.schema import ENCOUNTERS


def _commit(lake, load_id: str, ids: list[str], *, load_id_column: str | None) -> None:
    rows = [{name: None for name in ENCOUNTERS.names} | {
        "encounter_key": source_key(i), "origin": "coded", "encounter_type": "outpatient", "vendor": "Acme",
        "load_id": load_id_column} for i in ids]
    lake.commit_load(kind="encounters", source_name=load_id, sha256=load_id * 2,
                     tables={"encounters": pa.Table.from_pylist(rows, schema=ENCOUNTERS)}, load_id=load_id)


def test_loads_are_listed_in_commit_order_and_rows_carry_their_files_load(lake_root):
    lake = open_lake()
    # committed "z" first, then "a": commit order, not name order
    _commit(lake, "20260101T000000-z", ["E1", "E2"], load_id_column=None)
    _commit(lake, "20260101T000000-a", ["E1"], load_id_column="20260101T000000-a")
    con = lake.connect()
    loads = con.table("loads").order_by("commit_order").to_pyarrow().to_pylist()
    assert [(r["load_id"], r["commit_order"]) for r in loads] == [("20260101T000000-z", 0), ("20260101T000000-a", 1)]
    enc = con.table("encounters")
    got = sorted((r["encounter_key"], r["load_id"]) for r in enc.select("encounter_key", "load_id").to_pyarrow().to_pylist())
    assert got == sorted([(source_key("E1"), "20260101T000000-z"), (source_key("E2"), "20260101T000000-z"),
                          (source_key("E1"), "20260101T000000-a")])


def test_another_backend_reads_exactly_the_committed_files(lake_root):
    lake = open_lake()
    _commit(lake, "20260101T000000-a", ["E1", "E2"], load_id_column="20260101T000000-a")
    committed = lake.files("encounters")[0]
    shutil.copy(committed, committed.with_name("20260101T000001-orphan.parquet"))  # no manifest names it
    tables = lake.tables_on(ibis.duckdb.connect())
    assert tables["encounters"].count().execute() == 2
    assert tables["claims"].count().execute() == 0  # a table with no load: empty, of the lake's schema
    assert tables["claims"].schema() == ibis.Schema.from_pyarrow(lake_schema("claims"))
    assert tables["loads"].to_pyarrow().to_pylist() == [
        {"load_id": "20260101T000000-a", "kind": "encounters", "commit_order": 0}]


def lake_schema(name: str) -> pa.Schema:
    from codingwatch.lake.schema import TABLES

    return TABLES[name]
