"""A measured period priced, by hand: cost per correctly coded, paid chart (cost.actuals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from codingwatch.cost.actuals import measured_from_scorecard, price_measured
from codingwatch.scorecard.estimates import RatioEstimate
from codingwatch.scorecard.kpis import KpiRow


def test_the_period_is_priced_line_by_line():
    got = price_measured(charts=1000, price_per_chart=Decimal("6.50"), accuracy=0.95, coding_denials=20,
                         rework_cost_per_denial=Decimal("43.84"), written_off=Decimal("1200.00"), audited_charts=60,
                         auditor_hourly_cost=Decimal("50.00"), weight_change=Decimal("-0.3000"),
                         base_rate=Decimal("6500.00"))
    lines = {line["line"]: line["amount"] for line in got["lines"]}
    assert lines == {"coding": Decimal("6500.00"), "denial rework": Decimal("876.80"),
                     "write-offs": Decimal("1200.00"), "audit hours": Decimal("1500.00"),  # 60 x 30 min x $50
                     "CMI change": Decimal("32500.00")}  # 0.3 x 6,500 x 1000/60
    assert got["total"] == Decimal("42576.80")
    assert got["correct_paid_charts"] == 930.0  # 1000 x 0.95 - 20
    assert got["per_correct_paid_chart"] == Decimal("45.78")  # 42,576.80 / 930


def test_an_unknown_price_is_left_out_and_named():
    got = price_measured(charts=100, price_per_chart=None, accuracy=None, coding_denials=1,
                         rework_cost_per_denial=None)
    assert got["missing"] == ["coding", "denial rework"]
    assert got["per_correct_paid_chart"] is None and "no final audit" in got["basis"]


def _estimate(num, den, charts):
    return RatioEstimate(num / den, None, None, None, charts, num, den, "95", None, None, None, None)


def test_the_scorecards_months_pool_into_the_periods_figures():
    jan = KpiRow({"vendor": "acme", "month": dt.date(2026, 1, 1)}, volume=300, turnaround={"p50": 10.0},
                 denials={"claims": 250, "coding_denied": 5}, accuracy={"record": _estimate(57, 60, 60)},
                 coder_hours=100.0, charts_with_hours=290)
    feb = KpiRow({"vendor": "acme", "month": dt.date(2026, 2, 1)}, volume=100, turnaround={"p50": 30.0},
                 denials={"claims": 150, "coding_denied": 11}, accuracy={"record": _estimate(36, 40, 40)},
                 coder_hours=50.0, charts_with_hours=100)
    got = measured_from_scorecard([jan, feb])["acme"]
    assert got["accuracy"] == 0.93  # (57 + 36) / (60 + 40)
    assert got["denial_rate"] == 0.04  # 16 / 400
    assert got["turnaround_hours"] == 15.0  # (10 x 300 + 30 x 100) / 400
    assert got["charts_per_coder_hour"] == 2.6  # 390 / 150
    assert (got["charts"], got["audited_charts"], got["coding_denials"]) == (400, 100, 16)
