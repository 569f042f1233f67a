"""Random number designs: single stage, stratified, and sets of 2, 3 or 4 (RAT-STATS' menus).

A draw's report lists the first `count` values sorted ascending, each with its selection order
(1..count), then the spares in selection order (numbered count+1 onward), as RAT-STATS does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from codingwatch.errors import CodingwatchError
from codingwatch.sampling.rng import WichmannHill, draw_distinct_fast, parse_seed


class DrawError(CodingwatchError, ValueError):
    """The request cannot be drawn (frame too small, high below low, bad seed...)."""


@dataclass(frozen=True)
class Selection:
    kind: str  # "sample" or "spare"
    order: int  # selection order: 1..count for the sample, count+1.. for spares
    value: int | tuple[int, ...]


class _ReportRows:
    """RAT-STATS' report order: the sample sorted by value with its selection order, then the
    spares in selection order numbered count+1 onward. Needs `selection_order` and `count`."""

    @property
    def sample(self) -> list[Selection]:
        rows = [Selection("sample", i + 1, v) for i, v in enumerate(self.selection_order[: self.count])]
        return sorted(rows, key=lambda s: s.value)

    @property
    def spare_rows(self) -> list[Selection]:
        return [
            Selection("spare", self.count + i + 1, v)
            for i, v in enumerate(self.selection_order[self.count :])
        ]

    @property
    def rows(self) -> list[Selection]:
        return self.sample + self.spare_rows


@dataclass(frozen=True)
class RandomDraw(_ReportRows):
    """One single-stage run: the sample sorted by value, then the spares in selection order."""

    seed: str
    count: int
    spares: int
    low: int
    high: int
    audit_name: str = ""
    drawn_at: str = field(default_factory=lambda: dt.datetime.now().astimezone().isoformat(timespec="seconds"))
    selection_order: tuple[int, ...] = ()  # every value in the order drawn

    @property
    def frame_size(self) -> int:
        return self.high - self.low + 1


    @property
    def total(self) -> int:
        return sum(self.selection_order)


def _seed_text(seed: str | float | int) -> str:
    try:
        parse_seed(seed)
    except ValueError as exc:
        raise DrawError(str(exc)) from None
    return str(seed).strip()


def _check(count: int, spares: int, low: int, high: int, what: str = "frame") -> None:
    if high < low:
        raise DrawError(f"high value {high} is below low value {low}")
    if count < 1:
        raise DrawError(f"count must be at least 1 (got {count})")
    if spares < 0:
        raise DrawError(f"spares cannot be negative (got {spares})")
    size = high - low + 1
    if count + spares > size:
        raise DrawError(
            f"{count} numbers and {spares} spares were asked for but the {what} {low}..{high} "
            f"holds only {size}"
        )


def random_numbers(
    seed: str | float | int, count: int, low: int, high: int, spares: int = 0, audit_name: str = ""
) -> RandomDraw:
    """Single-stage random numbers exactly as RAT-STATS draws them."""
    seed_text = _seed_text(seed)
    _check(count, spares, low, high)
    values = draw_distinct_fast(seed_text, count + spares, low, high)
    return RandomDraw(
        seed=seed_text, count=count, spares=spares, low=low, high=high, audit_name=audit_name,
        selection_order=tuple(values),
    )


# ---- stratified ------------------------------------------------------------------------------
@dataclass(frozen=True)
class StratumRequest:
    stratum: str
    count: int
    low: int
    high: int
    spares: int = 0
    seed: str | None = None  # a stratum's own seed; None = the design's seed


@dataclass(frozen=True)
class StratifiedDraw:
    seed: str
    audit_name: str
    strata: tuple[tuple[StratumRequest, RandomDraw], ...]
    drawn_at: str = field(default_factory=lambda: dt.datetime.now().astimezone().isoformat(timespec="seconds"))


def stratified_random_numbers(
    seed: str | float | int, strata: list[StratumRequest], audit_name: str = ""
) -> StratifiedDraw:
    """One single-stage run per stratum, each over its own frame.

    Each stratum's run starts its own sequence: the generator is seeded afresh (with the
    stratum's own seed if it has one, else the design's seed), so every stratum can be checked
    on its own with RAT-STATS' single-stage random numbers.
    """
    seed_text = _seed_text(seed)
    if not strata:
        raise DrawError("a stratified draw needs at least one stratum")
    names = [s.stratum for s in strata]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DrawError(f"stratum named twice: {', '.join(duplicates)}")
    results = []
    for request in strata:
        try:
            draw = random_numbers(
                request.seed or seed_text, request.count, request.low, request.high,
                request.spares, audit_name,
            )
        except DrawError as exc:
            raise DrawError(f"stratum {request.stratum}: {exc}") from None
        results.append((request, draw))
    return StratifiedDraw(seed=seed_text, audit_name=audit_name, strata=tuple(results))


# ---- sets of 2, 3 or 4 -----------------------------------------------------------------------
@dataclass(frozen=True)
class SetsDraw(_ReportRows):
    seed: str
    count: int
    spares: int
    ranges: tuple[tuple[int, int], ...]
    audit_name: str = ""
    drawn_at: str = field(default_factory=lambda: dt.datetime.now().astimezone().isoformat(timespec="seconds"))
    selection_order: tuple[tuple[int, ...], ...] = ()



def random_number_sets(
    seed: str | float | int,
    count: int,
    ranges: list[tuple[int, int]],
    spares: int = 0,
    audit_name: str = "",
) -> SetsDraw:
    """Random numbers in sets of 2, 3 or 4 (e.g. box, folder, page): one value per column.

    Each set takes the next values of one Wichmann-Hill stream, column by column, each scaled
    to its column's low..high; a set already drawn is skipped.
    """
    seed_text = _seed_text(seed)
    if not 2 <= len(ranges) <= 4:
        raise DrawError(f"sets have 2, 3 or 4 columns (got {len(ranges)})")
    size = 1
    for column, (low, high) in enumerate(ranges, start=1):
        if high < low:
            raise DrawError(f"column {column}: high value {high} is below low value {low}")
        size *= high - low + 1
    if count < 1:
        raise DrawError(f"count must be at least 1 (got {count})")
    if spares < 0:
        raise DrawError(f"spares cannot be negative (got {spares})")
    if count + spares > size:
        raise DrawError(
            f"{count} sets and {spares} spares were asked for but the columns hold only {size} sets"
        )
    generator = WichmannHill.from_seed(seed_text)
    seen: set[tuple[int, ...]] = set()
    order: list[tuple[int, ...]] = []
    while len(order) < count + spares:
        value = tuple(generator.integer(low, high) for low, high in ranges)
        if value not in seen:
            seen.add(value)
            order.append(value)
    return SetsDraw(
        seed=seed_text, count=count, spares=spares, ranges=tuple(ranges), audit_name=audit_name,
        selection_order=tuple(order),
    )
