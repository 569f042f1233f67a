"""Chart specifications (Vega-Lite, built with altair) for the figures; drawn by vega-embed."""

from __future__ import annotations

import altair as alt

from codingwatch.lake.metrics import DIMENSIONS

ENCOUNTERS_COLOR = "#3b6ea5"
CMI_COLOR = "#c2693e"


def figures_chart(rows: list[dict], by: str, *, width: int = 320, height: int = 200, validate: bool = False) -> dict:
    """Encounters and CMI side by side, one mark per group (bars; lines over months).

    Schema validation costs about 50 ms a chart, so pages skip it; the tests validate.
    """
    label = DIMENSIONS[by]
    values = [
        {"key": row.get("label", row["key"]), "encounters": row["encounters"], "cmi": float(row["cmi"]) if row["cmi"] is not None else None}
        for row in rows
    ]
    base = alt.Chart(alt.Data(values=values)).properties(width=width, height=height)
    x = alt.X("key:O" if by == "month" else "key:N", title=label, sort=None)
    if by == "month":
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
