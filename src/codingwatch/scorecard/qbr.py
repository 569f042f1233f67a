"""The quarterly business review: one document per vendor and quarter.

`build` takes the sections as plain data (the web app and the CLI gather them from the
scorecard engines, the audits, denials, provenance, due diligence and the cost model) and
adds the honest states and the open action items; `render_body` gives the page's HTML (charts
as Vega-Lite specs for the browser to draw), `render_html` a standalone document (charts as
inline SVG, no script, no server path), `pdf_bytes` that document through WeasyPrint, and
`as_json` the machine-readable review.

Accuracy states (sample-based): `breached` only when the upper confidence limit is below the
SLA, `met` only when the lower limit is above it, otherwise `not enough evidence`, with the
charts that would settle it: n = z^2 p (1 - p) / (p - SLA)^2 at the observed accuracy p (the
normal-approximation size for a limit at distance |p - SLA|; none when p equals the SLA).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from decimal import Decimal
from importlib import resources
from statistics import NormalDist

from codingwatch.reports import format as fmt

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


class QuarterError(ValueError):
    pass


def parse_quarter(text: str) -> tuple[dt.date, dt.date]:
    """'2026Q2' -> (2026-04-01, 2026-06-30)."""
    m = QUARTER_RE.match((text or "").strip().upper())
    if not m:
        raise QuarterError(f"{text!r} is not a quarter: write it as 2026Q2")
    year, q = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def months_of(quarter: str) -> list[dt.date]:
    start, _ = parse_quarter(quarter)
    return [dt.date(start.year, start.month + i, 1) for i in range(3)]


def recent_quarters(quarter: str | None, count: int = 6) -> list[str]:
    start = parse_quarter(quarter)[0] if quarter else dt.date.today()
    out, day = [], start
    for _ in range(count):
        out.append(quarter_of(day))
        day = dt.date(day.year, day.month, 1) - dt.timedelta(days=80)
        day = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return out


def accuracy_state(value: float | None, lower: float | None, upper: float | None, target: float,
                   confidence: float = 0.95) -> tuple[str, int | None]:
    """(state, more charts that would settle it) for an accuracy SLA; shares, not percents."""
    if value is None or lower is None or upper is None:
        return "not enough evidence", None
    if upper < target:
        return "breached", None
    if lower > target:
        return "met", None
    if value == target:
        return "not enough evidence", None
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return "not enough evidence", math.ceil(z * z * value * (1 - value) / (value - target) ** 2)


def actions(review: dict) -> list[dict]:
    """Open action items: each breached term, each discrepancy, each expired or expiring
    document, each disqualifier not met, each credit owed."""
    out = []
    for row in review.get("sla", []):
        if row["state"] == "breached":
            out.append({"source": "SLA", "item": f"{row['month']}: {row['term']} breached ({row['measured']} against "
                                                 f"{row['target']})", "owner": "vendor"})
        elif row["state"] == "not enough evidence" and row.get("charts_needed"):
            out.append({"source": "SLA", "item": f"{row['month']}: audit {row['charts_needed']} more charts to settle "
                                                 f"{row['term']}", "owner": "auditor"})
    for d in (review.get("declared") or {}).get("discrepancies", []):
        out.append({"source": "declared vs observed", "item": f"{d['label']}: {d['detail']}", "owner": "vendor"})
    for doc in (review.get("diligence") or {}).get("expiring", []):
        out.append({"source": "due diligence", "item": f"{doc['label']} {doc['state']} ({doc['expires']})",
                    "owner": "vendor"})
    for label in (review.get("diligence") or {}).get("disqualified_by", []):
        out.append({"source": "due diligence", "item": f"disqualifier not met: {label}", "owner": "director"})
    credits = review.get("credits") or {}
    if credits.get("total") and Decimal(str(credits["total"])) > 0:
        out.append({"source": "credits", "item": f"credit of {fmt.money(credits['total'], cents=True)} owed for the "
                                                 "quarter", "owner": "vendor"})
    return out


def build(**sections) -> dict:
    review = dict(sections)
    review.setdefault("generated", dt.date.today().isoformat())
    review["actions"] = actions(review)
    review["charts"] = charts(review)
    return review


# ---- charts ---------------------------------------------------------------------------------

def charts(review: dict) -> dict[str, dict]:
    """Vega-Lite specs by name: KPI trends by month, the findings and denial Paretos, work by country."""
    trend = []
    for m in review.get("months", []):
        for name, value in (("accuracy", m.get("accuracy")), ("coding denial rate", m.get("coding_denial_rate")),
                            ("denial rate", m.get("denial_rate")),
                            ("within turnaround SLA", m.get("turnaround_within"))):
            if value is not None:
                trend.append({"month": m["month"], "measure": name, "value": float(value)})
    volume = [{"month": m["month"], "charts": m.get("charts", 0)} for m in review.get("months", [])]
    paretos = [[{"key": str(r[field]), "count": int(r["count"])} for r in rows[:12]]
               for rows, field in ((review.get("findings_pareto", []), "kind"), (review.get("denial_pareto", []), "carc"))]
    countries = [{"country": r["key"], "share": r["chart_share"]}
                 for r in (review.get("provenance") or {}).get("by_country", [])]
    # altair takes 50-100 ms to write each spec; the same figures give the same specs, so
    # they are written once per distinct set of figures (a copy each time: callers may change it)
    key = json.dumps([trend, volume, paretos, countries], default=str)
    return json.loads(_specs(key))


@functools.lru_cache(maxsize=256)
def _specs(key: str) -> str:
    import altair as alt

    trend, volume, paretos, countries = json.loads(key)
    out = {}
    if trend:
        out["trend"] = alt.Chart(alt.Data(values=trend)).mark_line(point=True).encode(
            x=alt.X("month:O", title="month"), y=alt.Y("value:Q", title="share", axis=alt.Axis(format="%")),
            color=alt.Color("measure:N", title=""),
            tooltip=["month:O", "measure:N", alt.Tooltip("value:Q", format=".1%")],
        ).properties(width=520, height=200, title="KPIs by month").to_dict(validate=False)
    if volume:
        out["volume"] = alt.Chart(alt.Data(values=volume)).mark_bar(color="#3b6ea5").encode(
            x=alt.X("month:O", title="month"), y=alt.Y("charts:Q", title="charts coded"),
            tooltip=["month:O", "charts:Q"]).properties(width=260, height=160,
                                                        title="Volume").to_dict(validate=False)
    for (key, label), values in zip((("findings", "finding"), ("denials", "CARC")), paretos, strict=True):
        if values:
            out[key] = alt.Chart(alt.Data(values=values)).mark_bar(color="#a5543b").encode(
                x=alt.X("count:Q", title="count"), y=alt.Y("key:N", sort="-x", title=label),
                tooltip=["key:N", "count:Q"]).properties(
                width=300, height=max(40, 22 * len(values)),
                title=f"{'Findings' if key == 'findings' else 'Denials'} by {label}").to_dict(validate=False)
    if countries:
        out["countries"] = alt.Chart(alt.Data(values=countries)).mark_bar(color="#3b6ea5").encode(
            x=alt.X("share:Q", title="share of charts reached", axis=alt.Axis(format="%")),
            y=alt.Y("country:N", sort="-x", title="country"),
            tooltip=["country:N", alt.Tooltip("share:Q", format=".1%")]).properties(
            width=300, height=max(40, 24 * len(countries)), title="Work by country").to_dict(validate=False)
    return json.dumps(out)


def _svg(spec: dict) -> str:
    from codingwatch.reports.charts import svg

    return svg(spec)


# ---- rendering --------------------------------------------------------------------------------

def _json_script(value, element_id: str) -> str:
    text = json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


@functools.cache
def _environment():
    """One environment per process: it keeps its compiled templates (compiling costs ~150 ms)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("codingwatch.scorecard").joinpath("templates", name).read_text("utf-8")),
        autoescape=True, undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    def absent(v) -> bool:  # a figure not measured: None, or a section that has no such key
        return v is None or v == "" or isinstance(v, jinja2.Undefined)

    env.filters["money"] = lambda v: fmt.MISSING if absent(v) else fmt.money(v)
    env.filters["percent"] = lambda v, places=1: fmt.MISSING if absent(v) else fmt.percent(v, places)
    env.filters["count"] = lambda v: fmt.MISSING if absent(v) else fmt.count(v)
    env.globals["Markup"] = Markup
    return env, Markup


