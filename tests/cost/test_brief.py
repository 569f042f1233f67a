"""The decision brief carries the comparison, both charts and every input with its source."""

from __future__ import annotations

from decimal import Decimal

from codingwatch.cost import evaluate, parse_scenario, preset_scenario
from codingwatch.cost.brief import chart_specs, render_html, write_brief


def test_html_brief_lists_every_input_with_its_source(two_types):
    two_types["options"]["vendor"]["inputs"]["hourly_pay"]["source"] = "Vendor quote of 2026-02-01"
    scenario = parse_scenario(two_types)
    html = render_html(scenario, draws=500, seed=1)
    for path in scenario.stated_paths():
        assert f"<td>{path}</td>" in html
    assert "Vendor quote of 2026-02-01" in html
    assert "Where the answer turns" in html and "How uncertain it is" in html


def test_charts_are_rendered_offline_as_svg(two_types):
    html = render_html(parse_scenario(two_types), draws=500, seed=1)
    assert html.count('src="data:image/svg+xml;base64,') == 3


def test_chart_specs_are_vega_lite_for_the_web_page():
    specs = chart_specs(evaluate(preset_scenario("hfma-2018"), draws=200, seed=0))
    assert set(specs) == {"components", "tornado", "distribution"}
    assert all(spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/") for spec in specs.values())


def test_pdf_brief_is_written(tmp_path):
    out = write_brief(preset_scenario("hfma-2018"), tmp_path / "brief.pdf", draws=500, seed=1)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


# A measured period as cost.actuals.measured_from_scorecard gives it, per lake vendor.
MEASURED = {"Acme Coding": {"charts": 1000, "accuracy": 0.95, "coding_denials": 20, "audited_charts": 60,
                            "claims": 900, "denial_rate": 0.022222, "turnaround_hours": 30.0,
                            "charts_per_coder_hour": 2.0},
            "in-house": {"charts": 400, "accuracy": None, "coding_denials": 3, "audited_charts": 0, "claims": 380,
                         "denial_rate": 0.007895, "turnaround_hours": 20.0, "charts_per_coder_hour": None}}


def test_the_brief_shows_the_cost_per_correctly_coded_paid_chart_from_the_scorecard(two_types):
    from tests.cost.conftest import spec

    vendor = two_types["options"]["vendor"]
    vendor["lake_vendor"] = "Acme Coding"
    vendor["inputs"]["rework_cost_per_denial"] = spec(43.84, "USD/denial")
    html = render_html(parse_scenario(two_types), draws=200, seed=1, scorecard=MEASURED)
    assert "Cost per correctly coded, paid chart (measured)" in html
    # By hand: price per chart $12/h / 2.0 measured charts per coder-hour = $6.00;
    # coding 1,000 x $6 = $6,000; rework 20 x $43.84 = $876.80; audit 60 charts x 30 min x $40/h = $1,200;
    # total $8,076.80 over 1,000 x 0.95 - 20 = 930 correctly coded, paid charts = $8.68.
    row = html.split("<tr><td>vendor</td>", 1)[1].split("</tr>", 1)[0]
    assert "total 8076.80 / (1,000 charts x accuracy 0.9500 - 20" in row  # the basis, to the cent
    assert "$8,077" in row and "$8.68" in row and "930.0" in row and "$6.00" in row  # the brief's money format
    # the in-house team: no final audit and no coder-hours measured, so no figure, and it says why
    row = html.split("<tr><td>in_house</td>", 1)[1].split("</tr>", 1)[0]
    assert "not known" in row and "no final audit" in row


def test_per_chart_prices_are_weighted_by_the_yearly_volume_of_each_type(two_types):
    from codingwatch.cost.brief import priced_from_scorecard
    from tests.cost.conftest import spec

    vendor = two_types["options"]["vendor"]
    vendor.update({"lake_vendor": "Acme Coding", "pricing": "per_chart"})
    vendor["inputs"].update({"price_per_chart_inpatient": spec(20, "USD/chart"),
                             "price_per_chart_outpatient": spec(5, "USD/chart")})
    priced = priced_from_scorecard(parse_scenario(two_types), MEASURED)["vendor"]
    assert priced["price_per_chart"] == Decimal("10.63")  # (600 x $20 + 1,000 x $5) / 1,600 = $10.625
    lines = {line["line"]: line["amount"] for line in priced["lines"]}
    assert lines["coding"] == Decimal("10625.00")  # 1,000 x $10.625
    assert priced["per_correct_paid_chart"] == Decimal("12.72")  # (10,625 + 0 rework + 1,200 audit) / 930


def test_without_measured_figures_the_brief_has_no_such_section(two_types):
    assert "correctly coded, paid chart (measured)" not in render_html(parse_scenario(two_types), draws=200, seed=1)
