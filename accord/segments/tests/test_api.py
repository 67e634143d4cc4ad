"""The segments REST API, as mounted in accord/api.py: CRUD, live preview, members, rebuild, static lists, errors, permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accord.accounts.models import Role, User
from accord.contacts.actions import create_contact
from accord.contacts.models import Contact
from accord.segments.actions import create_segment, rebuild_segment
from accord.segments.models import Segment

pytestmark = pytest.mark.django_db

LEADS = {"field": "lifecycle_stage", "op": "in", "value": ["lead", "mql"]}


@pytest.fixture
def contacts(db: None) -> list[Contact]:
    stages = ["lead", "mql", "customer", "lead", "subscriber"]
    return [create_contact(email=f"api{i}@seg.test", lifecycle_stage=s) for i, s in enumerate(stages)]


@pytest.fixture
def admin(users: dict[str, User], api_client_for: Callable[[User], Any]) -> Any:
    return api_client_for(users[Role.ADMIN])


def post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def patch(client: Any, url: str, body: Any) -> Any:
    return client.patch(url, body, content_type="application/json")


def test_create_get_list_and_rebuild(
    admin: Any, contacts: list[Contact], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(admin, "/api/segments", {"name": "Leads", "filter": LEADS, "description": "Warm"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["filter"] == LEADS and body["kind"] == "dynamic"
    segment_id = body["id"]

    body = admin.get(f"/api/segments/{segment_id}").json()
    assert body["member_count"] == 3 and body["last_rebuilt_at"] and body["is_stale"] is False

    listing = admin.get("/api/segments").json()
    assert [s["name"] for s in listing["items"]] == ["Leads"] and listing["count"] == 1

    rebuilt = post(admin, f"/api/segments/{segment_id}/rebuild", {}).json()
    assert (rebuilt["added"], rebuilt["removed"], rebuilt["member_count"]) == (0, 0, 3)


def test_preview_counts_without_saving(admin: Any, contacts: list[Contact]) -> None:
    response = post(admin, "/api/segments/preview", {"filter": LEADS})
    assert response.status_code == 200
    assert response.json() == {"count": 3}
    assert post(admin, "/api/segments/preview", {"filter": {"and": []}}).json() == {"count": 5}
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    ("tree", "path"),
    [
        ({"field": "lifecycle_stage", "op": "in", "value": ["won"]}, "filter.value.0"),
        ({"and": [LEADS, {"field": "password", "op": "eq", "value": "x"}]}, "filter.and.1.field"),
        (
            {"field": "email", "op": "eq", "value": "'; DROP TABLE contacts_contact; --", "sql": "1"},
            "filter.sql",
        ),
        ({"in_segment": 999999}, "filter.in_segment"),
    ],
)
def test_bad_trees_are_422_with_the_path(admin: Any, tree: dict[str, Any], path: str) -> None:
    for response in (
        post(admin, "/api/segments/preview", {"filter": tree}),
        post(admin, "/api/segments", {"name": "Bad", "filter": tree}),
    ):
        assert response.status_code == 422, response.json()
        body = response.json()
        assert body["code"] == "invalid"
        assert path in body["field_errors"], body


def test_a_deeply_nested_tree_is_422_not_a_crash(admin: Any) -> None:
    tree: dict[str, Any] = LEADS
    for _ in range(50):
        tree = {"not": tree}
    response = post(admin, "/api/segments/preview", {"filter": tree})
    assert response.status_code == 422
    assert "nested too deeply" in response.json()["message"]


def test_unknown_body_fields_and_bad_json(admin: Any) -> None:
    assert post(admin, "/api/segments", {"name": "X", "colour": "red"}).status_code == 422
    response = admin.post("/api/segments/preview", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "malformed_json"


def test_update_and_delete(admin: Any, contacts: list[Contact]) -> None:
    segment_id = post(admin, "/api/segments", {"name": "Leads", "filter": LEADS}).json()["id"]
    response = patch(
        admin,
        f"/api/segments/{segment_id}",
        {"name": "Customers", "filter": {"field": "lifecycle_stage", "op": "eq", "value": "customer"}},
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Customers" and response.json()["is_stale"] is True
    user_id = post(admin, "/api/segments", {"name": "Uses it", "filter": {"in_segment": segment_id}}).json()[
        "id"
    ]

    cycle = patch(admin, f"/api/segments/{segment_id}", {"filter": {"in_segment": user_id}})
    assert cycle.status_code == 422 and "loop" in cycle.json()["message"]
    in_use = admin.delete(f"/api/segments/{segment_id}")
    assert in_use.status_code == 409 and in_use.json()["code"] == "segment_in_use"

    assert admin.delete(f"/api/segments/{user_id}").status_code == 204
    assert admin.delete(f"/api/segments/{segment_id}").status_code == 204
    assert admin.get(f"/api/segments/{segment_id}").status_code == 404


def test_duplicate_names_are_409(admin: Any) -> None:
    assert post(admin, "/api/segments", {"name": "Leads"}).status_code == 201
    response = post(admin, "/api/segments", {"name": "LEADS"})
    assert response.status_code == 409 and response.json()["code"] == "duplicate_name"


def test_members_are_paginated(admin: Any, contacts: list[Contact]) -> None:
    segment = create_segment(name="Everyone")
    rebuild_segment(segment)
    page = admin.get(f"/api/segments/{segment.pk}/members?page_size=2").json()
    assert page["count"] == 5 and len(page["items"]) == 2 and page["next"]
    assert set(page["items"][0]) == {
        "contact_id",
        "email",
        "first_name",
        "last_name",
        "lifecycle_stage",
        "added_at",
    }
    assert page["items"][0]["email"] == contacts[0].email
    last = admin.get(f"/api/segments/{segment.pk}/members?page_size=2&page=3").json()
    assert len(last["items"]) == 1 and last["next"] is None


def test_static_list_members(admin: Any, contacts: list[Contact]) -> None:
    list_id = post(admin, "/api/segments", {"name": "Picked", "kind": "static"}).json()["id"]
    ids = [c.pk for c in contacts[:3]]
    added = post(admin, f"/api/segments/{list_id}/members", {"contact_ids": ids}).json()
    assert added == {"changed": 3, "member_count": 3}
    removed = post(admin, f"/api/segments/{list_id}/members/remove", {"contact_ids": ids[:1]}).json()
    assert removed == {"changed": 1, "member_count": 2}
    unknown = post(admin, f"/api/segments/{list_id}/members", {"contact_ids": [10**9]})
    assert unknown.status_code == 422
    dynamic = create_segment(name="Dynamic")
    refused = post(admin, f"/api/segments/{dynamic.pk}/members", {"contact_ids": ids})
    assert refused.status_code == 422 and refused.json()["code"] == "not_a_static_list"


def test_fields_lists_the_allow_list(admin: Any) -> None:
    fields = {f["key"]: f for f in admin.get("/api/segments/fields").json()}
    assert {"email", "lifecycle_stage", "owner", "company.size", "created_at"} <= set(fields)
    assert [o["op"] for o in fields["lifecycle_stage"]["operators"]] == ["eq", "neq", "in", "not_in"]
    assert "lead" in fields["lifecycle_stage"]["choices"]


def test_authentication_and_permissions(
    users: dict[str, User],
    make_user: Callable[..., User],
    api_client_for: Callable[[User], Any],
    client: Any,
    contacts: list[Contact],
) -> None:
    assert client.get("/api/segments").status_code == 401
    assert (
        client.post("/api/segments/preview", {"filter": LEADS}, content_type="application/json").status_code
        == 401
    )
    owner = users[Role.SDR]
    own = create_segment(name="Mine", owner=owner)
    other = create_segment(name="Not mine", owner=users[Role.MARKETER])
    sdr = api_client_for(owner)
    assert sdr.get("/api/segments").status_code == 200
    assert post(sdr, "/api/segments/preview", {"filter": LEADS}).status_code == 200
    assert patch(sdr, f"/api/segments/{own.pk}", {"name": "Still mine"}).status_code == 200
    denied = patch(sdr, f"/api/segments/{other.pk}", {"name": "Taken"})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    another_marketer = api_client_for(make_user(Role.MARKETER))
    assert (
        another_marketer.delete(f"/api/segments/{other.pk}").status_code == 403
    )  # marketers delete only their own segments
    assert Segment.objects.filter(pk=other.pk).exists()
