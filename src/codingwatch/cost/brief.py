"""The decision brief: comparison, tornado, Monte Carlo distribution and every input with its source.

Charts are Vega-Lite specifications built with altair (`chart_specs`), so a web page can draw
the same specs with vega-embed; for the documents they are rendered to SVG offline by
vl-convert. The HTML is self-contained (charts inline as SVG images); the PDF is that HTML
laid out by WeasyPrint.

Given a period's measured figures from the scorecard engine (`cost.actuals.measured_from_scorecard`,
keyed by the lake's vendor name), the brief also shows each option's **cost per correctly coded,
paid chart** for that period (`priced_from_scorecard`, `cost.actuals.price_measured`).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import altair as alt

from codingwatch.cost import evaluate
from codingwatch.cost.actuals import IN_HOUSE, price_measured
from codingwatch.cost.inputs import COMPONENT_LABELS, COMPONENTS
from codingwatch.cost.scenario import Scenario
from codingwatch.reports import format as fmt
from codingwatch.reports import render
from codingwatch.reports.charts import CHART_FONT, MONEY_AXIS, MONEY_TOOLTIP, svg_data_uri

TORNADO_BARS = 15


def _f(value) -> float:
    return float(Decimal(value))


def chart_specs(result: dict) -> dict[str, dict]:
    """Vega-Lite specs (dicts) of the brief's charts: components, tornado, distribution."""
    comparison = result["comparison"]
    rows = []
    for name, option in comparison["options"].items():
        for component in COMPONENTS:
            amount = _f(option["components"][component])
            if amount:
                rows.append({"option": name, "component": COMPONENT_LABELS[component], "per_year": amount})
    components = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("per_year:Q", title="yearly cost (USD)", axis=alt.Axis(format=MONEY_AXIS)),
        y=alt.Y("option:N", title=None, sort=list(comparison["options"])),
        color=alt.Color("component:N", title="component", sort=[COMPONENT_LABELS[c] for c in COMPONENTS],
                        scale=alt.Scale(scheme="tableau20"),
                        legend=alt.Legend(columns=3, orient="bottom", labelLimit=220)),
        tooltip=["option:N", "component:N", alt.Tooltip("per_year:Q", format=MONEY_TOOLTIP)],
    ).properties(width=560, height=28 * len(comparison["options"]), title="Yearly cost by component")

    specs = {"components": components.to_dict()}

    tornado = result.get("tornado")
    if tornado and tornado["inputs"]:
        base = _f(tornado["base_difference"])
        bars, order = [], []
        for row in tornado["inputs"][:TORNADO_BARS]:
            order.append(row["input"])
            for end in ("low", "high"):
                bars.append({"input": row["input"], "end": f"input at {end}",
                             "value": f"{row[end]} {row['unit']}",
                             "from": base, "to": _f(row[f"difference_at_{end}"])})
        a, b = tornado["pair"]
        chart = alt.Chart(alt.Data(values=bars)).mark_bar(height=12).encode(
            x=alt.X("from:Q", title=f"yearly cost of {a} minus {b} (USD; below 0: {a} cheaper)",
                    axis=alt.Axis(format=MONEY_AXIS, labelOverlap=True, tickCount=6)),
            x2="to:Q",
            y=alt.Y("input:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("end:N", title=None, scale=alt.Scale(range=["#4c78a8", "#e45756"]),
                            legend=alt.Legend(orient="bottom")),
            tooltip=["input:N", "end:N", "value:N", alt.Tooltip("to:Q", format=MONEY_AXIS)],
        )
        zero = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color="black").encode(x="x:Q")
        stated = alt.Chart(alt.Data(values=[{"x": base}])).mark_rule(color="gray", strokeDash=[4, 3]).encode(
            x="x:Q")
        specs["tornado"] = (chart + zero + stated).properties(
            width=520, height=18 * len(order), title="Where the answer turns (tornado)").to_dict()

    simulation = result.get("simulation")
    if simulation:
        edges = [_f(e) for e in simulation["histogram_edges"]]
        points = []
        for name, option in simulation["options"].items():
            total = sum(option["histogram"]) or 1
            for i, count in enumerate(option["histogram"]):
                points.append({"option": name, "cost": (edges[i] + edges[i + 1]) / 2, "share": count / total})
        specs["distribution"] = alt.Chart(alt.Data(values=points)).mark_area(
            interpolate="step", opacity=0.45).encode(
            x=alt.X("cost:Q", title="yearly cost (USD)", axis=alt.Axis(format=MONEY_AXIS)),
            y=alt.Y("share:Q", title="share of draws", stack=None, axis=alt.Axis(format="%")),
            color=alt.Color("option:N", title=None, legend=alt.Legend(orient="bottom")),
        ).properties(width=560, height=220,
                     title=f"Monte Carlo: {simulation['draws']:,} draws (seed {simulation['seed']})").to_dict()
    for spec in specs.values():
        # The font the PDF renderer has, so that labels measured by vl-convert fit when drawn.
        spec.setdefault("config", {})["font"] = CHART_FONT
        spec["padding"] = {"left": 30, "right": 12, "top": 4, "bottom": 4}
    return specs