def render_body(review: dict, *, inline_svg: bool = False) -> str:
    """The review's HTML without the page around it. Charts: a `data-chart` element and its
    spec (the page's script draws them) or, with `inline_svg`, the drawn SVG."""
    env, markup = _environment()
    drawn = {}
    for name, spec in review.get("charts", {}).items():
        if inline_svg:
            drawn[name] = markup(f'<figure class="chart" data-testid="chart-{name}">{_svg(spec)}</figure>')
        else:
            element = f"qbr-chart-{name}"
            drawn[name] = markup(f'<div class="chart" data-chart="{element}" data-testid="chart-{name}"></div>'
                                 + _json_script(spec, element))
    return env.get_template("qbr_body.html").render(r=review, chart=drawn)


STYLE = """body{font-family:"DejaVu Sans",sans-serif;font-size:10pt;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:2px 6px;text-align:left}
.breached{color:#a00;font-weight:bold}.met{color:#060}.not-enough-evidence{color:#a60}
figure.chart{margin:.5em 0}@page{size:A4;margin:1.5cm}"""


def render_html(review: dict) -> str:
    """A standalone document: inline style and SVG charts, no script and no server path."""
    body = render_body(review, inline_svg=True)
    title = f"Quarterly business review: {review['vendor']['name']}, {review['quarter']}"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def pdf_bytes(review: dict) -> bytes:
    from codingwatch.reports.render import pdf_bytes as laid_out

    return laid_out(render_html(review))


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def as_json(review: dict) -> dict:
    return _plain({k: v for k, v in review.items() if k != "charts"})
