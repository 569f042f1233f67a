"""The one figure format: money, counts and rates as a person reads them."""

from decimal import Decimal

import pytest

from codingwatch.reports.format import count, money, percent


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("15909436.13"), "$15,909,436"),   # large: whole dollars
    (Decimal("1250.50"), "$1,251"),            # rounded half up, not to even
    (Decimal("1000"), "$1,000"),
    (Decimal("999.995"), "$1,000.00"),          # under $1,000: cents, even when rounding reaches it
    (Decimal("912.5"), "$912.50"),
    (4, "$4.00"),
    (0, "$0.00"),
    (Decimal("-1250"), "-$1,250"),
    (Decimal("-12.345"), "-$12.35"),
    (Decimal("-0.004"), "$0.00"),               # rounds to zero: no sign
    (0.1 + 0.2, "$0.30"),                        # a float read by its shortest repr
    ("2500.75", "$2,501"),
])
def test_money_shows_cents_only_under_a_thousand_dollars(value, expected):
    assert money(value) == expected


def test_money_cents_forced_either_way_and_signed():
    assert money(Decimal("15909436.13"), cents=True) == "$15,909,436.13"
    assert money(Decimal("912.5"), cents=False) == "$913"
    assert money(Decimal("1200"), signed=True) == "+$1,200"
    assert money(Decimal("-3.5"), signed=True) == "-$3.50"
    assert money(0, signed=True) == "$0.00"


def test_missing_values_print_as_a_dash_or_what_the_caller_asks():
    assert money(None) == "—"
    assert money(None, missing="") == ""
    assert count(None) == "—"
    assert percent(None, missing="n/a") == "n/a"


def test_count_has_thousands_separators():
    assert count(1_000_000) == "1,000,000"
    assert count(741) == "741"
    assert count(-4200) == "-4,200"
    assert count(0) == "0"


@pytest.mark.parametrize(("rate", "places", "expected"), [
    (0.1158, 1, "11.6%"),
    (0.1158, 0, "12%"),
    (0.1158, 2, "11.58%"),
    (Decimal("0.00125"), 2, "0.13%"),          # half up
    (1, 1, "100.0%"),
    (12.5, 0, "1,250%"),
    (-0.034, 1, "-3.4%"),
    (0, 1, "0.0%"),
])
def test_percent_reads_a_rate_as_a_percentage(rate, places, expected):
    assert percent(rate, places) == expected


def test_percent_signed_change():
    assert percent(0.021, signed=True) == "+2.1%"
    assert percent(-0.021, signed=True) == "-2.1%"


@pytest.mark.parametrize("bad", ["twelve", float("nan"), float("inf"), [1], True])
def test_a_value_that_is_not_a_number_is_refused_by_name(bad):
    with pytest.raises((TypeError, ValueError), match="money"):
        money(bad)


def test_places_must_be_a_whole_number():
    with pytest.raises(ValueError, match="places"):
        percent(0.5, -1)