def _stated(scenario: Scenario, path: str) -> Decimal | None:
    try:
        return Decimal(scenario.input_spec(path).value)
    except KeyError:  # neither stated nor with a default
        return None


def _price_per_chart(scenario: Scenario, name: str, figures: dict) -> tuple[Decimal | None, str]:
    """The option's price of one chart: its per-chart prices weighted by the scenario's yearly
    volumes of the types it codes, or (hourly pricing) its hourly pay over the measured charts
    per coder-hour."""
    option = scenario.options[name]
    if option.pricing == "hourly":
        pay, per_hour = _stated(scenario, f"{name}.hourly_pay"), figures.get("charts_per_coder_hour")
        if pay is None or not per_hour:
            return None, "hourly pay over measured charts per coder-hour: not known"
        return pay / Decimal(repr(per_hour)), f"${pay}/h / {per_hour} measured charts per coder-hour"
    weighted, volume = Decimal(0), Decimal(0)
    for t in scenario.option_types(name):
        price, n = _stated(scenario, f"{name}.price_per_chart_{t}"), _stated(scenario, f"volume_{t}") or Decimal(0)
        if price is None:
            return None, f"no price per {t} chart"
        weighted, volume = weighted + price * n, volume + n
    if not volume:
        return None, "no yearly volume to weigh the per-chart prices"
    return weighted / volume, "per-chart prices weighted by the yearly volume of each type"


def priced_from_scorecard(scenario: Scenario, measured: dict[str, dict]) -> dict[str, dict]:
    """For each single option whose vendor (its `lake_vendor`; `in-house` for an in-house option
    without one) has measured figures in `measured` (`cost.actuals.measured_from_scorecard`): the
    period priced by `cost.actuals.price_measured` with the option's stated price per chart,
    rework cost per denial and auditor rate."""
    out = {}
    for name, option in scenario.options.items():
        if option.kind == "hybrid":
            continue
        vendor = option.lake_vendor or (IN_HOUSE if option.kind == "in-house" else None)
        figures = measured.get(vendor) if vendor else None
        if not figures:
            continue
        price, price_basis = _price_per_chart(scenario, name, figures)
        priced = price_measured(charts=int(figures["charts"]), price_per_chart=price, accuracy=figures.get("accuracy"),
                                coding_denials=int(figures.get("coding_denials") or 0),
                                rework_cost_per_denial=_stated(scenario, f"{name}.rework_cost_per_denial"),
                                audited_charts=int(figures.get("audited_charts") or 0),
                                auditor_hourly_cost=_stated(scenario, f"{name}.auditor_rate"))
        out[name] = {"vendor": vendor, "charts": int(figures["charts"]), "accuracy": figures.get("accuracy"),
                     "coding_denials": int(figures.get("coding_denials") or 0),
                     "price_per_chart": None if price is None else price.quantize(Decimal("0.01"), ROUND_HALF_UP),
                     "price_basis": price_basis, **priced}
    return out


def _usd(value, signed: bool = False) -> str:
    return fmt.money(value, signed=signed, missing="")


TEMPLATE = render.environment().from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Decision brief: {{ scenario.name }}</title>
<style>
@page { size: Letter; margin: 14mm 12mm 16mm 12mm;
        @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; color: #666; } }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 9pt; color: #111; max-width: 1000px;
       margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 2pt 0; } h2 { font-size: 12pt; margin: 14pt 0 4pt 0; }
