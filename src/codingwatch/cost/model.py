"""The cost model: one set of formulas, run on Decimals for reported figures and on numpy arrays
for the simulation.

`option_costs` is written with + - * / only, so the same code computes a report in Decimal
(exact to the cent, nothing lost to binary floats) and 100,000 Monte Carlo draws at once on
float64 arrays. Nothing here branches on a value, only on what the scenario states.

For an option coding volumes V_t (charts a year of encounter type t):

    hours H          = sum_t V_t / charts_per_hour_t             (paid coding hours)
    reference hours  = sum_t V_t / reference_charts_per_hour_t   (domestic-equivalent hours)
    coders (FTE)     = H / (12 x coder_hours_per_month)
    coding           = H x hourly_pay                 or sum_t V_t x price_per_chart_t
    payroll_taxes    = coding x payroll_tax_rate;  benefits = coding x benefits_rate;
    pto_cover        = coding x pto_cover_rate
    continuing_education, credentials, management = FTE x the yearly amount per FTE
    vacancy_backfill = H x vacancy_rate x backfill_premium_per_hour
    turnover         = FTE x turnover_rate x replacement_cost_per_coder
    transition       = weekly loaded cost x (ramp_weeks x (1/ramp_productivity - 1) + parallel_weeks)
                       / horizon_years,   weekly loaded cost = (coding + taxes + benefits + PTO) / 52
    audit            = audit_hours_per_coder_month x 12 x auditor_rate x audited coders
                       (audited coders = FTE, or reference hours / (12 x coder_hours_per_month) when
                       the option's audit_basis is domestic_equivalent_coder)
    denial_rework    = sum_t V_t x denial_rate x rework_cost_per_denial
    write_offs       = sum_t V_t x denial_rate x write_off_share x payment_per_claim_t
    cmi_loss         = -cmi_change x V_inpatient x payment_per_weight
    dnfb_carrying    = sum_t V_t x payment_per_claim_t x dnfb_days_added / 365 x cost_of_capital
    management_fees  = management_fee_per_year + coding x management_fee_share
    breach           = breach_probability x breach_cost
    other            = other_costs_per_reference_hour x reference hours + other_costs_per_year

A hybrid is the sum of its parts, each part computed by its own option on the encounter types
assigned to it (so a part's yearly fixed costs count once); `audit_by` prices the audit hours
at another option's auditor rate (vendor coding, in-house audit).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from codingwatch.cost.inputs import COMPONENTS, OPTION_INPUTS, SCENARIO_INPUTS
from codingwatch.cost.scenario import Scenario

CENT = Decimal("0.01")

Number = Any  # Decimal or numpy.ndarray: the formulas use only + - * /


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def resolve_values(scenario: Scenario, *, as_float: bool = False) -> dict[str, Number]:
    """Every input path the model may read, with its stated value or default."""
    convert = float if as_float else Decimal
    values: dict[str, Number] = {}
    for name, definition in SCENARIO_INPUTS.items():
        spec = scenario.inputs.get(name)
        if spec is not None:
            values[name] = convert(spec.value)
        elif definition.default is not None:
            values[name] = convert(definition.default)
    for option in scenario.options.values():
        if option.kind == "hybrid":
            continue
        for name, definition in OPTION_INPUTS.items():
            spec = option.inputs.get(name)
            if spec is not None:
                values[f"{option.name}.{name}"] = convert(spec.value)
            elif definition.default is not None:
                values[f"{option.name}.{name}"] = convert(definition.default)
    return values


def _single_option(scenario: Scenario, name: str, types: list[str], values: dict[str, Number],
                   auditor_rate_from: str | None = None) -> dict[str, Number]:
    option = scenario.options[name]

    def v(key: str) -> Number:
        return values[f"{name}.{key}"]

    hours: Number = 0
    reference_hours: Number = 0
    charts: Number = 0
    coding: Number = 0
    revenue: Number = 0  # yearly payments for the charts this option codes
    for t in types:
        volume = values[f"volume_{t}"]
        if f"charts_per_hour_{t}" in option.inputs:
            per_hour = v(f"charts_per_hour_{t}")
        else:
            per_hour = values[f"reference_charts_per_hour_{t}"] * v("productivity_vs_reference")
        hours = hours + volume / per_hour
        reference_hours = reference_hours + volume / values[f"reference_charts_per_hour_{t}"]
        charts = charts + volume
        revenue = revenue + volume * values[f"payment_per_claim_{t}"]
        if option.pricing == "per_chart":
            coding = coding + volume * v(f"price_per_chart_{t}")
    if option.pricing == "hourly":
        coding = hours * v("hourly_pay")
    coder_year = 12 * values["coder_hours_per_month"]
    fte = hours / coder_year
    audited = reference_hours / coder_year if option.audit_basis == "domestic_equivalent_coder" else fte
    auditor_rate = values[f"{auditor_rate_from}.auditor_rate"] if auditor_rate_from else v("auditor_rate")
    payroll_taxes = coding * v("payroll_tax_rate")
    benefits = coding * v("benefits_rate")
    pto_cover = coding * v("pto_cover_rate")
    weekly_loaded = (coding + payroll_taxes + benefits + pto_cover) / 52
    inpatient = values["volume_inpatient"] if "inpatient" in types else 0
    denials = charts * v("denial_rate")
    out = {
        "coding": coding,
        "payroll_taxes": payroll_taxes,
        "benefits": benefits,
        "pto_cover": pto_cover,
        "continuing_education": fte * v("continuing_education_per_fte"),
        "credentials": fte * v("credentials_per_fte"),
        "management": fte * v("management_per_fte"),
        "vacancy_backfill": hours * v("vacancy_rate") * v("backfill_premium_per_hour"),
        "turnover": fte * v("turnover_rate") * v("replacement_cost_per_coder"),
        "transition": weekly_loaded * (v("ramp_weeks") * (1 / v("ramp_productivity") - 1) + v("parallel_weeks"))
        / values["horizon_years"],
        "audit": v("audit_hours_per_coder_month") * 12 * auditor_rate * audited,
        "denial_rework": denials * v("rework_cost_per_denial"),
        "write_offs": revenue * v("denial_rate") * v("write_off_share"),
        "cmi_loss": -v("cmi_change") * inpatient * values["payment_per_weight"],
        "dnfb_carrying": revenue * v("dnfb_days_added") / 365 * values["cost_of_capital"],
        "management_fees": v("management_fee_per_year") + coding * v("management_fee_share"),
        "breach": v("breach_probability") * v("breach_cost"),
        "other": v("other_costs_per_reference_hour") * reference_hours + v("other_costs_per_year"),
        "_hours": hours,
        "_reference_hours": reference_hours,
        "_fte": fte,
        "_charts": charts,
    }
    return out


def option_costs(scenario: Scenario, name: str, values: dict[str, Number]) -> dict[str, Number]:
    """Yearly cost components of one option (plus `_hours`, `_reference_hours`, `_fte`, `_charts`,
    `total`). Works on Decimals or on numpy arrays of draws alike."""
    option = scenario.options[name]
    types = scenario.option_types(name)
    if option.kind != "hybrid":
        out = _single_option(scenario, name, types, values)
    else:
        out = {}
        by_part: dict[str, list[str]] = {}
        for t in types:
            by_part.setdefault(option.parts[t], []).append(t)
        for part, part_types in by_part.items():
            piece = _single_option(scenario, part, part_types, values, auditor_rate_from=option.audit_by)
            for key, amount in piece.items():
                out[key] = out.get(key, 0) + amount
            out[f"_part:{part}"] = sum(piece[c] for c in COMPONENTS)
    out["total"] = sum(out[c] for c in COMPONENTS)
    return out


def all_totals(scenario: Scenario, values: dict[str, Number]) -> dict[str, Number]:
    return {name: option_costs(scenario, name, values)["total"] for name in scenario.options}


# ---- the report (Decimal) -------------------------------------------------------------------------


def compare(scenario: Scenario) -> dict:
    """Every figure of every option: components a year, cost per chart, per domestic-equivalent hour
    and per year, and the differences from the baseline option. Money as Decimal (to the cent)."""
    values = resolve_values(scenario)
    raw = {name: option_costs(scenario, name, values) for name in scenario.options}
    baseline = raw[scenario.baseline]
    options = {}
    for name, costs in raw.items():
        option = scenario.options[name]
        reference_hours = costs["_reference_hours"]
        charts = costs["_charts"]
        options[name] = {
            "label": option.label,
            "kind": option.kind,
            "pricing": option.pricing if option.kind != "hybrid" else "mixed",
            "parts": dict(option.parts) if option.kind == "hybrid" else None,
            "components": {c: money(costs[c]) for c in COMPONENTS},
            "components_per_reference_hour": {c: money(costs[c] / reference_hours) for c in COMPONENTS},
            "total_per_year": money(costs["total"]),
            "cost_per_chart": money(costs["total"] / charts),
            "cost_per_reference_hour": money(costs["total"] / reference_hours),
            "coding_hours": costs["_hours"].quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
            "reference_hours": reference_hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
            "coders_fte": costs["_fte"].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            "charts_per_year": charts,
            "difference_from_baseline": {
                "per_year": money(costs["total"] - baseline["total"]),
                "per_chart": money(costs["total"] / charts - baseline["total"] / baseline["_charts"]),
                "per_reference_hour": money(costs["total"] / reference_hours
                                            - baseline["total"] / baseline["_reference_hours"]),
                "components": {c: money(costs[c] - baseline[c]) for c in COMPONENTS},
            },
        }
    ranking = sorted(options, key=lambda n: raw[n]["total"])
    # Every pair: how much more (or less, negative) the row option costs a year than the column option.
    pairwise = {a: {b: money(raw[a]["total"] - raw[b]["total"]) for b in raw if b != a} for a in raw}
    return {
        "scenario": scenario.name,
        "baseline": scenario.baseline,
        "encounter_types": scenario.coded_types,
        "options": options,
        "cheapest": ranking[0],
        "ranking": ranking,
        "differences_per_year": pairwise,
    }


def headline(scenario: Scenario) -> dict:
    """Per domestic-equivalent hour: the figures a study quotes (first offshore option vs the baseline)."""
    result = compare(scenario)
    offshore = next((n for n, o in scenario.options.items() if o.kind == "offshore"), None)
    if offshore is None:
        return {}
    domestic = scenario.baseline
    off = result["options"][offshore]
    dom = result["options"][domestic]
    per_hour = off["components_per_reference_hour"]
    return {
        "offshore_option": offshore,
        "domestic_option": domestic,
        "offshore_effective_rate": per_hour["coding"],
        "audit_cost_per_hour": per_hour["audit"],
        "offshore_total_per_hour": off["cost_per_reference_hour"],
        "domestic_total_per_hour": dom["cost_per_reference_hour"],
        "difference_per_hour": money(off["cost_per_reference_hour"] - dom["cost_per_reference_hour"]),
    }


def as_float_array(values: dict[str, Number], draws: int) -> dict[str, np.ndarray]:
    return {k: np.full(draws, float(v)) for k, v in values.items()}
