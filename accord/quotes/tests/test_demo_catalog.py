"""The demo catalog and quotes (accord/demo/catalog_demo.py) are built through the real actions."""

from __future__ import annotations

from typing import Any

import pytest

from accord.catalog.models import BattleCard, Positioning, PriceList, Product
from accord.demo.catalog_demo import create_catalog, create_demo_quotes, name_competitors
from accord.quotes.models import Quote
from accord.quotes.tests.fixtures import World
from accord.sales.actions import create_deal

pytestmark = pytest.mark.django_db


def test_demo_catalog_and_quotes(world: World, django_capture_on_commit_callbacks: Any) -> None:
    for product in Product.objects.all():
        product.delete()
    PriceList.objects.all().delete()
    demo = create_catalog(by=world.admin)
    assert 6 <= Product.objects.count() <= 10
    assert Positioning.objects.exclude(product_text="").count() == Product.objects.count()
    assert PriceList.objects.filter(is_default=True).count() == 1
    assert 3 <= len(demo.competitors) <= 4 and BattleCard.objects.exclude(how_to_win="").count() == 4
    deals = [create_deal(name=f"Deal {i}", pipeline=world.pipeline, owner=world.ae) for i in range(5)]
    assert name_competitors(demo, deals) == 2
    with django_capture_on_commit_callbacks(execute=True):
        made = create_demo_quotes(demo, deals)
    assert [q.status for q in made] == ["draft", "sent", "accepted", "pending_approval"]
    made[2].deal.refresh_from_db()
    assert made[2].currency == "EUR" and made[2].deal.amount == made[2].total
    assert made[1].negotiation.count() == 1
    assert Quote.objects.filter(status="pending_approval").get().approvals.get().requested_by == world.ae
