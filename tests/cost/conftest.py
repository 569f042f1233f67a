"""Small scenarios whose every component can be worked out by hand."""

from __future__ import annotations

import copy

import pytest


def spec(value, unit, low=None, high=None, distribution=None, source="test figure"):
    out = {"value": value, "unit": unit, "source": source}
    if low is not None:
        out["low"], out["high"] = low, high
    if distribution:
        out["distribution"] = distribution
    return out


SMALL = {
    "scenario": "Hand-checked",
    "baseline": "in_house",
    "inputs": {
        "volume_inpatient": spec(300, "charts/year"),
        "reference_charts_per_hour_inpatient": spec(3, "charts/hour"),
        "payment_per_claim_inpatient": spec(100, "USD/claim"),
        "coder_hours_per_month": spec(100, "hours/month"),
        "payment_per_weight": spec(1000, "USD/weight"),
        "cost_of_capital": spec(0.1, "share/year"),
        "horizon_years": spec(1, "years"),
    },
    "options": {
        "in_house": {
            "kind": "in-house",
            "pricing": "hourly",
            "inputs": {
                "hourly_pay": spec(30, "USD/hour", 20, 40),
                "productivity_vs_reference": spec(1, "ratio"),
                "payroll_tax_rate": spec(0.1, "share"),
                "benefits_rate": spec(0.2, "share"),
                "pto_cover_rate": spec(0.1, "share"),
                "continuing_education_per_fte": spec(1200, "USD/FTE-year"),
                "credentials_per_fte": spec(600, "USD/FTE-year"),
                "management_per_fte": spec(2400, "USD/FTE-year"),
                "vacancy_rate": spec(0.1, "share"),
                "backfill_premium_per_hour": spec(10, "USD/hour"),
                "turnover_rate": spec(0.5, "share/year"),
                "replacement_cost_per_coder": spec(2400, "USD"),
                "ramp_weeks": spec(2, "weeks"),
                "ramp_productivity": spec(0.5, "share"),
                "parallel_weeks": spec(2, "weeks"),
                "audit_hours_per_coder_month": spec(2, "hours/coder-month"),
                "auditor_rate": spec(50, "USD/hour"),
                "denial_rate": spec(0.1, "share", 0.05, 0.2),
                "rework_cost_per_denial": spec(10, "USD/denial"),
                "write_off_share": spec(0.5, "share"),
                "cmi_change": spec(-0.01, "weight"),
                "dnfb_days_added": spec(73, "days"),
                "management_fee_per_year": spec(500, "USD/year"),
                "management_fee_share": spec(0.1, "share"),
                "breach_probability": spec(0.01, "share/year"),
                "breach_cost": spec(10000, "USD"),
                "other_costs_per_reference_hour": spec(1, "USD/hour"),
                "other_costs_per_year": spec(50, "USD/year"),
            },
        },
        "vendor": {
            "kind": "offshore",
            "pricing": "per_chart",
            "inputs": {
                "price_per_chart_inpatient": spec(12, "USD/chart", 6, 14),
                "charts_per_hour_inpatient": spec(2, "charts/hour"),
                "audit_hours_per_coder_month": spec(4, "hours/coder-month"),
                "auditor_rate": spec(40, "USD/hour"),
            },
        },
    },
}


@pytest.fixture
def small() -> dict:
    return copy.deepcopy(SMALL)


@pytest.fixture
def two_types() -> dict:
    """Inpatient and outpatient volumes; a hybrid codes inpatient in-house, outpatient by the vendor."""
    return {
        "scenario": "Two types",
        "inputs": {
            "volume_inpatient": spec(600, "charts/year"),
            "volume_outpatient": spec(1000, "charts/year"),
            "reference_charts_per_hour_inpatient": spec(3, "charts/hour"),
            "reference_charts_per_hour_outpatient": spec(10, "charts/hour"),
        },
        "options": {
            "in_house": {"kind": "in-house", "inputs": {
                "hourly_pay": spec(30, "USD/hour", 20, 40),
                "productivity_vs_reference": spec(1, "ratio"),
                "audit_hours_per_coder_month": spec(2, "hours/coder-month"),
                "auditor_rate": spec(60, "USD/hour"),
                "management_fee_per_year": spec(1000, "USD/year"),
            }},
            "vendor": {"kind": "offshore", "inputs": {
                "hourly_pay": spec(12, "USD/hour", 8, 20),
                "productivity_vs_reference": spec(0.75, "ratio", 0.5, 1.0),
                "audit_hours_per_coder_month": spec(6, "hours/coder-month"),
                "auditor_rate": spec(40, "USD/hour"),
                "management_fee_per_year": spec(700, "USD/year"),
            }},
            "hybrid": {"kind": "hybrid", "parts": {"inpatient": "in_house", "outpatient": "vendor"}},
        },
    }
