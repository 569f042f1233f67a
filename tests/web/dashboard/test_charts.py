"""Chart specifications are valid Vega-Lite and carry the figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from codingwatch.web.dashboard.charts import figures_chart

ROWS = [
    {"key": "acme", "encounters": 3, "cmi": Decimal("1.6064")},
    {"key": "bayside", "encounters": 2, "cmi": None},
]


@pytest.mark.parametrize("by", ["vendor", "specialty", "month", "coder"])
def test_the_chart_is_a_valid_vega_lite_spec(by):
    spec = figures_chart(ROWS, by, validate=True)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


def test_the_chart_holds_encounters_and_cmi_of_each_group():
    spec = figures_chart(ROWS, "vendor")
    values = spec["hconcat"][0]["data"]["values"] if "data" in spec["hconcat"][0] else spec["data"]["values"]
    assert values == [{"key": "acme", "encounters": 3, "cmi": 1.6064}, {"key": "bayside", "encounters": 2, "cmi": None}]
