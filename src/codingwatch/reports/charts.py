"""Chart specifications as Vega-Lite dicts, and their offline rendering to SVG.

A page draws a spec in the browser with vega-embed; a document (HTML or PDF report) inlines
the same spec rendered to SVG by vl-convert, so both show the same chart. Specs are plain
dicts (altair's `to_dict()` or hand-written), so they can be tested and sent as JSON.

The specs: `pareto_spec` (an audit's findings per error kind), `figures_spec` (the dashboard's
encounters and CMI), `denial_rates_spec` and `denial_reasons_spec` (the denials pages' rates and
reason-code Pareto). altair is imported inside each, so importing this module stays cheap.
Schema validation costs about 50 ms a chart, so pages pass `validate=False`; the tests validate.
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

ENCOUNTERS_COLOR = "#3b6ea5"
CMI_COLOR = "#c2693e"
DENIED_COLOR = "#3b6ea5"
CODING_COLOR = "#c2693e"


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


def figures_spec(rows: list[dict], label: str, *, month: bool = False, width: int = 320, height: int = 200,
                 validate: bool = False) -> dict:
    """Encounters and CMI side by side, one mark per group (bars; lines over months).

    `rows` are the dashboard's figure rows (key or label, encounters, cmi); `label` names the
    grouping on the axis and tooltips ("Vendor", "Month", ...).
    """
    import altair as alt

    values = [
        {"key": row.get("label", row["key"]), "encounters": row["encounters"], "cmi": float(row["cmi"]) if row["cmi"] is not None else None}
        for row in rows
    ]
    base = alt.Chart(alt.Data(values=values)).properties(width=width, height=height)
    x = alt.X("key:O" if month else "key:N", title=label, sort=None)
    if month:
        volume = base.mark_line(point=True, color=ENCOUNTERS_COLOR)
        case_mix = base.mark_line(point=True, color=CMI_COLOR)
    else:
        volume = base.mark_bar(color=ENCOUNTERS_COLOR)
        case_mix = base.mark_bar(color=CMI_COLOR)
    volume = volume.encode(
        x=x, y=alt.Y("encounters:Q", title="Encounters"),
        tooltip=[alt.Tooltip("key:N", title=label), alt.Tooltip("encounters:Q", title="Encounters")],
    ).properties(title="Encounters")
    case_mix = case_mix.transform_filter("datum.cmi != null").encode(
        x=x, y=alt.Y("cmi:Q", title="CMI", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("key:N", title=label), alt.Tooltip("cmi:Q", title="CMI", format=".4f")],
    ).properties(title="Case mix index (inpatient)")
    return alt.hconcat(volume, case_mix).configure_view(stroke=None).to_dict(validate=validate)


def denial_rates_spec(rows: list[dict], label: str, *, month: bool = False, width: int = 420, height: int = 200,
                      validate: bool = False) -> dict:
    """Denial rate and coding-related denial rate per group (grouped bars; lines over months)."""
    import altair as alt

    values = []
    for row in rows:
        for measure, field in (("all denials", "denial_rate"), ("coding-related", "coding_denial_rate")):
            if row[field] is not None:
                values.append({"key": row.get("label", row["key"]), "measure": measure, "rate": row[field], "claims": row["claims"],
                               "coverage": f"partial: {row['days']}" if row.get("partial") else "whole month"})
    base = alt.Chart(alt.Data(values=values)).properties(width=width, height=height, title="Denial rate")
    color = alt.Color("measure:N", title=None,
                      scale=alt.Scale(domain=["all denials", "coding-related"], range=[DENIED_COLOR, CODING_COLOR]))
    tooltip = [alt.Tooltip("key:N", title=label), alt.Tooltip("measure:N", title="Denials"),
               alt.Tooltip("rate:Q", title="Rate", format=PERCENT_TOOLTIP), alt.Tooltip("claims:Q", title="Claims")]
    y = alt.Y("rate:Q", title="Share of remitted claims", axis=alt.Axis(format="%"))
    if month:
        # a month the data covers only in part is drawn as a hollow point and says so on the axis and tooltip
        tooltip = tooltip + [alt.Tooltip("coverage:N", title="Month")]
        line = base.mark_line().encode(x=alt.X("key:O", title=label, sort=None), y=y, color=color)
        points = base.mark_point(size=50).encode(
            x=alt.X("key:O", title=label, sort=None), y=y, color=color, tooltip=tooltip,
            fill=alt.condition("datum.coverage == 'whole month'", "measure:N", alt.value("white"),
                               scale=alt.Scale(domain=["all denials", "coding-related"],
                                               range=[DENIED_COLOR, CODING_COLOR]), legend=None))
        chart = alt.layer(line, points)
    else:
        chart = base.mark_bar().encode(x=alt.X("key:N", title=label, sort=None), xOffset="measure:N", y=y,
                                       color=color, tooltip=tooltip)
    return chart.configure_view(stroke=None).to_dict(validate=validate)


def denial_reasons_spec(rows: list[dict], *, width: int = 420, height: int = 220, validate: bool = False) -> dict:
    """CARCs behind denials, most frequent first (bars), with the cumulative share (line)."""
    import altair as alt

    values = [{"carc": r["carc"], "claims": r["claims"], "cumulative_share": r["cumulative_share"],
               "description": r["description"], "coding_related": r["coding_related"]} for r in rows]
    base = alt.Chart(alt.Data(values=values)).properties(width=width, height=height, title="Reason codes (CARC)")
    x = alt.X("carc:N", title="CARC", sort=None)
    bars = base.mark_bar().encode(
        x=x, y=alt.Y("claims:Q", title="Denied claims"),
        color=alt.Color("coding_related:N", title="Coding-related",
                        scale=alt.Scale(domain=["yes", "depends", "no", "unknown"],
                                        range=[CODING_COLOR, "#d9a441", DENIED_COLOR, "#999999"])),
        tooltip=[alt.Tooltip("carc:N", title="CARC"), alt.Tooltip("description:N", title="Reason"),
                 alt.Tooltip("claims:Q", title="Claims")],
    )
    line = base.mark_line(point=True, color="#333333").encode(
        x=x, y=alt.Y("cumulative_share:Q", title="Cumulative share", axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("carc:N", title="CARC"),
                 alt.Tooltip("cumulative_share:Q", title="Cumulative share", format=PERCENT_TOOLTIP)],
    )
    return alt.layer(bars, line).resolve_scale(y="independent").configure_view(stroke=None).to_dict(validate=validate)


def svg(spec: dict) -> str:
    """The chart as an SVG document (vl-convert: no browser, no network)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


def svg_data_uri(spec: dict) -> str:
    """The chart as a `data:` URI, for an <img> in a self-contained document."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(spec).encode()).decode()
