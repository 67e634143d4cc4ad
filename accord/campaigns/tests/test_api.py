"""/api/campaigns: CRUD, costs, tracking links and mentions through the router, with the project's
error body, pagination and permissions (mounted by ``tests/api_mount.py`` as accord/api.py does)."""

from __future__ import annotations

from datetime import date

import pytest

from accord.accounts.models import Role
from accord.campaigns import actions
from accord.campaigns.models import BrandMention, Campaign, CampaignCost, TrackingLink

pytestmark = pytest.mark.django_db
JSON = "application/json"
BASE = "/api/campaigns"
FIELDS = {"id", "name", "channel", "status", "utm_source", "utm_medium", "utm_campaign", "budget", "spent",
          "start_date", "end_date", "owner_id", "description", "created_at", "updated_at", "url"}  # fmt: skip


@pytest.fixture
def api(api_client_for, marketer):
    return api_client_for(marketer)


@pytest.fixture
def sdr_api(api_client_for, sdr):
    return api_client_for(sdr)


# ---------------------------------------------------------------- campaigns
def test_create_returns_the_campaign(api, marketer):
    response = api.post(
        BASE,
        {"name": " Spring push ", "channel": "social", "budget": "1500.5", "start_date": "2026-03-01",
         "end_date": "2026-03-31", "utm_campaign": "spring"},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    campaign = Campaign.objects.get()
    assert set(body) == FIELDS
    assert body["id"] == campaign.pk and body["name"] == "Spring push"
    assert (body["budget"], body["spent"], body["status"], body["owner_id"]) == (
        "1500.50",
        "0.00",
        "planned",
        marketer.pk,
    )
    assert body["url"] == f"http://testserver/campaigns/{campaign.pk}/"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "channel": "telepathy"}, "channel"),
        ({"name": "", "channel": "email"}, "name"),
        ({"channel": "email"}, "name"),
        ({"name": "X", "channel": "email", "budget": -1}, "budget"),
        ({"name": "X", "channel": "email", "budget": "1.001"}, "budget"),
        ({"name": "X", "channel": "email", "colour": "red"}, "colour"),
        ({"name": "X", "channel": "email", "owner_id": 999999}, "owner_id"),
        ({"name": "X\x00", "channel": "email"}, "name"),
        ({"name": "X", "channel": "email", "start_date": "2026-05-02", "end_date": "2026-05-01"}, "end_date"),
    ],
)
def test_create_refuses_invalid_input_with_field_errors(api, payload, field):
    response = api.post(BASE, payload, content_type=JSON)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and field in body["field_errors"], body
    assert not Campaign.objects.exists()


def test_list_filters_and_paginates(api, make_campaign):
    for n in range(5):
        make_campaign(name=f"Email {n}", channel="email")
    make_campaign(name="Booth", channel="event", status="active", utm_campaign="booth-26")
    response = api.get(BASE, {"channel": "email", "page_size": 2, "page": 2})
    body = response.json()
    assert response.status_code == 200
    assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (5, 2, 2, 2)
    assert body["next"].endswith("page=3") and "page=1" in body["previous"]
    assert [i["name"] for i in api.get(BASE, {"q": "booth-26"}).json()["items"]] == ["Booth"]
    assert api.get(BASE, {"status": "active"}).json()["count"] == 1
    assert api.get(BASE, {"channel": "nope"}).status_code == 422
    assert api.get(BASE, {"page": 99}).json()["items"] == []


def test_get_patch_delete(api, campaign):
    actions.add_cost(campaign, date=date(2026, 3, 2), amount="12.50")
    item = f"{BASE}/{campaign.pk}"
    assert api.get(item).json()["spent"] == "12.50"
    patched = api.patch(item, {"status": "paused", "budget": 20000, "end_date": None}, content_type=JSON)
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["budget"], patched.json()["end_date"]) == (
        "paused",
        "20000.00",
        None,
    )
    assert api.patch(item, {"name": None}, content_type=JSON).status_code == 422
    assert api.patch(item, {"end_date": "2020-01-01"}, content_type=JSON).json()["field_errors"].keys() == {
        "end_date"
    }
    assert api.delete(item).status_code == 204
    assert api.get(item).status_code == 404
    assert api.get(item).json()["code"] == "not_found"


