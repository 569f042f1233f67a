"""Single-stage reports, stratified draws and sets."""

from __future__ import annotations

import pytest

from codingwatch.sampling import (
    DrawError,
    StratumRequest,
    random_number_sets,
    random_numbers,
    stratified_random_numbers,
)


def test_the_sample_is_reported_sorted_by_value_with_selection_orders_1_to_n():
    draw = random_numbers("4967669.23", 25, 1, 500, spares=3)
    values = [row.value for row in draw.sample]
    assert values == sorted(values)
    assert sorted(row.order for row in draw.sample) == list(range(1, 26))
    for row in draw.sample:
        assert draw.selection_order[row.order - 1] == row.value


def test_spares_are_numbered_after_the_sample_in_selection_order():
    draw = random_numbers("4967669.23", 25, 1, 500, spares=3)
    assert [(r.kind, r.order) for r in draw.spare_rows] == [("spare", 26), ("spare", 27), ("spare", 28)]


def test_a_count_larger_than_the_frame_is_refused():
    with pytest.raises(DrawError, match="holds only 10"):
        random_numbers("1", 10, 1, 10, spares=1)


def test_high_below_low_is_refused():
    with pytest.raises(DrawError, match="below low"):
        random_numbers("1", 1, 10, 5)


def test_the_whole_frame_can_be_drawn():
    draw = random_numbers("3", 10, 1, 10)
    assert [r.value for r in draw.sample] == list(range(1, 11))


def test_each_stratum_is_the_single_stage_draw_of_its_own_frame():
    design = stratified_random_numbers("555.5", [
        StratumRequest("inpatient", 10, 1, 120, spares=2),
        StratumRequest("outpatient", 15, 1, 900),
        StratumRequest("own seed", 5, -20, 20, seed="99"),
    ])
    (_, first), (_, second), (_, third) = design.strata
    assert first.selection_order == random_numbers("555.5", 10, 1, 120, 2).selection_order
    assert second.selection_order == random_numbers("555.5", 15, 1, 900).selection_order
    assert third.selection_order == random_numbers("99", 5, -20, 20).selection_order


def test_a_stratum_too_small_is_named_in_the_error():
    with pytest.raises(DrawError, match="stratum tiny"):
        stratified_random_numbers("1", [StratumRequest("tiny", 5, 1, 3)])


def test_sets_are_distinct_and_each_column_stays_in_its_range():
    ranges = [(1, 3), (-2, 2), (10, 13)]
    draw = random_number_sets("42.42", 50, ranges, spares=5)
    assert len(set(draw.selection_order)) == 55
    for value in draw.selection_order:
        assert all(low <= v <= high for v, (low, high) in zip(value, ranges, strict=True))


def test_sets_need_two_to_four_columns():
    with pytest.raises(DrawError, match="2, 3 or 4"):
        random_number_sets("1", 1, [(1, 5)])
    with pytest.raises(DrawError, match="2, 3 or 4"):
        random_number_sets("1", 1, [(1, 5)] * 5)


def test_sets_cannot_ask_for_more_than_the_columns_hold():
    with pytest.raises(DrawError, match="hold only 6"):
        random_number_sets("1", 7, [(1, 2), (1, 3)])
