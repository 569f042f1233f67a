"""RAT-STATS' generator: the public check from ratstats.md, the VB6 seeding steps, and
properties every draw must have."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codingwatch.sampling import random_numbers
from codingwatch.sampling.rng import (
    SeedError,
    draw_distinct,
    draw_distinct_fast,
    parse_seed,
    single_bits,
    vb_randomize,
    vb_seed_negative,
    vb_step,
)

PUBLIC_SORTED = [(60, 0), (47, 1), (78, 2), (10, 3), (25, 4), (67, 5), (39, 6), (74, 7), (92, 8), (18, 9), (43, 10)]


def test_public_check_first_eleven_sorted_values_and_their_selection_orders():
    draw = random_numbers("10661935.55", 100, 0, 101, spares=1)
    assert [(row.order, row.value) for row in draw.sample[:11]] == PUBLIC_SORTED


def test_public_check_sum_of_the_101_values_drawn():
    draw = random_numbers("10661935.55", 100, 0, 101, spares=1)
    assert len(draw.selection_order) == 101
    assert draw.total == 5122


def test_rnd_minus_one_seeds_from_the_single_precision_bit_pattern():
    assert single_bits(-1.0) == 0xBF800000
    assert vb_seed_negative(-1.0) == 0xBF + 0x800000


def test_vb_step_is_the_24_bit_lcg():
    assert vb_step(0) == 12820163
    assert vb_step(0xFFFFFF) == (0xFFFFFF * 1140671485 + 12820163) % 2**24


def test_randomize_keeps_the_low_byte_and_sets_bits_8_to_23():
    state = vb_randomize(0xABCDEF, 10661935.55)
    assert state & 0xFF == 0xEF
    assert state >> 24 == 0


@pytest.mark.parametrize("seed", ["abc", "", "1e", "nan", "inf", "12,5"])
def test_non_numeric_seeds_are_refused(seed):
    with pytest.raises(SeedError):
        parse_seed(seed)


seeds = st.one_of(
    st.integers(min_value=-10**9, max_value=10**9).map(str),
    st.decimals(min_value=-10**8, max_value=10**8, places=2, allow_nan=False, allow_infinity=False).map(str),
)
frames = st.tuples(st.integers(-1000, 1000), st.integers(0, 400)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=60, deadline=None)
@given(seed=seeds, frame=frames, data=st.data())
def test_draws_have_no_duplicates_and_stay_in_the_frame(seed, frame, data):
    low, high = frame
    count = data.draw(st.integers(1, high - low + 1))
    values = draw_distinct(seed, count, low, high)
    assert len(set(values)) == count
    assert all(low <= v <= high for v in values)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, frame=frames)
def test_the_same_seed_gives_the_same_draw(seed, frame):
    low, high = frame
    count = (high - low) // 2 + 1
    assert draw_distinct(seed, count, low, high) == draw_distinct(seed, count, low, high)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, frame=frames, data=st.data())
def test_spares_continue_the_sequence_of_the_sample(seed, frame, data):
    low, high = frame
    size = high - low + 1
    count = data.draw(st.integers(1, size))
    spares = data.draw(st.integers(0, size - count))
    with_spares = random_numbers(seed, count, low, high, spares)
    without = random_numbers(seed, count, low, high)
    assert with_spares.selection_order[:count] == without.selection_order
    assert [r.value for r in with_spares.spare_rows] == list(with_spares.selection_order[count:])
    assert [r.order for r in with_spares.spare_rows] == list(range(count + 1, count + spares + 1))


@settings(max_examples=40, deadline=None)
@given(seed=seeds, low=st.integers(-10**6, -1), width=st.integers(0, 300))
def test_a_negative_low_shifts_the_frame_and_nothing_else(seed, low, width):
    count = width // 3 + 1
    shifted = draw_distinct(seed, count, low, low + width)
    base = draw_distinct(seed, count, 0, width)
    assert shifted == [v + low for v in base]


@settings(max_examples=40, deadline=None)
@given(seed=seeds, low=st.integers(-10**6, 10**6), width=st.integers(0, 5000), data=st.data())
def test_the_vectorised_draw_equals_the_plain_loop(seed, low, width, data):
    count = data.draw(st.integers(1, width + 1))
    assert draw_distinct_fast(seed, count, low, low + width) == draw_distinct(seed, count, low, low + width)


def test_the_vectorised_draw_equals_the_plain_loop_on_a_large_frame():
    assert draw_distinct_fast("4967669.23", 20_000, 1, 3_000_000) == draw_distinct("4967669.23", 20_000, 1, 3_000_000)


def test_a_whole_frame_draw_is_a_permutation_of_the_frame():
    values = draw_distinct_fast("77.5", 500, -250, 249)
    assert sorted(values) == list(range(-250, 250))


def test_the_vectorised_draw_equals_the_plain_loop_on_a_frame_beyond_the_bitmap():
    assert draw_distinct_fast("9", 3000, -(2**39), 2**39) == draw_distinct("9", 3000, -(2**39), 2**39)
