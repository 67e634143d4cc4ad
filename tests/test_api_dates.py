"""Date-times near the ends of the range are refused with a 422 naming the field, never a 500.

Converting ``9999-12-31T23:59:59-12:00`` or ``0001-01-01T00:00:00+14:00`` to UTC overflows, and
Django does that on every save and filter. Every date-time the API takes is an
:data:`accord.core.api_support.ApiDateTime`: aware (no zone means UTC) and between the years 1900
and 9998. The fields are found by walking the OpenAPI document (request bodies and query
parameters with ``format: date-time``), so a new endpoint with a raw ``datetime`` fails here.

Plain dates are not bounded: nothing converts or shifts them, and the last test shows the
extremes are stored and read back without an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role, Team, User
from accord.core.api_support import MAX_YEAR, MIN_YEAR
from accord.sales.actions import create_deal
from accord.sales.models import Deal
from accord.sales.pipeline_actions import create_pipeline

pytestmark = pytest.mark.django_db

MESSAGE = f"Use a date and time between the years {MIN_YEAR} and {MAX_YEAR}."
# In UTC these are before year 1 or after year 9999: the conversion itself overflows.
EXTREMES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]
# Without a zone a value is UTC: these convert, but lie outside the years the API takes.
NAIVE_EXTREMES = ["9999-12-31T23:59:59", "0001-01-01T00:00:00"]
# Just inside and just outside the bounds, as sent and in UTC.
INSIDE = ["1900-01-01T00:00:00Z", "9998-12-31T23:59:59.999999Z", "1900-01-01T10:00:00+09:00"]
OUTSIDE = [
    "1899-12-31T23:59:59Z",
    "9999-01-01T00:00:00Z",
    "1900-01-01T08:00:00+09:00",  # 1899 in UTC
    "9998-12-31T23:00:00-12:00",  # 9999 in UTC
    "9999-01-01T05:00:00+14:00",  # 9998 in UTC, 9999 as sent
]


# ---------------------------------------------------------------- finding the fields
@dataclass(frozen=True)
class DateTimeInput:
    method: str
    path: str  # as in the OpenAPI document: /api/quotes/{quote_id}/negotiation
    where: str  # "query" or "body"
    field: tuple[str | int, ...]  # the field's path in the request: ("mentions", 0, "occurred_at")

    @property
    def name(self) -> str:
        """The key the error body uses in ``field_errors``."""
        return ".".join(str(part) for part in self.field)

    def send(self, client: Client, value: str) -> Any:
        url = re.sub(r"\{[^}]+\}", "1", self.path)  # the input is validated before any lookup
        if self.where == "query":
            return client.generic(self.method.upper(), f"{url}?{urlencode({self.name: value})}")
        body: Any = value
        for part in reversed(self.field):
            body = [body] if isinstance(part, int) else {part: body}
        return client.generic(self.method.upper(), url, json.dumps(body), content_type="application/json")


def _date_time_fields(
    schema: Any, components: dict[str, Any], at: tuple[str | int, ...] = ()
) -> Iterator[tuple[str | int, ...]]:
    """Paths of the ``format: date-time`` values in a JSON schema (refs, unions, objects, lists)."""
    pending: list[tuple[Any, tuple[str | int, ...], frozenset[str]]] = [(schema, at, frozenset())]
    while pending:
        node, path, refs = pending.pop()
        if not isinstance(node, dict):
            continue
        if "$ref" in node:
            ref = node["$ref"]
            if ref not in refs:  # a recursive schema is walked once along each path
                pending.append((components[ref.rsplit("/", 1)[-1]], path, refs | {ref}))
            continue
        if node.get("format") == "date-time":
            yield path
        for key in ("anyOf", "oneOf", "allOf"):
            pending.extend((option, path, refs) for option in node.get(key, []))
        for name, prop in node.get("properties", {}).items():
            pending.append((prop, (*path, name), refs))
        if "items" in node:
            pending.append((node["items"], (*path, 0), refs))


def discover(client: Client) -> list[DateTimeInput]:
    document = client.get("/api/openapi.json").json()
    components = document.get("components", {}).get("schemas", {})
    found: list[DateTimeInput] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for param in operation.get("parameters", []):
                if param["in"] == "query" and list(_date_time_fields(param.get("schema"), components)):
                    found.append(DateTimeInput(method, path, "query", (param["name"],)))
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                found.extend(
                    DateTimeInput(method, path, "body", field)
                    for field in _date_time_fields(media.get("schema"), components)
                )
    return sorted(set(found), key=lambda f: (f.path, f.method, f.name))


# Every date-time input, with a test below that a normal value works.
KNOWN = {
    ("post", "/api/sales/activities", "due_at"),
    ("post", "/api/campaigns/mentions", "mentions.0.occurred_at"),
    ("get", "/api/campaigns/mentions", "since"),
    ("get", "/api/campaigns/mentions", "until"),
    ("post", "/api/quotes/{quote_id}/negotiation", "at"),
}


def test_the_walk_finds_every_date_time_input_and_each_has_a_normal_value_test(admin_api: Client) -> None:
    found = {(f.method, f.path, f.name) for f in discover(admin_api)}
    assert found == KNOWN, "a new date-time input: type it ApiDateTime and add a normal-value test here"


# ---------------------------------------------------------------- the extremes
def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, (field, response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid" and body["message"] == "Some fields are not valid."
    assert MESSAGE in body["field_errors"].get(field, []), (field, body["field_errors"])


@pytest.mark.parametrize("value", EXTREMES + NAIVE_EXTREMES + OUTSIDE)
def test_every_date_time_input_refuses_values_outside_the_range_with_422(
    admin_api: Client, value: str
) -> None:
    inputs = discover(admin_api)
    assert len(inputs) >= len(KNOWN)
    for field in inputs:
        _refused(field.send(admin_api, value), field.name)


# ---------------------------------------------------------------- normal values still work
@pytest.fixture
def admin(users: dict[str, User]) -> User:
    return users[Role.ADMIN]


@pytest.fixture
def deal(admin: User) -> Deal:
    pipeline = create_pipeline("Sales", is_default=True)
    return create_deal(name="Acme platform", pipeline=pipeline, owner=admin)


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


MORNING = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "sent",
    ["2026-03-02T09:30:00+01:00", "2026-03-02T08:30:00Z", "2026-03-02T08:30:00"],
    ids=["offset", "utc", "naive"],
)
def test_activity_due_at_takes_a_normal_value(admin_api: Client, sent: str) -> None:
    from accord.sales.models import Activity

    response = _post(
        admin_api, "/api/sales/activities", {"kind": "task", "subject": "Call back", "due_at": sent}
    )
    assert response.status_code == 201, response.json()
    assert _instant(response.json()["due_at"]) == MORNING
    assert Activity.objects.get(pk=response.json()["id"]).due_at == MORNING


def test_activity_bounds_are_inclusive(admin_api: Client) -> None:
    for sent in INSIDE:
        response = _post(
            admin_api, "/api/sales/activities", {"kind": "task", "subject": "Edge", "due_at": sent}
        )
        assert response.status_code == 201, (sent, response.json())
    assert admin_api.get("/api/sales/activities").json()["count"] == len(INSIDE)


def test_mentions_take_normal_values_and_filter_by_since_and_until(admin_api: Client) -> None:
    from accord.campaigns.models import BrandMention

    mentions = [
        {
            "external_id": "a",
            "channel": "news",
            "source": "Daily",
            "occurred_at": "2026-03-02T09:30:00+01:00",
        },
        {"external_id": "b", "channel": "news", "source": "Daily", "occurred_at": "2026-03-03T08:30:00"},
    ]
    response = _post(admin_api, "/api/campaigns/mentions", {"mentions": mentions})
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "duplicates": 0}
    stored = dict(BrandMention.objects.values_list("external_id", "occurred_at"))
    assert stored == {"a": MORNING, "b": datetime(2026, 3, 3, 8, 30, tzinfo=UTC)}

    def listed(**query: str) -> list[str]:
        response = admin_api.get(f"/api/campaigns/mentions?{urlencode(query)}")
        assert response.status_code == 200, response.json()
        return [item["external_id"] for item in response.json()["items"]]

    assert listed(since="2026-03-02T09:30:00+01:00") == ["b", "a"]
    assert listed(since="2026-03-02T09:30:01+01:00") == ["b"]
    assert listed(until="2026-03-03T08:30:00") == ["a"]
    assert listed(since=INSIDE[0], until=INSIDE[1]) == ["b", "a"]


def test_a_refused_mention_stores_nothing(admin_api: Client) -> None:
    from accord.campaigns.models import BrandMention

    good = {"channel": "news", "source": "Daily", "occurred_at": "2026-03-02T08:30:00Z"}
    bad = {**good, "occurred_at": EXTREMES[1]}
    _refused(_post(admin_api, "/api/campaigns/mentions", {"mentions": [good, bad]}), "mentions.1.occurred_at")
    assert not BrandMention.objects.exists()


def test_negotiation_at_takes_a_normal_value(admin_api: Client, deal: Deal) -> None:
    from accord.quotes.models import NegotiationEntry

    quote = _post(admin_api, "/api/quotes", {"deal_id": deal.pk}).json()
    url = f"/api/quotes/{quote['id']}/negotiation"
    response = _post(admin_api, url, {"note": "Asked for 10% off", "at": "2026-03-02T09:30:00+01:00"})
    assert response.status_code == 201, response.json()
    assert _instant(response.json()["at"]) == MORNING
    _refused(_post(admin_api, url, {"note": "Too early", "at": EXTREMES[1]}), "at")
    assert [entry.at for entry in NegotiationEntry.objects.all()] == [MORNING]


# ---------------------------------------------------------------- plain dates: kept as sent
def _lead(make_user: Any) -> Any:
    from accord.contacts.actions import create_contact
    from accord.handoff import actions
    from accord.handoff.models import LeadAssignment
    from accord.handoff.routing import route_contacts

    team = Team.objects.create(name="Sales EMEA", kind=Team.Kind.SALES)
    sdr = make_user(Role.SDR, username="sdr_dates", team=team)
    actions.save_rep_profile(sdr, weight=1, capacity=100)
    actions.save_rule(None, name="France", team=team, conditions=[{"field": "country", "values": ["FR"]}])
    contact = create_contact(
        email="lead@prospect.example", first_name="Lead", last_name="One", country="FR", lifecycle_stage="mql"
    )
    route_contacts([contact.pk], now=datetime(2026, 3, 4, 10, 0, tzinfo=UTC))  # a Wednesday at work
    return LeadAssignment.objects.get(contact=contact)


# A quote may not expire in the past (a business rule, not a range error); the far future is fine.
@pytest.mark.parametrize(("day", "quote_status"), [("0001-01-01", 422), ("9999-12-31", 201)])
def test_extreme_plain_dates_are_stored_and_read_back(
    admin_api: Client, admin: User, deal: Deal, make_user: Any, day: str, quote_status: int
) -> None:
    web = Client()
    web.force_login(admin)
    campaign = _post(
        admin_api,
        "/api/campaigns",
        {"name": "Long one", "channel": "digital", "start_date": day, "end_date": day},
    )
    assert campaign.status_code == 201, campaign.json()
    assert campaign.json()["start_date"] == day and campaign.json()["end_date"] == day
    costs = f"/api/campaigns/{campaign.json()['id']}/costs"
    assert _post(admin_api, costs, {"date": day, "amount": "5"}).status_code == 201
    listed = admin_api.get(f"{costs}?{urlencode({'start': day, 'end': day})}")
    assert listed.status_code == 200 and [c["date"] for c in listed.json()["items"]] == [day]
    counts = admin_api.get(
        f"/api/campaigns/mentions/counts?{urlencode({'period': 'month', 'start': day, 'end': day})}"
    )
    assert counts.status_code == 200 and counts.json() == []
    assert web.get(reverse("campaigns:campaign_detail", args=[campaign.json()["id"]])).status_code == 200

    changed = admin_api.patch(
        f"/api/sales/deals/{deal.pk}", {"expected_close": day}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["expected_close"] == day
    forecast = admin_api.get("/api/sales/forecast")
    assert forecast.status_code == 200 and [m["month"] for m in forecast.json()] == [day[:8] + "01"]
    assert web.get(reverse("sales:deal_detail", args=[deal.pk])).status_code == 200

    lead = _lead(make_user)
    bant = admin_api.put(f"/api/leads/{lead.pk}/bant", {"timeline": day}, content_type="application/json")
    assert bant.status_code == 200 and bant.json()["timeline"] == day
    assert web.get(reverse("handoff:lead_detail", args=[lead.pk])).status_code == 200

    quote = _post(admin_api, "/api/quotes", {"deal_id": deal.pk, "valid_until": day})
    assert quote.status_code == quote_status, quote.json()
    if quote_status == 422:
        assert list(quote.json()["field_errors"]) == ["valid_until"]
    else:
        assert quote.json()["valid_until"] == day
        assert web.get(reverse("quotes:quote_detail", args=[quote.json()["id"]])).status_code == 200
