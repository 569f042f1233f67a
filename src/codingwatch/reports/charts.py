"""Chart specifications as Vega-Lite dicts, and their offline rendering to SVG.

A page draws a spec in the browser with vega-embed; a document (HTML or PDF report) inlines
the same spec rendered to SVG by vl-convert, so both show the same chart. Specs are plain
dicts (altair's `to_dict()` or hand-written), so they can be tested and sent as JSON.
"""

from __future__ import annotations

import base64

CHART_FONT = "DejaVu Sans"
MONEY_AXIS = "$,.0f"
"""d3-format for money on an axis: whole dollars with thousands separators ($1,250)."""
MONEY_TOOLTIP = "$,.2f"
PERCENT_AXIS = ".0%"
PERCENT_TOOLTIP = ".1%"
"""d3-format for a rate in a tooltip, as `reports.format.percent` prints it (11.6%)."""


def pareto_spec(counts: dict[str, int]) -> dict:
    """Findings per error kind, largest first, with the cumulative share (a Pareto chart)."""
    import altair as alt

    total = sum(counts.values()) or 1
    running = 0
    rows = []
    for kind, n in counts.items():
        running += n
        rows.append({"kind": kind, "findings": n, "cumulative": running / total})
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("kind:N", sort=None, title="error kind", axis=alt.Axis(labelAngle=-40))
    )
    bars = base.mark_bar(color="#4c78a8").encode(y=alt.Y("findings:Q", title="findings"))
    line = base.mark_line(color="#e45756", point=True).encode(
        y=alt.Y("cumulative:Q", title="cumulative share", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]))
    )
    chart = alt.layer(bars, line).resolve_scale(y="independent").properties(width=560, height=240)
    return chart.to_dict()


def svg(spec: dict) -> str:
    """The chart as an SVG document (vl-convert: no browser, no network)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


def svg_data_uri(spec: dict) -> str:
    """The chart as a `data:` URI, for an <img> in a self-contained document."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(spec).encode()).decode()
