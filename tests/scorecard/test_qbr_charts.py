"""The quarterly review's chart specs are written once per distinct set of figures: the same
figures give the same specs (each caller its own copy), other figures their own."""

from __future__ import annotations

from codingwatch.scorecard import qbr


def _review(charts: list[int], denial_rate: float) -> dict:
    months = [{"month": f"2026-0{i + 4}", "charts": n, "denial_rate": denial_rate} for i, n in enumerate(charts)]
    return {"months": months, "findings_pareto": [{"kind": "principal diagnosis", "count": 3}],
            "denial_pareto": [{"carc": "16", "count": 2}],
            "provenance": {"by_country": [{"key": "IN", "chart_share": 0.51}, {"key": "US", "chart_share": 0.49}]}}


def test_the_same_figures_give_the_same_specs_each_its_own_copy():
    first = qbr.charts(_review([10, 20, 30], 0.1))
    assert set(first) == {"trend", "volume", "findings", "denials", "countries"}
    assert [v["charts"] for v in first["volume"]["data"]["values"]] == [10, 20, 30]
    first["volume"]["data"]["values"].clear()
    again = qbr.charts(_review([10, 20, 30], 0.1))
    assert [v["charts"] for v in again["volume"]["data"]["values"]] == [10, 20, 30]


def test_other_figures_give_their_own_specs():
    other = qbr.charts(_review([10, 20, 31], 0.25))
    assert [v["charts"] for v in other["volume"]["data"]["values"]] == [10, 20, 31]
    assert {v["value"] for v in other["trend"]["data"]["values"]} == {0.25}
    assert [v["share"] for v in other["countries"]["data"]["values"]] == [0.51, 0.49]
