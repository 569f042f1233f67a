"""Figures as people read them: money, counts and rates, one rule everywhere.

Every page, report, brief and command formats its figures through these three functions, so
the same amount never prints two ways.

money(value, cents=None)
    Dollars with thousands separators: ``$15,909,436``, ``-$1,250``, ``$912.50``.
    Cents are shown only where they matter. ``cents=None`` (the default) decides by size:
    an amount under $1,000 (in absolute value) prints with cents (``$912.50``, ``$4.00``);
    an amount of $1,000 or more prints in whole dollars, rounded half up (``$1,251`` for
    1,250.50), because at that size the cents are noise in a table. ``cents=True`` always
    prints cents (an exact repayment amount: ``$15,909,436.13``), ``cents=False`` never does
    (a wide table of uncertain estimates: ``$913``).
    ``signed=True`` puts ``+`` before a positive amount (a difference). A value that rounds to
    zero prints without a sign.

count(n)
    A whole number with thousands separators: ``1,000,000``.

percent(rate, places=1)
    A rate (a fraction, 0.1158) as a percentage with ``places`` decimals: ``11.6%``.
    ``signed=True`` puts ``+`` before a positive rate (a change in rate).

A missing value (``None``) prints as ``missing`` (an em dash by default; pass ``missing=""``
for an empty cell). Values may be ``int``, ``float``, ``Decimal`` or a numeric string;
anything else raises ``TypeError``/``ValueError`` naming the value.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["MISSING", "count", "money", "percent"]

MISSING = "—"
CENTS_BELOW = Decimal(1000)
"""Amounts under this (in absolute value) print with cents when ``cents=None``."""

_CENT = Decimal("0.01")
_DOLLAR = Decimal(1)


def _decimal(value, what: str) -> Decimal:
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, Decimal):
        found = value
    elif isinstance(value, (int, float, str)):
        try:
            # str() of a float gives its shortest repr (0.1 -> "0.1"), not its binary expansion.
            found = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{what}: not a number: {value!r}") from None
    else:
        raise TypeError(f"{what}: expected a number, got {type(value).__name__} {value!r}")
    if not found.is_finite():
        raise ValueError(f"{what}: not a finite number: {value!r}")
    return found


def _signed(text: str, negative: bool, signed: bool, zero: bool, prefix: str = "") -> str:
    if zero:
        return prefix + text
    if negative:
        return "-" + prefix + text
    return ("+" if signed else "") + prefix + text


def money(value, cents: bool | None = None, *, signed: bool = False, missing: str = MISSING) -> str:
    """Dollars with thousands separators; cents only where they matter (see the module doc)."""
    if value is None:
        return missing
    amount = _decimal(value, "money")
    show_cents = abs(amount) < CENTS_BELOW if cents is None else bool(cents)
    rounded = abs(amount).quantize(_CENT if show_cents else _DOLLAR, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.2f}" if show_cents else f"{rounded:,.0f}"
    return _signed(text, amount < 0, signed, rounded == 0, prefix="$")


def count(n, *, missing: str = MISSING) -> str:
    """A whole number with thousands separators (a fractional value is rounded half up)."""
    if n is None:
        return missing
    number = _decimal(n, "count").quantize(_DOLLAR, rounding=ROUND_HALF_UP)
    return f"{number:,.0f}" if number != 0 else "0"


def percent(rate, places: int = 1, *, signed: bool = False, missing: str = MISSING) -> str:
    """A rate (0.1158) as a percentage with `places` decimals ("11.6%")."""
    if rate is None:
        return missing
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise ValueError(f"percent: places must be a whole number 0 or more, got {places!r}")
    share = _decimal(rate, "percent") * 100
    step = Decimal(1).scaleb(-places)
    rounded = abs(share).quantize(step, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}%"
    return _signed(text, share < 0, signed, rounded == 0)