def test_sales_read_but_do_not_write(sdr_api, campaign):
    assert sdr_api.get(BASE).status_code == 200
    assert sdr_api.get(f"{BASE}/{campaign.pk}").status_code == 200
    denied = [
        sdr_api.post(BASE, {"name": "X", "channel": "email"}, content_type=JSON),
        sdr_api.patch(f"{BASE}/{campaign.pk}", {"name": "Hijacked"}, content_type=JSON),
        sdr_api.delete(f"{BASE}/{campaign.pk}"),
        sdr_api.post(f"{BASE}/{campaign.pk}/costs", {"date": "2026-03-01", "amount": 1}, content_type=JSON),
        sdr_api.post(f"{BASE}/{campaign.pk}/links", {"destination": "https://accord.test/"}, content_type=JSON),
        sdr_api.post(f"{BASE}/mentions", {"mentions": [{"channel": "pr", "source": "X", "occurred_at": "2026-03-01"}]},
                     content_type=JSON),
    ]  # fmt: skip
    assert [r.status_code for r in denied] == [403] * 6
    assert all(r.json()["code"] == "forbidden" for r in denied)
    campaign.refresh_from_db()
    assert campaign.name == "Spring search push"


def test_marketers_change_only_their_own(api_client_for, make_user, campaign):
    other = api_client_for(make_user(Role.MARKETER))
    assert other.patch(f"{BASE}/{campaign.pk}", {"name": "Mine"}, content_type=JSON).status_code == 403
    assert other.post(BASE, {"name": "Own", "channel": "email"}, content_type=JSON).status_code == 201


def test_no_key_is_401(client):
    response = client.get(BASE)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_deleting_a_campaign_with_conversions_is_409(api, affiliate_campaign):
    partner = actions.create_affiliate(name="Ledger & Co")
    actions.create_affiliate_link(affiliate_campaign, partner, destination="https://accord.test/")
    actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="100")
    response = api.delete(f"{BASE}/{affiliate_campaign.pk}")
    assert response.status_code == 409 and response.json()["code"] == "campaign_has_conversions"


# ---------------------------------------------------------------- costs
def test_costs(api, campaign):
    url = f"{BASE}/{campaign.pk}/costs"
    created = api.post(url, {"date": "2026-03-02", "amount": 99.95, "category": "tools", "note": "CRM"},
                       content_type=JSON)  # fmt: skip
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("amount", "category", "note", "date")} == {
        "amount": "99.95", "category": "tools", "note": "CRM", "date": "2026-03-02",
    }  # fmt: skip
    api.post(url, {"date": "2026-04-02", "amount": "1"}, content_type=JSON)
    listed = api.get(url).json()
    assert listed["count"] == 2 and [i["date"] for i in listed["items"]] == ["2026-04-02", "2026-03-02"]
    assert api.get(url, {"start": "2026-04-01"}).json()["count"] == 1
    bad = api.post(url, {"date": "2026-03-02", "amount": -1}, content_type=JSON)
    assert bad.status_code == 422 and "amount" in bad.json()["field_errors"]
    assert (
        api.post(f"{BASE}/999999/costs", {"date": "2026-03-02", "amount": 1}, content_type=JSON).status_code
        == 404
    )
    assert CampaignCost.objects.count() == 2
    assert api.get(f"{BASE}/{campaign.pk}").json()["spent"] == "100.95"


