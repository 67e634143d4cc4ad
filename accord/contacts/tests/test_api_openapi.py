"""The OpenAPI document and the docs page are served and describe the contacts API."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def schema() -> dict:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_lists_contacts_and_companies_paths(schema):
    paths = schema["paths"]
    assert set(paths["/api/contacts"]) == {"get", "post"}
    assert set(paths["/api/contacts/{contact_id}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/companies"]) == {"get", "post"}
    assert set(paths["/api/companies/{company_id}"]) == {"get", "patch", "delete"}


def test_documents_the_error_body(schema):
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "field_errors"}
    responses = schema["paths"]["/api/contacts"]["post"]["responses"]
    for status in ("400", "401", "403", "409", "422"):
        assert responses[status]["content"]["application/json"]["schema"] == ERROR_REF
    assert responses["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ContactOut"
    }


def test_documents_both_key_headers(schema):
    assert schema["components"]["securitySchemes"] == {
        "BearerKeyAuth": {"type": "http", "scheme": "bearer"},
        "HeaderKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
    assert schema["paths"]["/api/contacts"]["get"]["security"] == [
        {"BearerKeyAuth": []},
        {"HeaderKeyAuth": []},
    ]


def test_input_schemas_forbid_unknown_fields_and_carry_model_limits(schema):
    create = schema["components"]["schemas"]["ContactCreate"]
    assert create["additionalProperties"] is False
    assert create["properties"]["first_name"]["maxLength"] == 100
    assert create["required"] == ["email"]


def test_docs_page_is_served():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
