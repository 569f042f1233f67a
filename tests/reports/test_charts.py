"""Chart specifications (`reports.charts`) are valid Vega-Lite and carry the figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from codingwatch.lake.metrics import DIMENSIONS
from codingwatch.reports.charts import denial_rates_spec, denial_reasons_spec, figures_spec

ROWS = [
    {"key": "acme", "encounters": 3, "cmi": Decimal("1.6064")},
    {"key": "bayside", "encounters": 2, "cmi": None},
]


@pytest.mark.parametrize("by", ["vendor", "specialty", "month", "coder"])
def test_the_chart_is_a_valid_vega_lite_spec(by):
    spec = figures_spec(ROWS, DIMENSIONS[by], month=by == "month", validate=True)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


def test_the_chart_holds_encounters_and_cmi_of_each_group():
    spec = figures_spec(ROWS, DIMENSIONS["vendor"])
    values = spec["hconcat"][0]["data"]["values"] if "data" in spec["hconcat"][0] else spec["data"]["values"]
    assert values == [{"key": "acme", "encounters": 3, "cmi": 1.6064}, {"key": "bayside", "encounters": 2, "cmi": None}]


RATES = [
    {"key": "2026-01", "denial_rate": 0.125, "coding_denial_rate": 0.05, "claims": 40},
    {"key": "2026-02", "denial_rate": 0.1, "coding_denial_rate": None, "claims": 10, "partial": True, "days": "1-14"},
]


@pytest.mark.parametrize("month", [True, False])
def test_the_denial_rates_chart_is_valid_and_skips_a_missing_rate(month):
    spec = denial_rates_spec(RATES, "Month", month=month, validate=True)
    values = spec["data"]["values"] if "data" in spec else spec["layer"][0]["data"]["values"]
    assert [(v["key"], v["measure"], v["rate"], v["coverage"]) for v in values] == [
        ("2026-01", "all denials", 0.125, "whole month"), ("2026-01", "coding-related", 0.05, "whole month"),
        ("2026-02", "all denials", 0.1, "partial: 1-14")]


def test_the_reason_code_chart_is_valid_and_keeps_the_order():
    rows = [{"carc": "16", "claims": 3, "cumulative_share": 0.6, "description": "missing information", "coding_related": "yes"},
            {"carc": "50", "claims": 2, "cumulative_share": 1.0, "description": "not medically necessary", "coding_related": "no"}]
    spec = denial_reasons_spec(rows, validate=True)
    assert [v["carc"] for v in spec["data"]["values"]] == ["16", "50"]
