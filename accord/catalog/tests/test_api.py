"""The catalog REST API: products with positioning, price lists, competitors with battle cards."""

from __future__ import annotations

from typing import Any

import pytest

from accord.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def send(client: Any, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def manager(users: dict[str, User], api_client_for: Any) -> Any:
    return api_client_for(users[Role.MARKETING_MANAGER])


def test_products_create_search_update_and_positioning(manager: Any) -> None:
    response = send(manager, "post", "/api/catalog/products", {
        "name": "Platform", "sku": "plat-1", "unit_price": "1200.50", "kind": "subscription", "category": "Core",
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    product = response.json()
    assert (
        product["sku"] == "PLAT-1"
        and product["unit_price"] == "1200.50"
        and product["positioning"]["price"] == ""
    )
    send(
        manager,
        "post",
        "/api/catalog/products",
        {"name": "Add-on", "sku": "ADD", "unit_price": 10, "active": False},
    )
    assert [p["name"] for p in manager.get("/api/catalog/products?q=core").json()["items"]] == ["Platform"]
    assert [p["name"] for p in manager.get("/api/catalog/products?active=false").json()["items"]] == [
        "Add-on"
    ]

    url = f"/api/catalog/products/{product['id']}"
    assert send(manager, "patch", url, {"unit_price": "1300"}).json()["unit_price"] == "1300.00"
    card = {"product_text": "Workflow <automation>", "price": "Per seat", "place": "Direct", "promotion": "Webinars",
            "people": "AEs", "process": "Trial → paid", "physical_evidence": "Case studies"}  # fmt: skip
    assert send(manager, "put", f"{url}/positioning", card).status_code == 200
    assert manager.get(url).json()["positioning"]["product_text"] == "Workflow <automation>"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit_price": "-1"}, "unit_price"),
        ({"unit_price": "1.234"}, "unit_price"),
        ({"currency": "usd1"}, "currency"),
        ({"currency": "U1D"}, "currency"),
        ({"kind": "forever"}, "kind"),
        ({"name": ""}, "name"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_product_input_is_422(manager: Any, body: dict[str, Any], field: str) -> None:
    base = {"name": "P", "sku": "P1", "unit_price": "1"}
    response = send(manager, "post", "/api/catalog/products", {**base, **body})
    assert response.status_code == 422, response.json()
    assert field in response.json()["field_errors"]


def test_duplicate_sku_is_422_and_unknown_product_404(manager: Any) -> None:
    send(manager, "post", "/api/catalog/products", {"name": "A", "sku": "DUP", "unit_price": 1})
    response = send(manager, "post", "/api/catalog/products", {"name": "B", "sku": "dup", "unit_price": 1})
    assert response.status_code == 422 and "sku" in response.json()["field_errors"]
    assert manager.get("/api/catalog/products/99999").status_code == 404


def test_price_lists_one_default_and_prices(manager: Any) -> None:
    product = send(
        manager, "post", "/api/catalog/products", {"name": "A", "sku": "A", "unit_price": 100}
    ).json()
    first = send(manager, "post", "/api/catalog/price-lists", {"name": "US", "is_default": True}).json()
    second = send(
        manager, "post", "/api/catalog/price-lists", {"name": "EU", "currency": "eur", "is_default": True}
    )
    assert second.status_code == 201 and second.json()["currency"] == "EUR"
    assert manager.get(f"/api/catalog/price-lists/{first['id']}").json()["is_default"] is False
    url = f"/api/catalog/price-lists/{second.json()['id']}/prices/{product['id']}"
    assert send(manager, "put", url, {"unit_price": "90.00"}).json()["unit_price"] == "90.00"
    assert send(manager, "put", url, {"unit_price": "-2"}).status_code == 422
    detail = manager.get(f"/api/catalog/price-lists/{second.json()['id']}").json()
    assert detail["prices"] == [{"product_id": product["id"], "product_name": "A", "unit_price": "90.00"}]
    response = send(manager, "patch", f"/api/catalog/price-lists/{second.json()['id']}", {"currency": "GBP"})
    assert response.status_code == 422 and "currency" in response.json()["field_errors"]
    assert manager.delete(url).status_code == 204
    assert manager.delete(url).status_code == 404


def test_competitors_and_battle_cards(manager: Any) -> None:
    body = {
        "name": "Rival", "website": "https://rival.example",
        "battle_card": {"strengths": "Cheap", "weaknesses": "No SSO", "how_to_win": "Security review",
                        "objections": [{"objection": "Too pricey", "answer": "Lower TCO"}]},
    }  # fmt: skip
    response = send(manager, "post", "/api/catalog/competitors", body)
    assert response.status_code == 201, response.json()
    competitor = response.json()
    assert competitor["battle_card"]["objections"] == [{"objection": "Too pricey", "answer": "Lower TCO"}]
    url = f"/api/catalog/competitors/{competitor['id']}"
    bad = send(manager, "put", f"{url}/battle-card", {"objections": [{"objection": "Half", "answer": " "}]})
    assert bad.status_code == 422 and "objections.0.answer" in bad.json()["field_errors"]
    assert manager.get(f"{url}/battle-card").json()["how_to_win"] == "Security review"  # unchanged
    assert send(manager, "patch", url, {"website": "not a url"}).status_code == 422
    assert send(manager, "patch", url, {"summary": "EU vendor"}).json()["summary"] == "EU vendor"


def test_everyone_reads_only_managers_change(users: dict[str, User], api_client_for: Any) -> None:
    for role in (Role.MARKETER, Role.SDR, Role.ACCOUNT_EXECUTIVE):
        client = api_client_for(users[role])
        assert client.get("/api/catalog/products").status_code == 200
        assert client.get("/api/catalog/competitors").status_code == 200
        response = send(client, "post", "/api/catalog/products", {"name": "X", "sku": "X", "unit_price": 1})
        assert response.status_code == 403
    for role in (Role.SALES_MANAGER, Role.ADMIN):
        response = send(
            api_client_for(users[role]), "post", "/api/catalog/competitors", {"name": f"C {role}"}
        )
        assert response.status_code == 201
