"""The audit page's chart: the engine's error-kind Pareto spec, drawn by vega-embed like the dashboard's."""

from __future__ import annotations

from codingwatch.reports.charts import pareto_spec


def pareto_chart(counts: dict[str, int]) -> dict:
    return pareto_spec(counts)
