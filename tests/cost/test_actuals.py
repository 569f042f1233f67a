"""Measured productivity and turnaround from a small lake, put beside a proposal's promises."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa
import pytest
import yaml
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.cost import compare, parse_scenario
from codingwatch.cost.actuals import apply_actuals, measure_from_lake
from codingwatch.lake import open_lake
from codingwatch.lake.schema import ENCOUNTERS

UTC = dt.UTC
DAY = dt.datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def encounter(key, coder, vendor, encounter_type, coded_at, received_hours_before=24.0):
    return {
        "encounter_key": key, "source_id_enc": None, "origin": "coded", "facility": "F1",
        "encounter_type": encounter_type, "specialty": "cardiology", "admit_date": None,
        "discharge_date": None, "service_date": coded_at.date(), "sex": "F", "age": 60,
        "discharge_status": None, "coder_id": coder, "vendor": vendor,
        "received_at": coded_at - dt.timedelta(hours=received_hours_before), "coded_at": coded_at,
        "fiscal_year": 2026, "drg_given": None, "drg": None, "drg_weight": None, "drg_mismatch": None,
        "grouper_version": None, "load_id": "test",
    }


def coder_day(prefix, coder, vendor, encounter_type, minutes_per_chart, charts, start=DAY, received=24.0):
    """A coder's run of charts at a steady pace, then (after a 3-hour break) one more chart."""
    rows = []
    for i in range(charts):
        rows.append(encounter(f"{prefix}{i}", coder, vendor, encounter_type,
                              start + dt.timedelta(minutes=minutes_per_chart * i), received))
    after_break = start + dt.timedelta(minutes=minutes_per_chart * (charts - 1) + 180)
    rows.append(encounter(f"{prefix}late", coder, vendor, encounter_type, after_break, received))
    return rows


@pytest.fixture
def lake(lake_root):
    rows = []
    # Acme's two coders: inpatient at 30 minutes a chart (2/h), received 72 h before coding.
    rows += coder_day("a", "acme-1", "Acme", "inpatient", 30, 31, received=72.0)
    rows += coder_day("b", "acme-2", "Acme", "inpatient", 30, 31, received=72.0)
    # In-house coders (no vendor): inpatient at 20 minutes a chart (3/h), received 24 h before.
    rows += coder_day("c", "own-1", None, "inpatient", 20, 41)
    # Outside the period: ignored.
    rows += coder_day("d", "acme-1", "Acme", "inpatient", 5, 30, start=DAY + dt.timedelta(days=40))
    table = pa.Table.from_pylist(rows, schema=ENCOUNTERS)
    store = open_lake(lake_root)
    store.commit_load(kind="encounters", source_name="test.csv", sha256="0" * 64, tables={"encounters": table})
    return store


def scenario_dict():
    def spec(value, unit, source="proposal"):
        return {"value": value, "unit": unit, "source": source}

    return {
        "scenario": "Measured",
        "inputs": {"volume_inpatient": spec(6000, "charts/year"),
                   "reference_charts_per_hour_inpatient": spec(3, "charts/hour")},
        "options": {
            "in_house": {"kind": "in-house", "inputs": {"hourly_pay": spec(30, "USD/hour"),
                                                        "productivity_vs_reference": spec(1, "ratio")}},
            "offshore": {"kind": "offshore", "lake_vendor": "Acme", "inputs": {
                "hourly_pay": spec(15, "USD/hour"),
                "charts_per_hour_inpatient": spec(3, "charts/hour"),
                "denial_rate": spec(0.01, "share"),
                "turnaround_hours": spec(48, "hours"),
            }},
        },
    }


