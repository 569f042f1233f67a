"""Reporting periods as URLs name them, and months covered in part or not yet begun."""

from __future__ import annotations

import datetime as dt

import pytest

from codingwatch import periods


def test_a_month_a_quarter_and_a_custom_range_are_read_from_the_query():
    march = periods.parse({"period": "2026-03"})
    assert (march.kind, march.start, march.end, march.label) == ("month", dt.date(2026, 3, 1), dt.date(2026, 3, 31),
                                                                 "March 2026")
    assert march.query() == {"period": "2026-03"}
    q1 = periods.parse({"period": "2026-Q1"})
    assert (q1.start, q1.end, q1.label, q1.query()) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "Q1 2026",
                                                        {"period": "2026-Q1"})
    custom = periods.parse({"period": "custom", "from": "2026-01-15", "to": "2026-02-10"})
    assert (custom.kind, custom.start, custom.end) == ("custom", dt.date(2026, 1, 15), dt.date(2026, 2, 10))
    assert custom.query() == {"from": "2026-01-15", "to": "2026-02-10"}
    assert periods.parse({}) == periods.ALL and not periods.ALL.bounded
    assert periods.parse({"period": "2024-02"}).end == dt.date(2024, 2, 29)  # a leap year's February


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"period": "2026-13"}, "period", "no month 13 (months run 01 to 12)"),
    ({"period": "0000-01"}, "period", "no year 0000"),
    ({"period": "0000-Q2"}, "period", "no year 0000"),
    ({"period": "March"}, "period", "neither a month"),
    ({"from": "2026-02-30"}, "from", "is not a date"),
    ({"from": "2026-03-01", "to": "2026-02-01"}, "to", "before the start"),
])
def test_a_period_that_cannot_be_read_names_the_parameter_and_why(query, field, words):
    with pytest.raises(periods.PeriodError) as caught:
        periods.parse(query)
    assert caught.value.field == field and words in str(caught.value)


def _months(*firsts):
    return [{"month": dt.date.fromisoformat(f), "claims": 1} for f in firsts]


def test_future_months_are_left_out_and_months_covered_in_part_are_marked():
    rows = _months("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01")
    marked = periods.mark_months(rows, covered_from=dt.date(2026, 1, 10), covered_to=dt.date(2026, 5, 20),
                                 today=dt.date(2026, 4, 12))
    assert [(r["month"].month, r["partial"], r["days"]) for r in marked] == [
        (1, True, "2026-01-10 to 2026-01-31"),  # the data starts on the 10th
        (2, False, ""),
        (3, False, ""),
        (4, True, "2026-04-01 to 2026-04-12"),  # not over yet
    ]  # May has not begun: gone


def test_a_period_that_cuts_a_month_marks_it_partial():
    marked = periods.mark_months(_months("2026-01-01", "2026-02-01"), covered_from=dt.date(2025, 1, 1),
                                 covered_to=dt.date(2026, 6, 30), today=dt.date(2026, 7, 1),
                                 period=periods.parse({"from": "2026-01-01", "to": "2026-02-10"}))
    assert [(r["partial"], r["days"]) for r in marked] == [(False, ""), (True, "2026-02-01 to 2026-02-10")]


def test_the_picker_offers_the_months_and_quarters_of_the_data_newest_first():
    offered = periods.choices(dt.date(2025, 11, 20), dt.date(2026, 2, 3))
    assert offered["months"] == [("2026-02", "February 2026"), ("2026-01", "January 2026"),
                                 ("2025-12", "December 2025"), ("2025-11", "November 2025")]
    assert offered["quarters"] == [("2026-Q1", "Q1 2026"), ("2025-Q4", "Q4 2025")]
