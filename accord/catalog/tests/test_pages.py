"""Catalog pages: lists with search and empty states, forms through the actions, permissions."""

from __future__ import annotations

from typing import Any

import pytest

from accord.accounts.models import Role, User
from accord.catalog import actions
from accord.catalog.models import BattleCard, Product

pytestmark = pytest.mark.django_db


def test_product_list_search_pagination_and_empty_state(users: dict[str, User], client: Any) -> None:
    client.force_login(users[Role.SDR])
    page = client.get("/catalog/products/").content.decode()
    assert "No products yet" in page and "Add the first product" not in page  # SDRs cannot add
    for i in range(30):
        actions.create_product(
            name=f"Product {i:02d}", sku=f"P{i}", unit_price="10", category="Add-on" if i % 2 else "Core"
        )
    page = client.get("/catalog/products/").content.decode()
    assert "Product 00" in page and "Product 29" not in page and "Next" in page
    page = client.get("/catalog/products/?page=2").content.decode()
    assert "Product 29" in page
    partial = client.get("/catalog/products/?q=P13", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "Product 13" in partial and "Product 12" not in partial
    assert "No products match" in client.get("/catalog/products/?q=zzz").content.decode()


def test_manager_creates_product_and_positioning_ae_cannot(users: dict[str, User], client: Any) -> None:
    client.force_login(users[Role.ACCOUNT_EXECUTIVE])
    assert client.get("/catalog/products/new/").status_code == 403
    client.force_login(users[Role.MARKETING_MANAGER])
    response = client.post("/catalog/products/new/", {
        "name": "Platform", "sku": "plat", "kind": "subscription", "unit_price": "-5", "currency": "USD",
    })  # fmt: skip
    assert response.status_code == 422 and not Product.objects.exists()
    response = client.post("/catalog/products/new/", {
        "name": "Platform", "sku": "plat", "kind": "subscription", "unit_price": "1200", "currency": "USD",
        "active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    product = Product.objects.get()
    assert product.sku == "PLAT"
    fields = {"product_text": "<b>Automation</b>", "price": "Per seat", "place": "", "promotion": "",
              "people": "", "process": "", "physical_evidence": "G2 badges"}  # fmt: skip
    assert client.post(f"/catalog/products/{product.pk}/positioning/", fields).status_code == 302
    page = client.get(f"/catalog/products/{product.pk}/").content.decode()
    assert "&lt;b&gt;Automation&lt;/b&gt;" in page and "G2 badges" in page and "Physical evidence" in page


def test_competitor_form_saves_battle_card_with_objection_rows(users: dict[str, User], client: Any) -> None:
    client.force_login(users[Role.SALES_MANAGER])
    data = {"name": "Rival", "website": "rival.example", "strengths": "Cheap", "weaknesses": "", "how_to_win": "ROI",
            "objection": ["Too expensive", "", "Half"], "answer": ["TCO", "", ""]}  # fmt: skip
    response = client.post("/catalog/competitors/new/", data)
    assert response.status_code == 422 and "Write how to answer this objection." in response.content.decode()
    data["objection"] = ["Too expensive", "", ""]
    response = client.post("/catalog/competitors/new/", data)
    assert response.status_code == 302
    card = BattleCard.objects.get()
    assert card.objections == [{"objection": "Too expensive", "answer": "TCO"}]
    assert card.competitor.website == "https://rival.example"
    client.force_login(users[Role.MARKETER])
    page = client.get(response.url).content.decode()
    assert "Too expensive" in page and "Edit battle card" not in page
    assert client.post(f"/catalog/competitors/{card.competitor_id}/edit/", data).status_code == 403


def test_price_list_page_sets_prices(users: dict[str, User], client: Any) -> None:
    product = actions.create_product(name="A", sku="A", unit_price="100")
    price_list = actions.create_price_list(name="Partners", currency="USD", is_default=True)
    client.force_login(users[Role.SALES_MANAGER])
    response = client.post(
        f"/catalog/price-lists/{price_list.pk}/", {"product": product.pk, "unit_price": "80"}
    )
    assert response.status_code == 302
    page = client.get(f"/catalog/price-lists/{price_list.pk}/").content.decode()
    assert "80.00 USD" in page
    assert "Partners" in client.get("/catalog/price-lists/").content.decode()
    client.force_login(users[Role.ACCOUNT_EXECUTIVE])
    assert (
        client.post(
            f"/catalog/price-lists/{price_list.pk}/", {"product": product.pk, "unit_price": "1"}
        ).status_code
        == 403
    )
