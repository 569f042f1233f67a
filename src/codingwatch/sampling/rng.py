"""RAT-STATS' random number generator: VB6 `Rnd`/`Randomize` seeding, then Wichmann-Hill.

RAT-STATS (HHS OIG) is a Visual Basic 6 program. Its single-stage random numbers are drawn as
follows (see docs/sampling.md and the public check in tests/sampling/test_rng.py):

1. VB6 `Rnd(-1)`: the 24-bit VB6 state is seeded from the IEEE-754 single-precision bit
   pattern of -1.0 (0xBF800000): state = high byte + low 24 bits = 0xBF + 0x800000; the call
   then steps the generator once and its value is discarded.
2. VB6 `Randomize seed`: the upper 32 bits of the seed as an IEEE-754 double; their two 16-bit
   halves XORed; the result replaces bits 8..23 of the state (the low 8 bits stay).
3. Three VB6 draws scaled to 30269, 30307 and 30323 give the Wichmann-Hill seeds. One VB6 step
   is `x = (x * 1140671485 + 12820163) mod 2**24`; a draw scaled to [1, m) is
   `m * x / 2**24 + 1` (redrawn while it is >= m), its integer part the seed.
4. Wichmann-Hill (Applied Statistics algorithm AS 183, Schrage form) gives u in [0, 1); the
   frame value is `floor(u * (high - low + 1)) + low`; repeated values are skipped.

Everything here is integer or IEEE-754 double arithmetic done in the same order as the VB6
code, so the values are bit-for-bit those of RAT-STATS. `draw_distinct_fast` computes the same
sequence with numpy (the Wichmann-Hill components are powers of their multipliers modulo
their primes), for frames of millions; tests hold it equal to the plain loop.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from codingwatch.errors import CodingwatchError

if TYPE_CHECKING:
    import numpy as np
# numpy is imported by the vectorised functions below, so that the plain generator and the
# modules that only name a draw's types (exports, appraisals) start without it.

VB_MULTIPLIER = 1140671485
VB_INCREMENT = 12820163
VB_MODULUS = 1 << 24
VB_MASK = VB_MODULUS - 1

# Wichmann-Hill (AS 183): moduli, multipliers and the Schrage decomposition m = a*q + r.
WH_MODULI = (30269, 30307, 30323)
WH_MULTIPLIERS = (171, 172, 170)
_WH_Q = (177, 176, 178)
_WH_R = (2, 35, 63)


class SeedError(CodingwatchError, ValueError):
    """The seed is not a finite decimal number."""


def parse_seed(text: str | float | int | Decimal) -> float:
    """A RAT-STATS seed (a decimal number such as 4967669.23) as the IEEE double VB6 holds."""
    if isinstance(text, bool):
        raise SeedError(f"seed {text!r} is not a number")
    if isinstance(text, float):
        if not math.isfinite(text):
            raise SeedError(f"seed {text!r} is not a finite number")
        return text
    raw = str(text).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SeedError(f"seed {raw!r} is not a number (use digits and an optional decimal point, e.g. 4967669.23)") from None
    if not value.is_finite():
        raise SeedError(f"seed {raw!r} is not a finite number")
    # float(str) is correctly rounded, as VB6's conversion of a typed decimal to Double is.
    return float(raw)


# ---- VB6 Rnd ---------------------------------------------------------------------------------
def single_bits(value: float) -> int:
    """The IEEE-754 single-precision bit pattern of `value`."""
    return struct.unpack("<I", struct.pack("<f", value))[0]


def double_bits(value: float) -> int:
    """The IEEE-754 double-precision bit pattern of `value`."""
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def vb_step(state: int) -> int:
    """One step of VB6's 24-bit linear congruential generator."""
    return (state * VB_MULTIPLIER + VB_INCREMENT) & VB_MASK


def vb_seed_negative(argument: float) -> int:
    """The state `Rnd(argument)` sets for a negative argument, before its own step."""
    bits = single_bits(argument)
    return ((bits & VB_MASK) + (bits >> 24)) & VB_MASK


def vb_randomize(state: int, seed: float) -> int:
    """VB6 `Randomize seed`: the XOR of the seed's upper 16-bit halves goes into bits 8..23."""
    upper = double_bits(seed) >> 32
    mixed = ((upper >> 16) ^ (upper & 0xFFFF)) & 0xFFFF
    return (mixed << 8) | (state & 0xFF)


def vb_scaled_draw(state: int, maximum: int) -> tuple[int, int]:
    """Draw `int(maximum * Rnd + 1)`, redrawn while it reaches `maximum`; returns (state, value).

    `maximum * x / 2**24 + 1` is exact in a double (x < 2**24, maximum < 2**15).
    """
    while True:
        state = vb_step(state)
        value = maximum * state / VB_MODULUS + 1
        if value < maximum:
            return state, int(value)


def wichmann_hill_seeds(seed: float) -> tuple[int, int, int]:
    """The three Wichmann-Hill seeds RAT-STATS derives from its seed."""
    state = vb_seed_negative(-1.0)
    state = vb_step(state)  # Rnd(-1) returns a value: discarded
    state = vb_randomize(state, seed)
    seeds = []
    for modulus in WH_MODULI:
        state, value = vb_scaled_draw(state, modulus)
        seeds.append(value)
    return seeds[0], seeds[1], seeds[2]


