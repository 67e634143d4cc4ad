"""/api/contacts: create, read, update (fields and lifecycle stage), delete, list filters."""

from __future__ import annotations

from typing import Any

import pytest

from accord.accounts.models import Role
from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Contact, PropertyDefinition
from accord.lifecycle.models import StageChange

pytestmark = pytest.mark.django_db

JSON = "application/json"
FIELDS = {"email", "first_name", "last_name", "phone", "title", "country", "company_id", "owner_id",
          "lifecycle_stage", "properties", "created_at", "updated_at", "url", "id"}  # fmt: skip


def snapshot() -> list[dict[str, Any]]:
    """Every contact and stage-history row, to prove a failed write left nothing behind."""
    contacts = [dict(row) for row in Contact.objects.order_by("pk").values()]
    return contacts + [dict(row) for row in StageChange.objects.order_by("pk").values()]


def test_create_returns_the_full_contact(admin_api, users):
    company = create_company(name="Acme", domain="acme.test")
    response = admin_api.post(
        "/api/contacts",
        {"email": "  Ada@Example.COM ", "first_name": "Ada", "last_name": "Lovelace", "country": "gb",
         "company_id": company.pk, "owner_id": users[Role.SDR].pk},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert set(body) == FIELDS
    contact = Contact.objects.get()
    assert body["id"] == contact.pk
    assert body["email"] == "ada@example.com"
    assert (body["first_name"], body["last_name"], body["country"]) == ("Ada", "Lovelace", "GB")
    assert (body["company_id"], body["owner_id"]) == (company.pk, users[Role.SDR].pk)
    assert body["lifecycle_stage"] == "subscriber"
    assert body["url"] == f"http://testserver/contacts/{contact.pk}/"
    assert StageChange.objects.get(contact=contact).to_stage == "subscriber"


def test_create_at_a_given_stage_records_it(admin_api):
    response = admin_api.post(
        "/api/contacts", {"email": "m@example.com", "lifecycle_stage": "mql"}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()["lifecycle_stage"] == "mql"
    change = StageChange.objects.get()
    assert (change.from_stage, change.to_stage) == ("", "mql")


@pytest.mark.parametrize("field", ["owner_id", "company_id"])
def test_create_with_missing_reference_is_422_and_writes_nothing(admin_api, field):
    response = admin_api.post("/api/contacts", {"email": "x@example.com", field: 424242}, content_type=JSON)
    assert response.status_code == 422
    kind = "user" if field == "owner_id" else "company"
    assert response.json() == {
        "code": "invalid",
        "message": "Some fields are not valid.",
        "field_errors": {field: [f"There is no {kind} with id 424242."]},
    }
    assert snapshot() == []


def test_duplicate_email_is_409_any_case(admin_api):
    create_contact(email="dup@example.com")
    before = snapshot()
    response = admin_api.post("/api/contacts", {"email": "DUP@example.com"}, content_type=JSON)
    assert response.status_code == 409
    assert response.json() == {
        "code": "duplicate_email",
        "message": "A contact with email dup@example.com already exists.",
        "field_errors": {"email": ["A contact with this email already exists."]},
    }
    assert snapshot() == before


def test_get_and_404(admin_api):
    contact = create_contact(email="g@example.com", first_name="Grace")
    response = admin_api.get(f"/api/contacts/{contact.pk}")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Grace"
    missing = admin_api.get(f"/api/contacts/{contact.pk + 100}")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "not_found",
        "message": f"Contact {contact.pk + 100} does not exist.",
        "field_errors": {},
    }


def test_patch_changes_only_the_fields_sent(admin_api, users):
    contact = create_contact(email="p@example.com", first_name="Old", last_name="Name", owner=users[Role.SDR])
    response = admin_api.patch(f"/api/contacts/{contact.pk}", {"first_name": "New"}, content_type=JSON)
    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.owner_id) == ("New", "Name", users[Role.SDR].pk)
    assert response.json()["first_name"] == "New"


