"""The deals API: list/filter/paginate, create, update, move, win, lose, history; precise 4xx."""

from __future__ import annotations

import pytest

from accord.contacts.models import Company, Contact
from accord.sales import actions, pipeline_actions
from accord.sales.models import Deal
from accord.sales.tests.fixtures import customer_setup, stage

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_pipelines_list_with_stages(pipeline, ae, api_client_for):
    body = api_client_for(ae).get("/api/sales/pipelines").json()
    assert [p["name"] for p in body] == ["New business"]
    assert [s["name"] for s in body[0]["stages"]][:2] == ["Qualification", "Discovery"]
    assert body[0]["stages"][0]["probability"] == 10


def test_create_update_move_win_through_the_api(pipeline, ae, api_client_for):
    data = customer_setup()
    api = api_client_for(ae)
    response = api.post(
        "/api/sales/deals",
        {"name": "Acme", "amount": "5000.00", "contact": data["contact"].pk},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    deal = response.json()
    assert (deal["owner_id"], deal["company_id"], deal["stage_id"]) == (
        ae.pk, data["company"].pk, stage(pipeline, "Qualification").pk,
    )  # fmt: skip
    url = f"/api/sales/deals/{deal['id']}"
    assert api.patch(url, {"amount": "6000"}, content_type=JSON).json()["amount"] == "6000.00"
    assert api.patch(url, {"stage": 3}, content_type=JSON).status_code == 422  # unknown field
    assert api.patch(url, {"name": None}, content_type=JSON).status_code == 422
    moved = api.post(url + "/move", {"stage": stage(pipeline, "Demo").pk}, content_type=JSON)
    assert moved.status_code == 200 and moved.json()["stage_id"] == stage(pipeline, "Demo").pk
    assert api.post(url + "/win", {"reason": ""}, content_type=JSON).status_code == 422
    won = api.post(url + "/win", {"reason": "Signed"}, content_type=JSON)
    assert won.status_code == 200 and won.json()["status"] == "won"
    assert Contact.objects.get(pk=data["contact"].pk).lifecycle_stage == "customer"
    assert Company.objects.get(pk=data["company"].pk).lifecycle_stage == "customer"
    again = api.post(url + "/move", {"stage": stage(pipeline, "Demo").pk}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "deal_closed"
    history = api.get(url + "/history").json()
    assert [h["to_stage_id"] for h in history] == [
        stage(pipeline, n).pk for n in ("Qualification", "Demo", "Closed won")
    ]
    assert history[-1]["seconds_in_stage"] is None and history[0]["seconds_in_stage"] >= 0


def test_lose_needs_reason_and_competitor(pipeline, ae, api_client_for, competitor):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    api = api_client_for(ae)
    url = f"/api/sales/deals/{deal.pk}/lose"
    response = api.post(url, {"reason": "Price"}, content_type=JSON)
    assert response.status_code == 422 and "competitor" in response.json()["field_errors"]
    response = api.post(url, {"reason": "Price", "competitor": 999999}, content_type=JSON)
    assert response.status_code == 422 and response.json()["field_errors"]["competitor"]
    response = api.post(url, {"competitor": competitor.pk}, content_type=JSON)
    assert response.status_code == 422 and "reason" in response.json()["field_errors"]
    assert Deal.objects.get(pk=deal.pk).status == "open"
    response = api.post(url, {"reason": "Price", "competitor": competitor.pk}, content_type=JSON)
    assert response.status_code == 200 and response.json()["competitor_id"] == competitor.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, None),
        ({"name": "x", "amount": "-1"}, "amount"),
        ({"name": "x", "amount": "abc"}, "amount"),
        ({"name": "x", "pipeline": 999999}, "pipeline"),
        ({"name": "x", "owner": 999999}, "owner"),
        ({"name": "x", "currency": "EURO"}, "currency"),
        ({"name": "x", "expected_close": "tomorrow"}, "expected_close"),
        ({"name": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_deal_input_is_422(pipeline, ae, api_client_for, body, field):
    response = api_client_for(ae).post("/api/sales/deals", body, content_type=JSON)
    assert response.status_code == 422, response.content
    if field:
        assert field in response.json()["field_errors"]
    assert not Deal.objects.exists()


def test_closing_stage_on_create_and_other_pipeline_move(pipeline, ae, api_client_for):
    api = api_client_for(ae)
    won = stage(pipeline, "Closed won").pk
    assert api.post("/api/sales/deals", {"name": "x", "stage": won}, content_type=JSON).status_code == 422
    other = pipeline_actions.create_pipeline("Upsell")
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    foreign = other.stages.get(position=1).pk
    assert (
        api.post(f"/api/sales/deals/{deal.pk}/move", {"stage": foreign}, content_type=JSON).status_code == 422
    )
    assert api.post("/api/sales/deals/999999/move", {"stage": won}, content_type=JSON).status_code == 404
    assert api.get("/api/sales/deals/999999").status_code == 404


def test_list_filters_and_paginates(pipeline, ae, ae2, api_client_for):
    for i in range(5):
        actions.create_deal(name=f"Alpha {i}", pipeline=pipeline, amount=100 * i, owner=ae)
    actions.create_deal(name="Beta", pipeline=pipeline, owner=ae2)
    api = api_client_for(ae)
    page = api.get("/api/sales/deals?page_size=2&sort=-amount").json()
    assert page["count"] == 6 and len(page["items"]) == 2 and page["items"][0]["name"] == "Alpha 4"
    assert page["next"]
    assert api.get("/api/sales/deals?mine=true").json()["count"] == 5
    assert api.get(f"/api/sales/deals?owner={ae2.pk}").json()["count"] == 1
    assert api.get("/api/sales/deals?q=beta").json()["count"] == 1
    assert api.get("/api/sales/deals?status=won").json()["count"] == 0
    assert api.get("/api/sales/deals?status=bogus").status_code == 422
    assert api.get("/api/sales/deals?sort=bogus").status_code == 422
    assert api.get("/api/sales/deals?page_size=0").status_code == 422
