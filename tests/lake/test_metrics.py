"""Encounters, CMI and turnaround from the lake, on DuckDB over Parquet written by Lake.commit_load.

CMI expectations are means of CMS FY2026 Table 5 relative weights (codesets.drg_weight), the
authority for MS-DRG weights.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import ibis
import pyarrow as pa
import pytest

from codingwatch.codesets import drg_weight
from codingwatch.lake import metrics, open_lake
from codingwatch.lake.schema import ENCOUNTERS

UTC = dt.UTC


def encounter(key, *, vendor, coder, encounter_type="inpatient", specialty="cardiology", day=dt.date(2026, 1, 15),
              drg=None, hours=24.0, origin="coded"):
    received = dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)
    inpatient = encounter_type == "inpatient"
    return {
        "encounter_key": key, "source_id_enc": "x", "origin": origin, "facility": "NORTH",
        "encounter_type": encounter_type, "specialty": specialty,
        "admit_date": day - dt.timedelta(days=3) if inpatient else None,
        "discharge_date": day if inpatient else None,
        "service_date": None if inpatient else day,
        "sex": "F", "age": 60, "discharge_status": 1 if inpatient else None,
        "coder_id": coder, "vendor": vendor,
        "received_at": received, "coded_at": received + dt.timedelta(hours=hours),
        "fiscal_year": 2026, "drg_given": None, "drg": drg,
        "drg_weight": drg_weight(drg) if drg else None, "drg_mismatch": False,
        "grouper_version": 430 if drg else None, "load_id": "t",
    }


def load(lake, rows):
    lake.commit_load(kind="encounters", source_name="t.csv", sha256=str(len(lake.loads())),
                     tables={"encounters": pa.Table.from_pylist(rows, schema=ENCOUNTERS)})


def mean_weight(*drgs) -> Decimal:
    total = sum(drg_weight(d) for d in drgs)
    return (total / len(drgs)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@pytest.fixture
def encounters(tmp_path):
    lake = open_lake(tmp_path / "lake")
    load(lake, [
        encounter("a1", vendor="Acme", coder="ac1", drg=291, hours=10),
        encounter("a2", vendor="Acme", coder="ac1", drg=470, hours=20, specialty="orthopedics"),
        encounter("a3", vendor="Acme", coder="ac2", encounter_type="outpatient", hours=30,
                  day=dt.date(2026, 2, 3)),
        encounter("b1", vendor="Bayside", coder="bc1", drg=871, hours=5, day=dt.date(2026, 2, 20)),
        encounter("b2", vendor="Bayside", coder="bc1", encounter_type="profee", hours=7),
    ])
    # A second load: billed claims are not encounters as coded and never count.
    load(lake, [encounter("z1", vendor="Acme", coder="ac1", drg=193, origin="billed")])
    return lake.connect().table("encounters")


def by_key(figures):
    return {row["key"]: row for row in figures.rows}


def test_encounters_are_counted_by_vendor_across_loads_excluding_billed_claims(encounters):
    rows = by_key(metrics.figures(encounters, "vendor"))
    assert {k: r["encounters"] for k, r in rows.items()} == {"Acme": 3, "Bayside": 2}


def test_cmi_is_the_mean_cms_weight_of_inpatient_encounters(encounters):
    rows = by_key(metrics.figures(encounters, "vendor"))
    assert rows["Acme"]["cmi"] == mean_weight(291, 470)
    assert rows["Bayside"]["cmi"] == mean_weight(871)
    assert isinstance(rows["Acme"]["cmi"], Decimal)


def test_a_group_without_inpatient_encounters_has_no_cmi(encounters):
    rows = by_key(metrics.figures(encounters, "encounter_type"))
    assert rows["outpatient"]["cmi"] is None
    assert rows["inpatient"]["cmi"] == mean_weight(291, 470, 871)


def test_figures_by_month_use_the_discharge_or_service_month(encounters):
    rows = by_key(metrics.figures(encounters, "month"))
    assert {k: r["encounters"] for k, r in rows.items()} == {"2026-01": 3, "2026-02": 2}
    assert rows["2026-02"]["cmi"] == mean_weight(871)


def test_figures_by_specialty(encounters):
    rows = by_key(metrics.figures(encounters, "specialty"))
    assert rows["orthopedics"]["encounters"] == 1
    assert rows["orthopedics"]["cmi"] == drg_weight(470)


def test_turnaround_is_hours_from_received_to_coded(encounters):
    rows = by_key(metrics.figures(encounters, "coder", vendors="Acme"))
    assert rows["ac1"]["mean_turnaround_hours"] == 15.0
    assert rows["ac1"]["median_turnaround_hours"] == 15.0
    assert rows["ac2"]["mean_turnaround_hours"] == 30.0


def test_a_vendor_filter_returns_only_that_vendors_encounters(encounters):
    rows = by_key(metrics.figures(encounters, "coder", vendors=["Bayside"]))
    assert set(rows) == {"bc1"}


def test_an_empty_vendor_list_returns_nothing(encounters):
    assert metrics.figures(encounters, "vendor", vendors=[]).rows == []


def test_a_coder_filter_returns_only_that_coders_months(encounters):
    rows = by_key(metrics.figures(encounters, "month", coder="ac1"))
    assert {k: r["encounters"] for k, r in rows.items()} == {"2026-01": 2}


def test_totals_cover_the_whole_selection(encounters):
    total = metrics.totals(encounters)
    assert total["encounters"] == 5
    assert total["cmi"] == mean_weight(291, 470, 871)


def test_an_empty_lake_gives_no_rows_and_zero_totals(tmp_path):
    empty = open_lake(tmp_path / "empty").connect().table("encounters")
    assert metrics.figures(empty, "vendor").rows == []
    assert metrics.totals(empty)["encounters"] == 0


def test_an_unknown_dimension_is_refused_with_the_choices(encounters):
    with pytest.raises(metrics.MetricsError, match="choose one of vendor"):
        metrics.figures(encounters, "payer")


@pytest.mark.postgres
def test_the_same_figures_on_postgresql_as_on_duckdb(encounters):
    """Portability: the expressions run unchanged on a second ibis backend (the test cluster)."""
    import os
    from urllib.parse import urlparse

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("no PostgreSQL here: `make test` runs this under scripts/with-postgresql")
    parts = urlparse(url)
    con = ibis.postgres.connect(host=parts.hostname, port=parts.port, user=parts.username,
                                password=parts.password, database=parts.path.lstrip("/"))
    table = con.create_table("metrics_encounters", encounters.to_pyarrow(), temp=True, overwrite=True)
    for by in ("vendor", "specialty", "month", "coder"):
        assert metrics.figures(table, by).rows == metrics.figures(encounters, by).rows, by


def test_cmi_leaves_out_and_counts_encounters_whose_year_has_no_weight(tmp_path):
    lake = open_lake(tmp_path / "lake")
    fy2025 = {**encounter("c1", vendor="Acme", coder="ac1", drg=871, day=dt.date(2025, 5, 1)),
              "drg_weight": None, "grouper_version": 421, "fiscal_year": 2025}
    load(lake, [encounter("c2", vendor="Acme", coder="ac1", drg=291), fy2025,
                encounter("c3", vendor="Acme", coder="ac1", drg=999) | {"drg_weight": None}])
    rows = by_key(metrics.figures(lake.connect().table("encounters"), "vendor"))
    # 999 (ungroupable) has no weight by nature; the FY2025 871 lacks one: only it is counted.
    assert rows["Acme"]["cmi"] == mean_weight(291)
    assert rows["Acme"]["weight_missing"] == 1
