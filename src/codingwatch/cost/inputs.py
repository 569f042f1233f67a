"""Every input the cost model knows: its name, unit, kind and default.

The catalog is data, so validation, documentation and the brief's input table all read the
same list. An input a scenario leaves out takes its default (shown as "not stated" with the
default's source); an input marked required has no default and must be given.

Kinds decide what validation allows:
- ``money``, ``rate``, ``count``: zero or more
- ``share``: between 0 and 1 (a proportion of something)
- ``positive``: more than zero (divisors such as charts per hour)
- ``signed``: any value (a change, e.g. CMI lower by 0.1 is -0.1)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from codingwatch.vocabulary import ENCOUNTER_TYPES


@dataclass(frozen=True)
class InputDef:
    name: str
    unit: str
    kind: str  # money | rate | count | share | positive | signed
    description: str
    default: Decimal | None = None  # None: required where it applies
    component: str = ""  # the cost component it feeds (for the brief's input table)


def _d(text: str) -> Decimal:
    return Decimal(text)


ZERO = Decimal(0)

# Scenario-level inputs (shared by every option).
SCENARIO_INPUTS: dict[str, InputDef] = {}
# Option-level inputs.
OPTION_INPUTS: dict[str, InputDef] = {}


def _add(table: dict[str, InputDef], definition: InputDef) -> None:
    table[definition.name] = definition


for _t in ENCOUNTER_TYPES:
    _add(SCENARIO_INPUTS, InputDef(f"volume_{_t}", "charts/year", "count",
                                   f"{_t} encounters coded per year", ZERO, "volume"))
    _add(SCENARIO_INPUTS, InputDef(f"reference_charts_per_hour_{_t}", "charts/hour", "positive",
                                   f"domestic-equivalent productivity for {_t} charts: the yardstick of a "
                                   "domestic-equivalent hour", None, "volume"))
    _add(SCENARIO_INPUTS, InputDef(f"payment_per_claim_{_t}", "USD/claim", "money",
                                   f"average payment per {_t} claim (for write-offs and DNFB carrying cost)",
                                   ZERO, "revenue"))
_add(SCENARIO_INPUTS, InputDef("coder_hours_per_month", "hours/month", "positive",
                               "productive coding hours of one full-time coder in a month",
                               _d("160"), "staffing"))
_add(SCENARIO_INPUTS, InputDef("payment_per_weight", "USD/weight", "money",
                               "inpatient payment per unit of MS-DRG relative weight (for CMI changes)",
                               ZERO, "cmi_loss"))
_add(SCENARIO_INPUTS, InputDef("cost_of_capital", "share/year", "share",
                               "yearly cost of capital for cash held up in DNFB", ZERO, "dnfb_carrying"))
_add(SCENARIO_INPUTS, InputDef("horizon_years", "years", "positive",
                               "years over which one-time transition costs are spread", _d("3"), "transition"))

for _t in ENCOUNTER_TYPES:
    _add(OPTION_INPUTS, InputDef(f"charts_per_hour_{_t}", "charts/hour", "positive",
                                 f"{_t} charts this option codes per paid coding hour", None, "productivity"))
    _add(OPTION_INPUTS, InputDef(f"price_per_chart_{_t}", "USD/chart", "money",
                                 f"vendor price per {_t} chart (per-chart pricing)", None, "coding"))

_OPTION_LIST = [
    InputDef("hourly_pay", "USD/hour", "money", "pay or billed rate per coding hour (hourly pricing)", None,
             "coding"),
    InputDef("productivity_vs_reference", "ratio", "positive",
             "charts per hour as a multiple of the reference (0.66 = 34% fewer); used where "
             "charts_per_hour_<type> is not given", None, "productivity"),
    InputDef("payroll_tax_rate", "share", "share", "employer payroll taxes on pay (FICA 7.65%)", ZERO,
             "payroll_taxes"),
    InputDef("benefits_rate", "share", "share", "benefits as a share of pay", ZERO, "benefits"),
    InputDef("pto_cover_rate", "share", "share", "paid time off that must be covered, as a share of pay",
             ZERO, "pto_cover"),
    InputDef("continuing_education_per_fte", "USD/FTE-year", "money", "continuing education per coder",
             ZERO, "continuing_education"),
    InputDef("credentials_per_fte", "USD/FTE-year", "money", "credential dues and exams per coder", ZERO,
             "credentials"),
    InputDef("management_per_fte", "USD/FTE-year", "money", "own supervision and management per coder",
             ZERO, "management"),
    InputDef("vacancy_rate", "share", "share", "share of positions vacant over the year", ZERO,
             "vacancy_backfill"),
    InputDef("backfill_premium_per_hour", "USD/hour", "money",
             "extra cost of covering a vacant hour (contract coder or overtime) over regular pay", ZERO,
             "vacancy_backfill"),
    InputDef("turnover_rate", "share/year", "rate", "coders replaced per coder per year", ZERO, "turnover"),
    InputDef("replacement_cost_per_coder", "USD", "money", "recruiting, training and lost output per "
             "replacement", ZERO, "turnover"),
    InputDef("ramp_weeks", "weeks", "count", "weeks before a new option reaches full productivity", ZERO,
             "transition"),
    InputDef("ramp_productivity", "share", "positive",
             "productivity during the ramp as a share of full productivity", Decimal(1), "transition"),
    InputDef("parallel_weeks", "weeks", "count", "weeks of parallel coding (old and new both paid)", ZERO,
             "transition"),
    InputDef("audit_hours_per_coder_month", "hours/coder-month", "count",
             "extra quality-review hours per coder per month", ZERO, "audit"),
    InputDef("auditor_rate", "USD/hour", "money", "cost of an auditor hour", ZERO, "audit"),
    InputDef("denial_rate", "share", "share", "share of charts denied because of coding", ZERO,
             "denial_rework"),
    InputDef("rework_cost_per_denial", "USD/denial", "money", "cost to rework one denied claim", ZERO,
             "denial_rework"),
    InputDef("write_off_share", "share", "share", "share of coding denials never recovered", ZERO,
             "write_offs"),
    InputDef("cmi_change", "weight", "signed",
             "change in inpatient case mix index from this option's coding (-0.1 = 0.1 lower)", ZERO,
             "cmi_loss"),
    InputDef("dnfb_days_added", "days", "signed", "days added to discharged-not-final-billed", ZERO,
             "dnfb_carrying"),
    InputDef("management_fee_per_year", "USD/year", "money", "management fees billed separately", ZERO,
             "management_fees"),
    InputDef("management_fee_share", "share", "share", "management fees billed as a share of coding charges",
             ZERO, "management_fees"),
    InputDef("breach_probability", "share/year", "share", "probability of a reportable breach in a year",
             ZERO, "breach"),
    InputDef("breach_cost", "USD", "money", "cost of one breach", ZERO, "breach"),
    InputDef("other_costs_per_reference_hour", "USD/hour", "money",
             "other costs per domestic-equivalent hour, stated in aggregate", ZERO, "other"),
    InputDef("other_costs_per_year", "USD/year", "money", "other yearly costs", ZERO, "other"),
    # Informational: shown beside measured figures, not priced.
    InputDef("accuracy", "share", "share", "coding accuracy (promised or measured); shown, not priced", None,
             ""),
    InputDef("turnaround_hours", "hours", "count", "received-to-coded turnaround; shown, not priced", None,
             ""),
]
for _definition in _OPTION_LIST:
    _add(OPTION_INPUTS, _definition)

INFORMATIONAL = ("accuracy", "turnaround_hours")

# The cost components, in the order they are shown.
COMPONENTS = (
    "coding",
    "payroll_taxes",
    "benefits",
    "pto_cover",
    "continuing_education",
    "credentials",
    "management",
    "vacancy_backfill",
    "turnover",
    "transition",
    "audit",
    "denial_rework",
    "write_offs",
    "cmi_loss",
    "dnfb_carrying",
    "management_fees",
    "breach",
    "other",
)

COMPONENT_LABELS = {
    "coding": "Coding (pay or price)",
    "payroll_taxes": "Payroll taxes",
    "benefits": "Benefits",
    "pto_cover": "PTO cover",
    "continuing_education": "Continuing education",
    "credentials": "Credentials",
    "management": "Own management",
    "vacancy_backfill": "Vacancy backfill",
    "turnover": "Turnover replacement",
    "transition": "Transition (ramp, parallel coding)",
    "audit": "Extra auditing",
    "denial_rework": "Denial rework",
    "write_offs": "Denials written off",
    "cmi_loss": "CMI payment loss",
    "dnfb_carrying": "DNFB carrying cost",
    "management_fees": "Management fees billed",
    "breach": "Expected breach cost",
    "other": "Other costs",
}

KINDS = ("in-house", "onshore", "offshore", "hybrid")
PRICING = ("hourly", "per_chart")
AUDIT_BASIS = ("coder", "domestic_equivalent_coder")
DISTRIBUTIONS = ("fixed", "triangular", "uniform", "pert", "normal")