# ---------------------------------------------------------------- links
def test_links(api, client, campaign):
    url = f"{BASE}/{campaign.pk}/links"
    created = api.post(
        url, {"destination": "https://accord.test/pricing", "label": "Pricing"}, content_type=JSON
    )
    assert created.status_code == 201
    body = created.json()
    link = TrackingLink.objects.get()
    assert body["short_url"] == f"http://testserver/l/{link.code}"
    assert (
        body["destination"]
        == "https://accord.test/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring-push"
    )
    assert body["clicks"] == 0
    client.get(f"/l/{link.code}")
    listed = api.get(url).json()
    assert (
        listed["count"] == 1
        and listed["items"][0]["clicks"] == 1
        and listed["items"][0]["unique_clicks"] == 1
    )


@pytest.mark.parametrize(
    "destination", ["javascript:alert(1)", "//evil.test", "data:text/html,x", "https://a@evil.test"]
)
def test_unsafe_link_destinations_are_422(api, campaign, destination):
    response = api.post(f"{BASE}/{campaign.pk}/links", {"destination": destination}, content_type=JSON)
    assert response.status_code == 422 and "destination" in response.json()["field_errors"]
    assert not TrackingLink.objects.exists()


# ---------------------------------------------------------------- mentions
def mention(**fields):
    return {"channel": "news", "source": "Reuters", "occurred_at": "2026-03-04T10:00:00Z", **fields}


def test_mention_ingest_is_idempotent(api, campaign):
    payload = {"mentions": [mention(external_id="r-1", campaign_id=campaign.pk, reach=1000),
                            mention(external_id="r-2", url="https://news.test/x", sentiment=-1)]}  # fmt: skip
    first = api.post(f"{BASE}/mentions", payload, content_type=JSON)
    assert first.status_code == 200 and first.json() == {"created": 2, "duplicates": 0}
    again = api.post(f"{BASE}/mentions", payload, content_type=JSON)
    assert again.json() == {"created": 0, "duplicates": 2}
    assert BrandMention.objects.count() == 2
    listed = api.get(f"{BASE}/mentions", {"campaign_id": campaign.pk}).json()
    assert (
        listed["count"] == 1
        and listed["items"][0]["external_id"] == "r-1"
        and listed["items"][0]["reach"] == 1000
    )
    counts = api.get(f"{BASE}/mentions/counts", {"period": "month"}).json()
    assert counts == [{"period": "2026-03-01", "count": 2, "reach": 1000, "positive": 0, "negative": 1}]


def test_a_bad_mention_stores_none_and_names_the_row(api):
    payload = {"mentions": [mention(external_id="ok"), mention(external_id="bad", campaign_id=424242),
                            mention(external_id="bad-url", url="javascript:alert(1)")]}  # fmt: skip
    response = api.post(f"{BASE}/mentions", payload, content_type=JSON)
    assert response.status_code == 422
    assert set(response.json()["field_errors"]) == {"mentions.1.campaign_id", "mentions.2.url"}
    assert not BrandMention.objects.exists()
    schema = api.post(f"{BASE}/mentions", {"mentions": [mention(channel="tv", extra=1)]}, content_type=JSON)
    assert schema.status_code == 422
    assert {"mentions.0.channel", "mentions.0.extra"} <= set(schema.json()["field_errors"])
    assert api.post(f"{BASE}/mentions", {"mentions": []}, content_type=JSON).status_code == 422


def test_openapi_documents_the_router():
    from accord.campaigns.tests.api_mount import api as test_api

    schema = test_api.get_openapi_schema()
    paths = schema["paths"]
    assert {"/api/campaigns", "/api/campaigns/{campaign_id}", "/api/campaigns/{campaign_id}/costs",
            "/api/campaigns/{campaign_id}/links", "/api/campaigns/mentions", "/api/campaigns/mentions/counts"} <= set(paths)  # fmt: skip
    responses = paths["/api/campaigns"]["post"]["responses"]
    assert "ErrorOut" in str(responses.get(422) or responses.get("422"))
    out = schema["components"]["schemas"]["CampaignOut"]["properties"]
    assert out["budget"]["type"] == "string" and out["spent"]["format"] == "decimal"
