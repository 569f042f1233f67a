"""The decision brief carries the comparison, both charts and every input with its source."""

from __future__ import annotations

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
