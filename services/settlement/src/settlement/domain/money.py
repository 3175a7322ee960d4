"""Money arithmetic (SPEC 0.2): CNY, 2 decimals, exact Decimal, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # numeric(14,2)


def cents(value: Decimal) -> Decimal:
    """Round to the fen, half up (the usual rounding of Chinese settlement systems)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def non_negative(value: Decimal) -> Decimal:
    return value if value > 0 else ZERO


def has_at_most_two_decimals(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and (exponent >= -2 or value == value.quantize(CENT))