def test_patch_null_owner_unassigns(admin_api, users):
    contact = create_contact(email="o@example.com", owner=users[Role.SDR])
    response = admin_api.patch(f"/api/contacts/{contact.pk}", {"owner_id": None}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["owner_id"] is None
    contact.refresh_from_db()
    assert contact.owner_id is None


def test_patch_duplicate_email_is_409_and_unchanged(admin_api):
    create_contact(email="taken@example.com")
    contact = create_contact(email="mine@example.com")
    before = snapshot()
    response = admin_api.patch(
        f"/api/contacts/{contact.pk}", {"email": "taken@example.com"}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_email"
    assert snapshot() == before


def test_patch_stage_forward_is_recorded(admin_api):
    contact = create_contact(email="s@example.com", lifecycle_stage="lead")
    response = admin_api.patch(f"/api/contacts/{contact.pk}", {"lifecycle_stage": "mql"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["lifecycle_stage"] == "mql"
    latest = StageChange.objects.filter(contact=contact).order_by("-id").first()
    assert latest is not None
    assert (latest.from_stage, latest.to_stage) == ("lead", "mql")


def test_patch_stage_backwards_without_reason_is_422_and_rolls_back_other_fields(admin_api):
    contact = create_contact(email="b@example.com", first_name="Before", lifecycle_stage="sql")
    before = snapshot()
    response = admin_api.patch(
        f"/api/contacts/{contact.pk}", {"first_name": "After", "lifecycle_stage": "lead"}, content_type=JSON
    )
    assert response.status_code == 422
    message = "Moving from Sales qualified lead back to Lead needs an explicit reason."
    assert response.json() == {
        "code": "invalid_stage_change",
        "message": message,
        "field_errors": {"lifecycle_stage": [message]},
    }
    assert snapshot() == before


def test_patch_stage_backwards_with_reason(admin_api, users):
    contact = create_contact(email="r@example.com", lifecycle_stage="sql")
    response = admin_api.patch(
        f"/api/contacts/{contact.pk}",
        {"lifecycle_stage": "lead", "stage_reason": "Budget frozen until Q3"},
        content_type=JSON,
    )
    assert response.status_code == 200
    change = StageChange.objects.filter(contact=contact).order_by("-id")[0]
    assert (change.from_stage, change.to_stage, change.reason) == ("sql", "lead", "Budget frozen until Q3")
    assert change.changed_by == users[Role.ADMIN]


def test_patch_recycle_needs_a_reason(admin_api):
    contact = create_contact(email="rc@example.com", lifecycle_stage="mql")
    response = admin_api.patch(
        f"/api/contacts/{contact.pk}", {"lifecycle_stage": "recycled"}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["field_errors"] == {
        "lifecycle_stage": ["A reason is required to recycle or disqualify a contact."]
    }


def test_stage_reason_alone_is_422(admin_api):
    contact = create_contact(email="sr@example.com")
    response = admin_api.patch(f"/api/contacts/{contact.pk}", {"stage_reason": "why"}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["field_errors"] == {"stage_reason": ["Send it together with lifecycle_stage."]}


def test_custom_properties_are_validated_and_merged(admin_api):
    PropertyDefinition.objects.create(object_type="contact", key="seats", label="Seats", type="number")
    PropertyDefinition.objects.create(object_type="contact", key="plan", label="Plan", type="text")
    created = admin_api.post(
        "/api/contacts", {"email": "cp@example.com", "properties": {"seats": "12"}}, content_type=JSON
    )
    assert created.status_code == 201
    assert created.json()["properties"] == {"seats": 12}
    url = f"/api/contacts/{created.json()['id']}"
    patched = admin_api.patch(url, {"properties": {"plan": "pro"}}, content_type=JSON)
    assert patched.json()["properties"] == {"seats": 12, "plan": "pro"}
    removed = admin_api.patch(url, {"properties": {"seats": None}}, content_type=JSON)
    assert removed.json()["properties"] == {"plan": "pro"}
    bad = admin_api.patch(url, {"properties": {"seats": "many", "nope": 1}}, content_type=JSON)
    assert bad.status_code == 422
    assert bad.json()["field_errors"] == {
        "properties.seats": ["Seats must be a number."],
        "properties.nope": ["Unknown custom property 'nope'; define it first."],
    }


def test_delete_is_204_then_404(admin_api):
    contact = create_contact(email="d@example.com")
    response = admin_api.delete(f"/api/contacts/{contact.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert admin_api.delete(f"/api/contacts/{contact.pk}").status_code == 404


def test_list_filters(admin_api, users):
    acme = create_company(name="Acme")
    sdr = users[Role.SDR]
    ada = create_contact(
        email="ada@acme.test", first_name="Ada", last_name="Lovelace", company=acme, owner=sdr
    )
    alan = create_contact(
        email="alan@example.com", first_name="Alan", last_name="Turing", lifecycle_stage="mql"
    )
    grace = create_contact(email="grace@navy.test", first_name="Grace", last_name="Hopper", owner=sdr)

    def ids(query: str) -> list[int]:
        response = admin_api.get(f"/api/contacts?{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids("") == [grace.pk, alan.pk, ada.pk]  # newest first
    assert ids("q=LOVE") == [ada.pk]
    assert ids("q=navy") == [grace.pk]
    assert ids("q=ada+lovelace") == [ada.pk]
    assert ids("q=ada+turing") == []
    assert ids("lifecycle_stage=mql") == [alan.pk]
    assert ids(f"owner_id={sdr.pk}") == [grace.pk, ada.pk]
    assert ids(f"company_id={acme.pk}") == [ada.pk]
    assert ids(f"owner_id={sdr.pk}&q=grace") == [grace.pk]


def test_list_filter_with_unknown_stage_is_422(admin_api):
    response = admin_api.get("/api/contacts?lifecycle_stage=hot")
    assert response.status_code == 422
    assert list(response.json()["field_errors"]) == ["lifecycle_stage"]
