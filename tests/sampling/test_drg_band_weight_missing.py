from decimal import Decimal

from codingwatch.sampling.frames import drg_band


def test_a_grouped_encounter_without_its_years_weight_is_its_own_drg_band():
    assert drg_band(None, 871) == "weight_missing"  # never banded with another year's weight
    assert drg_band(None, 999) == "no_drg" and drg_band(None, None) == "no_drg"
    assert drg_band(Decimal("1.9425"), 871) == "weight_1-2"
