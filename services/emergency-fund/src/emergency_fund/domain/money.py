"""Money (SPEC 0.2): CNY, two decimals, Decimal only, half-up rounding where a rule divides."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal | int | str) -> Decimal:
    """Round to the fen, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def is_money(value: Decimal) -> bool:
    """A finite amount with at most two decimals."""
    exponent = value.as_tuple().exponent
    return value.is_finite() and isinstance(exponent, int) and exponent >= -2


def total(values: list[Decimal]) -> Decimal:
    return cents(sum(values, ZERO))
