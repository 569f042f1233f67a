"""Credits a vendor owes for a month, from the contract's credit schedule, with every input shown.

- Invoice of the month: charts coded x price per chart, or coder-hours x price per hour
  (coder-hours from the access logs; unknown without them, and then no percent credit).
- Accuracy: x% of the invoice per point below the SLA, capped at y%. Only a breached term
  counts, and its shortfall is measured to the upper confidence limit (the shortfall proven
  at the contract's level, never the point estimate's); with several accuracy terms breached,
  the largest shortfall is the one credited (one invoice, one credit).
- Turnaround: a fixed amount per breach day (a day whose charts missed the P%), counted for
  the terms breached in the month (a day missing two terms counts for each).
- Rework: coding-related denials of the month x rework cost per denial, when the schedule
  puts rework at the vendor's cost.
Money is Decimal, rounded half-up to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from codingwatch.scorecard.kpis import KpiRow
from codingwatch.scorecard.results import BREACHED, TermResult
from codingwatch.scorecard.terms import MonthTerms

CENT = Decimal("0.01")


def _cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CreditLine:
    kind: str  # accuracy | turnaround | rework
    amount: Decimal
    formula: str
    inputs: dict

    def as_dict(self) -> dict:
        return {"kind": self.kind, "amount": str(self.amount), "formula": self.formula,
                "inputs": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.inputs.items()}}


@dataclass(frozen=True)
class Credits:
    invoice: Decimal | None
    invoice_basis: str
    lines: tuple[CreditLine, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def as_dict(self) -> dict:
        return {"invoice": None if self.invoice is None else str(self.invoice), "invoice_basis": self.invoice_basis,
                "lines": [line.as_dict() for line in self.lines], "total": str(self.total)}


def invoice_of(terms: MonthTerms, kpi: KpiRow | None) -> tuple[Decimal | None, str]:
    volume = kpi.volume if kpi else 0
    if terms.pricing == "per_chart":
        return _cents(Decimal(volume) * terms.price), f"{volume} charts x {terms.price} per chart"
    hours = kpi.coder_hours if kpi else None
    if hours is None:
        return None, "per-hour pricing and no coder-hours in the access logs: invoice not known"
    h = Decimal(str(round(hours, 2)))
    return _cents(h * terms.price), f"{h} coder-hours x {terms.price} per hour"


def owed(terms: MonthTerms, results: Sequence[TermResult], kpi: KpiRow | None,
         invoice: Decimal | None = None) -> Credits:
    """The month's credits; `invoice` overrides the invoice computed from volume and price."""
    basis = "as invoiced"
    if invoice is None:
        invoice, basis = invoice_of(terms, kpi)
    schedule = terms.credits
    lines: list[CreditLine] = []
    if schedule is None:
        return Credits(invoice, basis, ())
    breached = [r for r in results if r.state == BREACHED]
    accuracy = [r for r in breached if r.kind == "accuracy"]
    if accuracy and schedule.accuracy_percent_per_point > 0:
        worst = max(accuracy, key=lambda r: r.target - r.upper)
        points = (Decimal(str(worst.target)) - Decimal(str(round(worst.upper, 6)))) * 100
        points = points.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        percent = min(points * schedule.accuracy_percent_per_point, schedule.accuracy_cap_percent)
        inputs = {"term": worst.label, "sla_percent": Decimal(str(worst.target * 100)).normalize(),
                  "upper_limit_percent": Decimal(str(round(worst.upper * 100, 2))), "points_below": points,
                  "percent_per_point": schedule.accuracy_percent_per_point,
                  "cap_percent": schedule.accuracy_cap_percent, "credit_percent": percent, "invoice": invoice,
                  "invoice_basis": basis}
        amount = _cents(invoice * percent / 100) if invoice is not None else Decimal("0.00")
        lines.append(CreditLine("accuracy", amount,
                                "min(points below x % per point, cap) x invoice; points to the upper limit", inputs))
    turnaround = [r for r in breached if r.kind == "turnaround"]
    if turnaround and schedule.turnaround_breach_day > 0:
        days = sum(int(r.inputs.get("breach_days", 0)) for r in turnaround)
        per_term = {r.label: int(r.inputs.get("breach_days", 0)) for r in turnaround}
        lines.append(CreditLine("turnaround", _cents(schedule.turnaround_breach_day * days),
                                "breach days x credit per day",
                                {"breach_days": days, "per_term": per_term,
                                 "credit_per_day": schedule.turnaround_breach_day}))
    if schedule.rework_coding_denials:
        denied = int((kpi.denials or {}).get("coding_denied", 0)) if kpi else 0
        cost = schedule.rework_cost_per_denial
        if cost is not None and denied:
            lines.append(CreditLine("rework", _cents(cost * denied), "coding-related denials x rework cost per denial",
                                    {"coding_denials": denied, "rework_cost_per_denial": cost}))
    return Credits(invoice, basis, tuple(lines))
