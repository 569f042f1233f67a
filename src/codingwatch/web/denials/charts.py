"""Chart specifications (Vega-Lite, built with altair) for the denials page; drawn by vega-embed."""

from __future__ import annotations

import altair as alt

DENIED_COLOR = "#3b6ea5"
CODING_COLOR = "#c2693e"


def rates_chart(rows: list[dict], label: str, *, month: bool = False, width: int = 420, height: int = 200,
                validate: bool = False) -> dict:
    """Denial rate and coding-related denial rate per group (grouped bars; lines over months)."""
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
               alt.Tooltip("rate:Q", title="Rate", format=".1%"), alt.Tooltip("claims:Q", title="Claims")]
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


def pareto_chart(rows: list[dict], *, width: int = 420, height: int = 220, validate: bool = False) -> dict:
    """CARCs behind denials, most frequent first (bars), with the cumulative share (line)."""
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
                 alt.Tooltip("cumulative_share:Q", title="Cumulative share", format=".1%")],
    )
    return alt.layer(bars, line).resolve_scale(y="independent").configure_view(stroke=None).to_dict(validate=validate)
