"""The quotes REST API: the whole flow, precise 4xx for bad input, and permissions by role."""

from __future__ import annotations

from typing import Any

import pytest

from accord.quotes import actions
from accord.quotes.models import Quote
from accord.quotes.tests.fixtures import World, quote_with
from accord.sales.actions import win_deal

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: Any = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def test_full_flow_create_lines_send_negotiate_accept_sets_deal_amount(
    world: World, api_client_for: Any
) -> None:
    api = api_client_for(world.ae)
    response = post(api, "/api/quotes", {"deal_id": world.deal.pk, "title": "Year one"})
    assert response.status_code == 201, response.json()
    quote = response.json()
    assert quote["status"] == "draft" and quote["currency"] == "USD" and quote["owner_id"] == world.ae.pk
    url = f"/api/quotes/{quote['id']}"
    line = post(
        api, f"{url}/lines", {"product_id": world.platform.pk, "quantity": "3", "discount_percent": "10"}
    )
    assert line.status_code == 201, line.json()
    assert line.json()["unit_price"] == "1200.00" and line.json()["line_total"] == "3240.00"
    second = post(api, f"{url}/lines", {"product_id": world.addon.pk, "quantity": 2}).json()
    response = api.delete(f"{url}/lines/{second['id']}")
    assert response.status_code == 204
    entry = post(api, f"{url}/negotiation", {"note": "Asked for 3000", "counter_offer": "3000.00"})
    assert entry.status_code == 201 and entry.json()["counter_offer"] == "3000.00"
    assert post(api, f"{url}/send").json()["status"] == "sent"
    assert post(api, f"{url}/lines", {"product_id": world.addon.pk, "quantity": 1}).status_code == 409
    body = post(api, f"{url}/accept", {"set_deal_amount": True}).json()
    assert body["status"] == "accepted" and body["total"] == "3240.00"
    assert [n["note"] for n in body["negotiation"]] == ["Asked for 3000"]
    world.deal.refresh_from_db()
    assert str(world.deal.amount) == "3240.00"

    listed = api.get("/api/quotes?mine=true&status=accepted").json()
    assert [q["id"] for q in listed["items"]] == [quote["id"]]
    assert api.get("/api/quotes?status=draft").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.001"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "1", "discount_percent": "100.5"}, "discount_percent"),
        ({"quantity": "1", "discount_percent": "-1"}, "discount_percent"),
        ({"quantity": "1", "surprise": 1}, "surprise"),
    ],
)
def test_bad_line_input_is_422_with_the_field(
    world: World, api_client_for: Any, body: dict[str, Any], field: str
) -> None:
    quote = quote_with(world)
    response = post(
        api_client_for(world.ae), f"/api/quotes/{quote.pk}/lines", {"product_id": world.platform.pk, **body}
    )
    assert response.status_code == 422, response.json()
    assert field in response.json()["field_errors"]
    assert not quote.lines.exists()


def test_inactive_unknown_product_and_unknown_quote(world: World, api_client_for: Any) -> None:
    api = api_client_for(world.ae)
    quote = quote_with(world)
    response = post(api, f"/api/quotes/{quote.pk}/lines", {"product_id": world.retired.pk, "quantity": 1})
    assert response.status_code == 422 and "product_id" in response.json()["field_errors"]
    response = post(api, f"/api/quotes/{quote.pk}/lines", {"product_id": 999999, "quantity": 1})
    assert response.status_code == 404
    assert api.get("/api/quotes/999999").status_code == 404
    assert post(api, "/api/quotes", {"deal_id": 999999}).status_code == 404
    assert post(api, f"/api/quotes/{quote.pk}/send").json()["code"] == "quote_empty"
    assert post(api, f"/api/quotes/{quote.pk}/accept").status_code == 409  # not sent yet
    assert post(api, f"/api/quotes/{quote.pk}/negotiation", {"note": " "}).status_code == 422
    negative = post(api, f"/api/quotes/{quote.pk}/negotiation", {"note": "x", "counter_offer": "-5"})
    assert negative.status_code == 422 and "counter_offer" in negative.json()["field_errors"]


def test_quote_of_a_closed_deal_cannot_change(world: World, api_client_for: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "0"))
    win_deal(world.deal, by=world.ae, reason="Signed")
    api = api_client_for(world.ae)
    response = post(api, f"/api/quotes/{quote.pk}/lines", {"product_id": world.addon.pk, "quantity": 1})
    assert response.status_code == 409 and response.json()["code"] == "deal_closed"
    line = quote.lines.get()
    assert (
        api.patch(
            f"/api/quotes/{quote.pk}/lines/{line.pk}", {"quantity": 2}, content_type="application/json"
        ).status_code
        == 409
    )
    assert api.delete(f"/api/quotes/{quote.pk}/lines/{line.pk}").status_code == 409
    assert post(api, "/api/quotes", {"deal_id": world.deal.pk}).status_code == 409


def test_permissions_by_role(world: World, api_client_for: Any) -> None:
    # marketer: cannot even see quotes, nor create them
    marketer = api_client_for(world.marketer)
    assert post(marketer, "/api/quotes", {"deal_id": world.deal.pk}).status_code == 403
    assert marketer.get("/api/quotes").status_code == 403
    # SDR: read-only
    quote = quote_with(world, (world.platform, "1", "0"))
    sdr = api_client_for(world.sdr)
    assert sdr.get(f"/api/quotes/{quote.pk}").status_code == 200
    assert post(sdr, "/api/quotes", {"deal_id": world.deal.pk}).status_code == 403
    assert (
        post(sdr, f"/api/quotes/{quote.pk}/lines", {"product_id": world.addon.pk, "quantity": 1}).status_code
        == 403
    )
    # another AE: reads, cannot edit, cannot quote on a deal that is not theirs
    other = api_client_for(world.other_ae)
    assert other.get(f"/api/quotes/{quote.pk}").status_code == 200
    assert (
        post(
            other, f"/api/quotes/{quote.pk}/lines", {"product_id": world.addon.pk, "quantity": 1}
        ).status_code
        == 403
    )
    line = quote.lines.get()
    assert other.delete(f"/api/quotes/{quote.pk}/lines/{line.pk}").status_code == 403
    assert post(other, f"/api/quotes/{quote.pk}/send").status_code == 403
    assert post(other, "/api/quotes", {"deal_id": world.deal.pk}).status_code == 403
    assert post(other, "/api/quotes", {"deal_id": world.other_deal.pk}).status_code == 201
    # the sales manager changes anyone's quote
    manager = api_client_for(world.manager)
    assert (
        post(
            manager, f"/api/quotes/{quote.pk}/lines", {"product_id": world.addon.pk, "quantity": 1}
        ).status_code
        == 201
    )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and quote.lines.count() == 2


def test_pending_approvals_list_excludes_own_requests(world: World, api_client_for: Any) -> None:
    mine = quote_with(world, (world.platform, "1", "50"), owner=world.manager)
    actions.request_approval(mine, by=world.manager)
    theirs = quote_with(world, (world.platform, "1", "50"))
    actions.request_approval(theirs, by=world.ae)
    listed = api_client_for(world.manager).get("/api/quotes/approvals").json()
    assert [q["id"] for q in listed["items"]] == [theirs.pk]
    assert api_client_for(world.ae).get("/api/quotes/approvals").status_code == 403