.meta { color: #555; margin-bottom: 8pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
th, td { border-bottom: 1px solid #ddd; padding: 2pt 4pt; text-align: right; vertical-align: top;
         white-space: nowrap; }
th:first-child, td:first-child, td.text { text-align: left; }
th { background: #f2f2f2; } tr.total td { font-weight: bold; border-top: 1.5px solid #333; }
td.source { text-align: left; font-size: 7.5pt; color: #333; white-space: normal; }
table.inputs { table-layout: fixed; font-size: 8pt; }
table.inputs td { white-space: normal; overflow-wrap: anywhere; }
.cheapest { background: #e8f4e8; }
img.chart { max-width: 100%; display: block; margin: 6pt 0; }
.note { color: #444; font-size: 8pt; }
section { page-break-inside: auto; } .keep { page-break-inside: avoid; }
</style></head><body>
<h1>Decision brief: {{ scenario.name }}</h1>
<div class="meta">Prepared {{ today }} by codingwatch. Baseline: {{ comparison.baseline }}.
Cheapest at the stated values: <b>{{ comparison.options[comparison.cheapest].label }}</b>.
{% if simulation %}In {{ simulation.draws | count }} simulated draws it is cheapest
{{ simulation.options[comparison.cheapest].probability_cheapest | percent(0) }} of the time.{% endif %}</div>
{% if scenario.description %}<p>{{ scenario.description }}</p>{% endif %}

<section><h2>1. What each option costs</h2>
<table><tr><th>yearly cost</th>{% for n in names %}<th{% if n == comparison.cheapest %} class="cheapest"{% endif %}>{{ n }}</th>{% endfor %}</tr>
{% for c in components %}<tr><td>{{ labels[c] }}</td>{% for n in names %}<td>{{ usd(comparison.options[n].components[c]) }}</td>{% endfor %}</tr>
{% endfor %}
<tr class="total"><td>Total per year</td>{% for n in names %}<td>{{ usd(comparison.options[n].total_per_year) }}</td>{% endfor %}</tr>
<tr><td>Cost per chart</td>{% for n in names %}<td>{{ usd(comparison.options[n].cost_per_chart) }}</td>{% endfor %}</tr>
<tr><td>Per domestic-equivalent hour</td>{% for n in names %}<td>{{ usd(comparison.options[n].cost_per_reference_hour) }}</td>{% endfor %}</tr>
<tr><td>Coders (FTE)</td>{% for n in names %}<td>{{ comparison.options[n].coders_fte }}</td>{% endfor %}</tr>
<tr><td>Difference from {{ comparison.baseline }}, per year</td>{% for n in names %}<td>{{ usd(comparison.options[n].difference_from_baseline.per_year, True) }}</td>{% endfor %}</tr>
<tr><td>Difference from {{ comparison.baseline }}, per chart</td>{% for n in names %}<td>{{ usd(comparison.options[n].difference_from_baseline.per_chart, True) }}</td>{% endfor %}</tr>
</table>
<p class="note">{% for n in names %}<b>{{ n }}</b>: {{ comparison.options[n].label }} ({{ comparison.options[n].kind }}{% if comparison.options[n].parts %}: {% for t, p in comparison.options[n].parts.items() %}{{ t }} by {{ p }}{% if not loop.last %}, {% endif %}{% endfor %}{% endif %}).
{% endfor %}A domestic-equivalent hour is the time a reference coder needs for the same charts (the scenario's reference charts per hour).</p>
<img class="chart" alt="yearly cost by component" src="{{ charts.components }}">
</section>

{% if measured %}<section class="keep"><h2>Promised vs measured</h2>
<table><tr><th>option</th><th>figure</th><th>promised</th><th>measured</th><th class="text">basis</th></tr>
{% for option, rows in measured.items() %}{% for r in rows %}<tr><td>{{ option }}</td><td class="text">{{ r.figure }}</td><td>{{ r.promised if r.promised is not none else "" }}</td><td>{{ r.measured if r.measured is not none else "" }}</td><td class="source">{{ r.basis }}</td></tr>{% endfor %}{% endfor %}
</table></section>{% endif %}

{% if priced %}<section class="keep"><h2>Cost per correctly coded, paid chart (measured)</h2>
<p>The measured period's cost (coding at the stated price, coding-denial rework, audit hours) over the charts
coded correctly and paid: charts x measured accuracy, less the coding-related denials.</p>
<table><tr><th>option</th><th class="text">vendor</th><th>charts</th><th>accuracy</th><th>coding denials</th><th>correctly coded, paid</th><th>measured cost</th><th>per correctly coded, paid chart</th><th class="text">basis</th></tr>
{% for n, p in priced.items() %}<tr><td>{{ n }}</td><td class="text">{{ p.vendor }}</td><td>{{ p.charts | count }}</td><td>{{ "" if p.accuracy is none else p.accuracy | percent }}</td><td>{{ p.coding_denials | count }}</td><td>{{ "" if p.correct_paid_charts is none else p.correct_paid_charts }}</td><td>{{ usd(p.total) }}</td><td>{{ usd(p.per_correct_paid_chart) if p.per_correct_paid_chart is not none else "not known" }}</td><td class="source">{{ p.basis }}; price per chart {{ usd(p.price_per_chart) if p.price_per_chart is not none else "not known" }} ({{ p.price_basis }}){% if p.missing %}; not priced: {{ p.missing | join(", ") }}{% endif %}</td></tr>
{% endfor %}</table></section>{% endif %}

{% if tornado %}<section><h2>2. Where the answer turns</h2>
<p>Each input with a stated range is swung from its low to its high value, the others held at their stated
values; bars show how the {{ tornado.measure }} moves (stated values: {{ usd(tornado.base_difference, True) }} a year).
Inputs marked <b>flips</b> reverse which option is cheaper within their range.</p>
{% if charts.get("tornado") %}<img class="chart" alt="tornado chart" src="{{ charts.tornado }}">{% endif %}
<table><tr><th>input</th><th>low</th><th>stated</th><th>high</th><th>at low</th><th>at high</th><th>swing</th><th>flips</th></tr>
{% for r in tornado.inputs[:25] %}<tr><td>{{ r.input }}</td><td>{{ r.low }}</td><td>{{ r.value }}</td><td>{{ r.high }}</td><td>{{ usd(r.difference_at_low, True) }}</td><td>{{ usd(r.difference_at_high, True) }}</td><td>{{ usd(r.swing) }}</td><td>{{ "flips" if r.flips else "" }}</td></tr>
{% endfor %}</table>{% if tornado.inputs|length > 25 %}<p class="note">{{ tornado.inputs|length - 25 }} more inputs move it less.</p>{% endif %}
</section>{% endif %}

{% if simulation %}<section class="keep"><h2>3. How uncertain it is</h2>
<p>{{ simulation.draws | count }} Monte Carlo draws (seed {{ simulation.seed }}) over the {{ simulation.uncertain_inputs|length }} inputs with a stated distribution.</p>
<img class="chart" alt="distribution of yearly cost" src="{{ charts.distribution }}">
<table><tr><th>option</th><th>5th pct</th><th>median</th><th>95th pct</th><th>median per chart</th><th>P(cheapest)</th><th>P(cheaper than {{ simulation.baseline }})</th></tr>
{% for n, o in simulation.options.items() %}<tr><td>{{ n }}</td><td>{{ usd(o.percentiles_per_year.p5) }}</td><td>{{ usd(o.percentiles_per_year.p50) }}</td><td>{{ usd(o.percentiles_per_year.p95) }}</td><td>{{ usd(o.percentiles_per_chart.p50) }}</td><td>{{ o.probability_cheapest | percent }}</td><td>{{ "" if o.probability_cheaper_than_baseline is none else o.probability_cheaper_than_baseline | percent }}</td></tr>
{% endfor %}</table></section>{% endif %}

<section><h2>4. Every input and its source</h2>
<table class="inputs"><colgroup><col style="width:26%"><col style="width:8%"><col style="width:10%"><col style="width:7%"><col style="width:8%"><col style="width:10%"><col style="width:31%"></colgroup>
<tr><th>input</th><th>value</th><th>unit</th><th>low</th><th>high</th><th class="text">distribution</th><th class="text">source</th></tr>
{% for r in inputs %}<tr><td>{{ r.input }}</td><td>{{ r.value }}</td><td class="text">{{ r.unit }}</td><td>{{ r.low if r.low is not none else "" }}</td><td>{{ r.high if r.high is not none else "" }}</td><td class="text">{{ r.distribution }}</td><td class="source">{{ r.source }}</td></tr>
{% endfor %}</table>
<p class="note">Inputs not listed take the model's default of zero (or 1 for ramp productivity, 160 coder hours a month, 3 years for spreading transition costs).</p>
{% if notes %}<h2>Notes</h2><ul>{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
</section>
</body></html>
""")


def render_html(scenario: Scenario, *, pair: tuple[str, str] | None = None, draws: int = 10_000,
                seed: int = 0, result: dict | None = None, scorecard: dict[str, dict] | None = None) -> str:
    """The brief as HTML; `scorecard`: a period's measured figures per lake vendor
    (`cost.actuals.measured_from_scorecard`), for the cost per correctly coded, paid chart."""
    result = result or evaluate(scenario, draws=draws, seed=seed, pair=pair)
    charts = {name: svg_data_uri(spec) for name, spec in chart_specs(result).items()}
    comparison = result["comparison"]
    return TEMPLATE.render(
        scenario=scenario,
        today=dt.date.today().isoformat(),
        comparison=comparison,
        names=list(comparison["options"]),
        components=[c for c in COMPONENTS if any(o["components"][c] for o in comparison["options"].values())],
        labels=COMPONENT_LABELS,
        tornado=result.get("tornado"),
        simulation=result.get("simulation"),
        measured=result.get("measured") or {},
        priced=priced_from_scorecard(scenario, scorecard) if scorecard else {},
        inputs=result["inputs"],
        notes=result["notes"],
        charts=charts,
        usd=_usd,
    )


def write_brief(scenario: Scenario, out: Path, *, pair: tuple[str, str] | None = None, draws: int = 10_000,
                seed: int = 0, scorecard: dict[str, dict] | None = None) -> Path:
    """Write the brief as PDF or HTML, chosen by the file's suffix."""
    return render.write_document(render_html(scenario, pair=pair, draws=draws, seed=seed, scorecard=scorecard), out)
