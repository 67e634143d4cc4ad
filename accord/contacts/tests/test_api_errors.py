"""Bad input gets the one error body with the right status and field names, and never a 500."""

from __future__ import annotations

import json

import pytest
from ninja.testing import TestClient

from accord.contacts.actions import create_contact
from accord.contacts.models import Company, Contact
from accord.core.api_support import AccordNinjaAPI
from accord.lifecycle.models import StageChange

pytestmark = pytest.mark.django_db

JSON = "application/json"
INVALID = {"code": "invalid", "message": "Some fields are not valid."}


def nothing_written() -> bool:
    return not (Contact.objects.exists() or Company.objects.exists() or StageChange.objects.exists())


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"email": 123}, {"email": ["Input should be a valid string"]}),
        ({"email": "a@example.com", "first_name": ["x"]}, {"first_name": ["Input should be a valid string"]}),
        ({"email": "a@example.com", "owner_id": "abc"},
         {"owner_id": ["Input should be a valid integer, unable to parse string as an integer"]}),
        ({"email": "a@example.com", "owner_id": 0}, {"owner_id": ["Input should be greater than or equal to 1"]}),
        ({"email": "a@example.com", "properties": "x"}, {"properties": ["Input should be a valid dictionary"]}),
        ({"email": "a@example.com", "lifecycle_stage": "hot"},
         {"lifecycle_stage": ["Input should be 'subscriber', 'lead', 'mql', 'sal', 'sql', 'opportunity', "
                              "'customer', 'evangelist', 'recycled' or 'disqualified'"]}),
        ({"first_name": "Ada"}, {"email": ["This field is required."]}),
        ({"email": "a@example.com", "bogus": 1, "owner": 2}, {"bogus": ["Unknown field."], "owner": ["Unknown field."]}),
        ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
        ({"email": "a@@example.com"}, {"email": ["Enter a valid email address."]}),
        ({"email": "a@example.com", "first_name": "Ada\x00"}, {"first_name": ["Must not contain NUL characters."]}),
        ({"email": "a@example.com", "properties": {"k\x00": 1}}, {"properties": ["Must not contain NUL characters."]}),
        ({"email": "a@example.com", "country": "12"},
         {"country": ["Use a two-letter ISO 3166-1 country code, e.g. DE."]}),
    ],
)  # fmt: skip
def test_invalid_contact_input_is_422_naming_the_field(admin_api, payload, errors):
    response = admin_api.post("/api/contacts", payload, content_type=JSON)
    assert response.status_code == 422
    assert response.json() == {**INVALID, "field_errors": errors}
    assert nothing_written()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("email", 254), ("first_name", 100), ("last_name", 100), ("phone", 40), ("title", 150)],
)
def test_oversize_strings_are_422(admin_api, field, limit):
    payload = {"email": "a@example.com", field: "x" * (limit + 1)}
    if field == "email":
        payload["email"] = "a" * 64 + "@" + "b" * (limit - 64) + ".com"
    response = admin_api.post("/api/contacts", payload, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["field_errors"] == {field: [f"String should have at most {limit} characters"]}
    assert nothing_written()


def test_oversize_company_name_is_422(admin_api):
    response = admin_api.post("/api/companies", {"name": "x" * 201}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["field_errors"] == {"name": ["String should have at most 200 characters"]}


def test_unknown_field_on_patch_is_422_and_changes_nothing(admin_api):
    contact = create_contact(email="u@example.com", first_name="Same")
    response = admin_api.patch(
        f"/api/contacts/{contact.pk}", {"first_name": "Other", "lifecycle": "mql"}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json() == {**INVALID, "field_errors": {"lifecycle": ["Unknown field."]}}
    contact.refresh_from_db()
    assert contact.first_name == "Same"


@pytest.mark.parametrize(
    "body", ["{not json", '{"email": "a@example.com",}', '{"email": NaN}', "1e999", b"\xff\xfe{"]
)
def test_malformed_json_is_400(admin_api, body):
    response = admin_api.post("/api/contacts", body, content_type=JSON)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "malformed_json"
    assert data["message"].startswith("The request body is not valid JSON")
    assert data["field_errors"] == {}
    assert nothing_written()


@pytest.mark.parametrize("body", ["", "[]", '"text"', "null"])
def test_body_that_is_not_an_object_is_422(admin_api, body):
    response = admin_api.post("/api/contacts", body, content_type=JSON)
    assert response.status_code == 422
    assert response.json() == {
        **INVALID,
        "field_errors": {"__all__": ["A JSON object is required as the request body."]},
    }


def test_unknown_endpoint_is_404_json(admin_api):
    for url in ("/api/nothing-here", "/api/contacts/", "/api/contacts/abc"):
        response = admin_api.get(url)
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "message": f"There is no API endpoint at {url}.",
            "field_errors": {},
        }


def test_wrong_method_is_405_json(admin_api):
    response = admin_api.put("/api/contacts", {}, content_type=JSON)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_huge_id_is_404_not_500(admin_api):
    response = admin_api.get("/api/contacts/99999999999999999999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "query",
    ["owner_id=99999999999999999999", "q=a%00b", "company_id=-5", f"q={'x' * 201}", "lifecycle_stage="],
)
def test_bad_list_filters_are_422(admin_api, query):
    response = admin_api.get(f"/api/contacts?{query}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_error_body_is_json_even_for_form_posts(admin_api):
    response = admin_api.post("/api/contacts", {"email": "a@example.com"})  # multipart, not JSON
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert json.loads(response.content)["field_errors"] == {}


def test_an_unexpected_error_is_a_logged_500_with_the_error_body(caplog):
    broken = AccordNinjaAPI(urls_namespace="broken-api-test")

    @broken.get("/boom")
    def boom(request):
        raise RuntimeError("kaboom")

    response = TestClient(broken).get("/boom")
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Something went wrong on our side.",
        "field_errors": {},
    }
    assert "kaboom" not in response.content.decode()
    assert any(record.exc_info and "kaboom" in str(record.exc_info[1]) for record in caplog.records)