# ---- Wichmann-Hill ---------------------------------------------------------------------------
class WichmannHill:
    """AS 183 in Schrage form (no intermediate exceeds 2**31), as RAT-STATS steps it."""

    def __init__(self, a: int, b: int, c: int) -> None:
        self.a, self.b, self.c = a, b, c

    @classmethod
    def from_seed(cls, seed: float | str) -> WichmannHill:
        return cls(*wichmann_hill_seeds(parse_seed(seed)))

    def random(self) -> float:
        a = 171 * (self.a % 177) - 2 * (self.a // 177)
        if a <= 0:
            a += 30269
        b = 172 * (self.b % 176) - 35 * (self.b // 176)
        if b <= 0:
            b += 30307
        c = 170 * (self.c % 178) - 63 * (self.c // 178)
        if c <= 0:
            c += 30323
        self.a, self.b, self.c = a, b, c
        total = a / 30269 + b / 30307 + c / 30323
        return total - math.floor(total)

    def integer(self, low: int, high: int) -> int:
        """A frame value in low..high: floor(u * (high - low + 1)) + low."""
        return math.floor(self.random() * (high - low + 1)) + low


def draw_distinct(seed: float | str, count: int, low: int, high: int) -> list[int]:
    """The first `count` distinct frame values RAT-STATS draws, in selection order (plain loop)."""
    _check_frame(count, low, high)
    generator = WichmannHill.from_seed(seed)
    seen: set[int] = set()
    order: list[int] = []
    while len(order) < count:
        value = generator.integer(low, high)
        if value not in seen:
            seen.add(value)
            order.append(value)
    return order


def _check_frame(count: int, low: int, high: int) -> None:
    if high < low:
        raise ValueError(f"high value {high} is below low value {low}")
    if count < 0:
        raise ValueError(f"count {count} is negative")
    if count > high - low + 1:
        raise ValueError(
            f"{count} numbers were asked for but the frame {low}..{high} holds only {high - low + 1}"
        )


# ---- the same sequence, vectorised -----------------------------------------------------------
def _powers(multiplier: int, modulus: int, length: int) -> np.ndarray:
    """multiplier**1 .. multiplier**length modulo `modulus`, by doubling (no Python loop per item)."""
    import numpy as np

    out = np.empty(length, dtype=np.int64)
    out[0] = multiplier % modulus
    filled = 1
    while filled < length:
        step = min(filled, length - filled)
        out[filled : filled + step] = (out[:step] * out[filled - 1]) % modulus
        filled += step
    return out


def wichmann_hill_block(a: int, b: int, c: int, length: int) -> tuple[np.ndarray, tuple[int, int, int]]:
    """`length` successive u values from state (a, b, c) and the state after them.

    The Schrage step maps a to 171*a mod 30269 (likewise b, c), so the i-th state is the seed
    times the i-th power of the multiplier. The sum is formed in the loop's order, so every u is
    the same double the loop produces.
    """
    import numpy as np

    pa = _powers(171, 30269, length) * a % 30269
    pb = _powers(172, 30307, length) * b % 30307
    pc = _powers(170, 30323, length) * c % 30323
    total = pa / 30269.0 + pb / 30307.0 + pc / 30323.0
    u = total - np.floor(total)
    return u, (int(pa[-1]), int(pb[-1]), int(pc[-1]))


def draw_distinct_fast(seed: float | str, count: int, low: int, high: int) -> list[int]:
    """`draw_distinct` computed in numpy blocks: the same values, for frames of millions."""
    import numpy as np

    _check_frame(count, low, high)
    if count == 0:
        return []
    size = high - low + 1
    if size > 2**52:
        # Beyond 2**52 a double no longer holds every frame value; the plain loop's Python
        # integers do (and RAT-STATS' frames are far smaller).
        return draw_distinct(seed, count, low, high)
    state = wichmann_hill_seeds(parse_seed(seed))
    # Blocks of at most 4M draws keep memory flat however dense the draw; a bitmap of the
    # frame (up to 128M values, 128 MB) marks what is already drawn, beyond that a sorted array.
    bitmap = np.zeros(size, dtype=bool) if size <= 1 << 27 else None
    taken = np.empty(0, dtype=np.int64)
    found: list[np.ndarray] = []
    have = 0
    while have < count:
        missing = count - have
        left = size - have
        # Expected draws for `missing` more distinct values out of the `left` not yet drawn
        # (coupon collector), with a margin; a block that falls short just leads to another.
        expected = size * (math.log(left) - math.log(max(left - missing, 0.5)))
        block = int(min(max(expected * 1.05 + 64, missing + 64), 1 << 22))
        u, state = wichmann_hill_block(*state, block)
        values = np.floor(u * float(size)).astype(np.int64)
        unique, first = np.unique(values, return_index=True)
        if bitmap is not None:
            new = ~bitmap[unique]
        else:
            new = ~np.isin(unique, taken, assume_unique=True)
        first = np.sort(first[new])[:missing]
        chosen = values[first]
        if bitmap is not None:
            bitmap[chosen] = True
        else:
            taken = np.union1d(taken, chosen)
        found.append(chosen)
        have += len(chosen)
    return (np.concatenate(found) + low).tolist()
