"""The same rule expressions give the same alerts on DuckDB and on PySpark (local mode)."""

from __future__ import annotations

import datetime as dt
import shutil

import ibis
import pyarrow.parquet as pq
import pytest

from codingwatch.provenance import inputs, rules, takeover
from codingwatch.synth import access_logs as al

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: PySpark cannot start (apt-get install default-jre-headless)")
    pyspark_sql = pytest.importorskip("pyspark.sql")
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = al.example_world(8, seed=5, start=dt.date(2026, 3, 2), days=15)
    s = al.generate(w["roster"], w["contracts"], w["assignments"], seed=5, start=dt.date(2026, 3, 2), days=15,
                    injections=al.Injections(offshore=1, out_of_queue=1, local_phi=1, shared_login=1, takeover=1,
                                             off_hours=1, not_on_roster=1, after_end_date=1))
    path = tmp_path_factory.mktemp("events") / "access_events.parquet"
    pq.write_table(s.event_table(), path)
    return {"path": path, "roster": inputs.roster_table(al.roster_as_declared(w["roster"], s)),
            "contracts": inputs.contracts_table(w["contracts"]),
            "assignments": inputs.assignments_table(w["assignments"])}


def test_the_rule_set_gives_the_same_alerts_on_duckdb_and_pyspark(spark, world):
    on_duckdb = ibis.duckdb.connect().read_parquet(world["path"], table_name="access_events")
    on_spark = ibis.pyspark.connect(spark).read_parquet(str(world["path"]), table_name="access_events")
    kwargs = {k: world[k] for k in ("roster", "contracts", "assignments")}
    # the UTC-offset table is an input like the roster (computed once, from the IANA database)
    kwargs["offsets"] = inputs.tz_offsets(world["roster"].column("timezone").to_pylist(),
                                          dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    a = inputs.to_alerts(rules.run_rules(on_duckdb, **kwargs).to_pyarrow())
    b = inputs.to_alerts(rules.run_rules(on_spark, **kwargs).to_pyarrow())
    assert {x.rule for x in a} >= {"forbidden_country", "local_phi", "concurrent_sessions", "not_on_roster"}
    assert a == b


def test_the_behavior_profiles_are_the_same_on_duckdb_and_pyspark(spark, world):
    on_duckdb = ibis.duckdb.connect().read_parquet(world["path"], table_name="access_events")
    on_spark = ibis.pyspark.connect(spark).read_parquet(str(world["path"]), table_name="access_events_p")
    a = takeover.daily_profile(on_duckdb).to_pandas().sort_values(["login", "day"]).reset_index(drop=True)
    b = takeover.daily_profile(on_spark).to_pandas().sort_values(["login", "day"]).reset_index(drop=True)
    b = b[a.columns]
    assert len(a) > 50  # 8 coders x about 10 working days
    for column in a.columns:
        if a[column].dtype.kind == "f":
            assert a[column].to_numpy() == pytest.approx(b[column].to_numpy(), rel=1e-9, nan_ok=True), column
        else:
            assert a[column].astype(str).tolist() == b[column].astype(str).tolist(), column