def test_productivity_is_timed_by_coded_at_spacing_within_sessions(lake):
    measured = measure_from_lake(lake, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    rows = {(r["vendor"], r["encounter_type"]): r for r in measured["productivity"]}
    acme = rows[("Acme", "inpatient")]
    # 30 gaps of 30 minutes per coder are timed; the chart after the 3-hour break is not.
    assert acme["timed_charts"] == 60
    assert acme["charts_per_hour"] == pytest.approx(2.0)
    assert rows[("in-house", "inpatient")]["charts_per_hour"] == pytest.approx(3.0)
    assert measured["charts"] == 32 * 2 + 42


def test_turnaround_is_received_to_coded(lake):
    measured = measure_from_lake(lake, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    rows = {r["vendor"]: r for r in measured["turnaround"]}
    assert rows["Acme"]["median_hours"] == pytest.approx(72.0)
    assert rows["in-house"]["median_hours"] == pytest.approx(24.0)


def test_measured_figures_replace_promised_ones_and_are_shown_beside_them(lake):
    scenario = parse_scenario(scenario_dict())
    measured = measure_from_lake(lake, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    actual = apply_actuals(scenario, measured, accuracy={"offshore": Decimal("0.91")},
                           denial_rate={"offshore": Decimal("0.03")})
    rows = {r["figure"]: r for r in actual.measured["offshore"]}
    assert rows["charts_per_hour_inpatient"]["promised"] == Decimal(3)
    assert rows["charts_per_hour_inpatient"]["measured"] == Decimal("2.00")
    assert rows["turnaround_hours"]["promised"] == Decimal(48)
    assert rows["turnaround_hours"]["measured"] == Decimal("72.0")
    assert rows["denial_rate"]["measured"] == Decimal("0.03")
    assert rows["accuracy"]["measured"] == Decimal("0.91")
    # 6,000 charts at 2/h = 3,000 h x $15 instead of 2,000 h.
    assert compare(actual)["options"]["offshore"]["components"]["coding"] == Decimal("45000.00")
    assert compare(scenario)["options"]["offshore"]["components"]["coding"] == Decimal("30000.00")


def test_declared_hours_basis_gives_productivity_against_the_reference(lake):
    scenario = parse_scenario(scenario_dict())
    measured = measure_from_lake(lake, dt.date(2026, 1, 1), dt.date(2026, 1, 31),
                                 hours_by_vendor={"Acme": 32.0})
    actual = apply_actuals(scenario, measured)
    # 64 Acme charts in 32 declared hours = 2/h against a reference of 3/h.
    assert actual.options["offshore"].inputs["productivity_vs_reference"].value == Decimal("0.667")


def test_measured_share_outside_0_to_1_is_refused(lake):
    scenario = parse_scenario(scenario_dict())
    measured = measure_from_lake(lake, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    with pytest.raises(ValueError, match="--denial-rate: offshore=3 must be a share"):
        apply_actuals(scenario, measured, denial_rate={"offshore": Decimal(3)})


def test_cli_actuals_reads_the_lake_and_writes_the_measured_scenario(lake, tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario_dict()))
    out = tmp_path / "measured.yaml"
    result = CliRunner().invoke(app, ["cost", "actuals", str(path), "--from", "2026-01-01", "--to", "2026-01-31",
                                      "--denial-rate", "offshore=0.02", "--write", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    figures = {r["figure"] for r in payload["measured"]["offshore"]}
    assert {"charts_per_hour_inpatient", "turnaround_hours", "denial_rate"} <= figures
    written = yaml.safe_load(out.read_text())
    assert written["options"]["offshore"]["inputs"]["charts_per_hour_inpatient"]["value"] == 2
    assert "measured" in written["options"]["offshore"]["inputs"]["charts_per_hour_inpatient"]["source"]
    assert written["options"]["offshore"]["inputs"]["charts_per_hour_inpatient"]["note"] == "promised: 3"


def test_productivity_expressions_run_on_a_second_backend(lake):
    """The same ibis expressions on SQLite give DuckDB's figures (turnaround's median needs a backend
    with quantiles: DuckDB, PostgreSQL, Spark, Snowflake, Trino)."""
    import ibis

    from codingwatch.cost.actuals import productivity_by_spacing

    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    duck = productivity_by_spacing(lake.connect().table("encounters"), start, end).to_pyarrow().to_pylist()
    rows = lake.connect().table("encounters").to_pyarrow().drop_columns(["drg_weight"])
    sqlite = ibis.sqlite.connect()
    sqlite.create_table("encounters", rows)
    other = productivity_by_spacing(sqlite.table("encounters"), start, end).to_pyarrow().to_pylist()
    assert [(r["vendor"], r["timed_charts"], round(r["charts_per_hour"], 9)) for r in other] == [
        (r["vendor"], r["timed_charts"], round(r["charts_per_hour"], 9)) for r in duck]


def test_cli_brief_shows_the_cost_per_correctly_coded_paid_chart_from_the_scorecard(lake, tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario_dict()))
    out = tmp_path / "brief.html"
    result = CliRunner().invoke(app, ["cost", "brief", str(path), "--out", str(out), "--draws", "200",
                                      "--measured-from-scorecard", "--from", "2026-01-01", "--to", "2026-01-31"])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Cost per correctly coded, paid chart (measured)" in html
    row = html.split("<tr><td>offshore</td>", 1)[1].split("</tr>", 1)[0]
    # no audited charts given: no measured accuracy, so no figure, and the brief says why
    assert '<td class="text">Acme</td>' in row and "no final audit in the period" in row
