"""The HFMA / KIWI-TEK (2018) figures, derived step by step from the study's primitives.

The study publishes per domestic-equivalent hour: offshore $35/h at 34% lower productivity is
"$35 x 1.51 = $52.85"; 6 more audit hours per coder per month "add $1.87"; in total $63.10
against $60.00, "$3.10 more". It rounds twice, both times by dropping digits:

- 1 / (1 - 0.34) = 1.5151... is used as 1.51 ("51% more coders"); exactly, $35 / 0.66 = $53.03.
- 6 h x $50 / 160 h = $1.875 is reported as $1.87.

`study_figures` follows the study's arithmetic (with its rounding, said out loud in each step)
and also gives the exact figures, so a reader sees how much the rounding moves (about $0.19).
The part of $63.10 the study did not break down is the scenario's labeled input
`other_costs_per_reference_hour`, never a hidden constant.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from codingwatch.cost.scenario import Scenario

CENT = Decimal("0.01")


def _value(scenario: Scenario, path: str) -> Decimal:
    return scenario.input_spec(path).value


def study_figures(scenario: Scenario, *, offshore: str = "offshore", domestic: str = "domestic") -> dict:
    """The published per-hour figures from the scenario's primitives, with each derivation."""
    pay = _value(scenario, f"{offshore}.hourly_pay")
    productivity = _value(scenario, f"{offshore}.productivity_vs_reference")
    audit_hours = _value(scenario, f"{offshore}.audit_hours_per_coder_month")
    auditor_rate = _value(scenario, f"{offshore}.auditor_rate")
    coder_hours = _value(scenario, "coder_hours_per_month")
    other = _value(scenario, f"{offshore}.other_costs_per_reference_hour")
    domestic_pay = _value(scenario, f"{domestic}.hourly_pay")
    domestic_productivity = _value(scenario, f"{domestic}.productivity_vs_reference")

    shortfall = 1 - productivity / domestic_productivity
    staffing_exact = domestic_productivity / productivity
    # The study's "51% more": 1.5151... with the digits after the second decimal dropped.
    staffing_study = staffing_exact.quantize(CENT, rounding=ROUND_DOWN)
    effective_study = (pay * staffing_study).quantize(CENT, rounding=ROUND_HALF_UP)
    effective_exact = pay * staffing_exact
    audit_exact = audit_hours * auditor_rate / coder_hours
    audit_study = audit_exact.quantize(CENT, rounding=ROUND_DOWN)
    total_study = effective_study + audit_study + other
    total_exact = effective_exact + audit_exact + other
    domestic_total = (domestic_pay * 1).quantize(CENT)
    difference_study = total_study - domestic_total
    difference_exact = total_exact - domestic_total

    def c(x: Decimal) -> Decimal:
        return x.quantize(CENT, rounding=ROUND_HALF_UP)

    derivation = [
        f"productivity shortfall: 1 - {productivity} = {shortfall.normalize()}",
        f"coders needed per domestic coder: 1 / (1 - {shortfall.normalize()}) = {staffing_exact:.4f}, "
        f"used by the study as {staffing_study} ('{(staffing_study - 1) * 100:.0f}% more coders')",
        f"offshore effective rate: ${pay} x {staffing_study} = ${effective_study} "
        f"(exactly ${pay} / {productivity} = ${c(effective_exact)})",
        f"extra audit: {audit_hours} h x ${auditor_rate} / {coder_hours} h = ${audit_exact.normalize()}, "
        f"reported by the study as ${audit_study}",
        f"other offshore costs per hour, as reported in aggregate (an input): ${other}",
        f"offshore total: ${effective_study} + ${audit_study} + ${other} = ${total_study}",
        f"domestic total: ${domestic_total}",
        f"difference: ${total_study} - ${domestic_total} = ${difference_study} per hour "
        f"(exact arithmetic: ${c(difference_exact)})",
    ]
    return {
        "source": "HFMA 2018 (KIWI-TEK): Offshore Versus Domestic Outsourced Coding Services",
        "productivity_shortfall": shortfall.normalize(),
        "staffing_ratio": staffing_study,
        "staffing_ratio_exact": staffing_exact.quantize(Decimal("0.0001")),
        "offshore_effective_rate": effective_study,
        "audit_cost_per_hour": audit_study,
        "other_offshore_costs_per_hour": other,
        "offshore_total_per_hour": total_study,
        "domestic_total_per_hour": domestic_total,
        "difference_per_hour": difference_study,
        "exact": {
            "offshore_effective_rate": c(effective_exact),
            "audit_cost_per_hour": audit_exact.normalize(),
            "offshore_total_per_hour": c(total_exact),
            "difference_per_hour": c(difference_exact),
        },
        "derivation": derivation,
    }
