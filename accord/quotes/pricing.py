"""Quote arithmetic, exact in ``Decimal``.

A line's total is ``quantity × unit_price × (1 − discount/100)`` rounded half-up to cents; its
gross is ``quantity × unit_price`` rounded the same way. A quote's subtotal is the sum of the
grosses, its total the sum of the line totals, and its discount the difference (never negative:
discounts are between 0 and 100%).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def line_gross(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return to_cents(quantity * unit_price)


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    return to_cents(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    max_discount: Decimal


def totals(lines: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Totals:
    """Totals of ``(quantity, unit_price, discount_percent)`` lines."""
    subtotal = total = ZERO
    max_discount = ZERO
    for quantity, unit_price, discount in lines:
        subtotal += line_gross(quantity, unit_price)
        total += line_total(quantity, unit_price, discount)
        max_discount = max(max_discount, discount)
    return Totals(subtotal, subtotal - total, total, max_discount)
