"""Totals are exact in Decimal: Σ round_cents(qty × price × (1 − d/100)), never negative."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.quotes import actions, pricing
from accord.quotes.tests.fixtures import World, quote_with

quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2)
discounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
lines = st.lists(st.tuples(quantities, prices, discounts), max_size=20)


def _expected_line(q: Decimal, p: Decimal, d: Decimal) -> Decimal:
    exact = q * p * (1 - d / 100)  # Decimal context: 28 digits is exact for these ranges
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(lines)
def test_total_is_sum_of_rounded_line_totals_and_never_negative(
    rows: list[tuple[Decimal, Decimal, Decimal]],
) -> None:
    result = pricing.totals(rows)
    assert result.total == sum((_expected_line(*r) for r in rows), Decimal("0.00"))
    assert result.subtotal == sum((_expected_line(q, p, Decimal(0)) for q, p, _ in rows), Decimal("0.00"))
    assert result.total >= 0 and result.discount_total >= 0
    assert result.subtotal - result.discount_total == result.total
    assert result.total.as_tuple().exponent == -2


def test_rounding_is_half_up_per_line() -> None:
    # 3 × 333.33 × 0.95 = 949.9905 → 949.99; 1 × 0.05 × 0.5 = 0.025 → 0.03 (half up, per line)
    result = pricing.totals(
        [(Decimal(3), Decimal("333.33"), Decimal(5)), (Decimal(1), Decimal("0.05"), Decimal(50))]
    )
    assert result.total == Decimal("950.02")
    assert result.subtotal == Decimal("1000.04")
    assert result.discount_total == Decimal("50.02")


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 50), discounts), min_size=1, max_size=4))
def test_stored_quote_totals_match_the_formula(world: World, rows: list[tuple[int, Decimal]]) -> None:
    quote = actions.create_quote(world.deal, by=world.ae, title="Prop")
    for qty, discount in rows:
        actions.add_line(quote, by=world.ae, product=world.addon, quantity=qty, discount_percent=discount)
    quote.refresh_from_db()
    expected = sum((_expected_line(Decimal(q), Decimal("333.33"), d) for q, d in rows), Decimal("0.00"))
    assert quote.total == expected >= 0
    assert quote.max_discount == max(d for _, d in rows)


def test_quote_lines_priced_from_price_list_or_list_price(world: World) -> None:
    quote = quote_with(world, (world.platform, "2", "0"), (world.addon, "3", "0"))
    assert [line.unit_price for line in quote.lines.all()] == [Decimal("1200.00"), Decimal("333.33")]
    assert quote.total == Decimal("3399.99")
    eur = actions.create_quote(world.deal, by=world.ae, price_list=world.eur_list)
    assert eur.currency == "EUR"
    line = actions.add_line(eur, by=world.ae, product=world.platform, quantity="1")
    assert line.unit_price == Decimal("1100.00")
    with pytest.raises(actions.Invalid) as exc:  # addon has no EUR price and a USD list price
        actions.add_line(eur, by=world.ae, product=world.addon, quantity="1")
    assert "product_id" in exc.value.field_errors
