"""/api/companies: create, read, update, delete, list filters."""

from __future__ import annotations

from typing import Any

import pytest

from accord.accounts.models import Role
from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Company

pytestmark = pytest.mark.django_db

JSON = "application/json"


def snapshot() -> list[dict[str, Any]]:
    return [dict(row) for row in Company.objects.order_by("pk").values()]


def test_create_returns_the_full_company(admin_api, users):
    response = admin_api.post(
        "/api/companies",
        {"name": "Acme", "domain": "https://www.Acme.test/about", "industry": "Software", "size": "11-50",
         "revenue_band": "1M-10M", "country": "de", "owner_id": users[Role.ACCOUNT_EXECUTIVE].pk},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    company = Company.objects.get()
    assert body == {
        "id": company.pk,
        "name": "Acme",
        "domain": "acme.test",
        "industry": "Software",
        "size": "11-50",
        "revenue_band": "1M-10M",
        "country": "DE",
        "lifecycle_stage": "",
        "owner_id": users[Role.ACCOUNT_EXECUTIVE].pk,
        "properties": {},
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "url": f"http://testserver/contacts/companies/{company.pk}/",
    }


def test_companies_without_domain_do_not_collide(admin_api):
    for name in ("One", "Two"):
        assert admin_api.post("/api/companies", {"name": name}, content_type=JSON).status_code == 201
    assert list(Company.objects.values_list("domain", flat=True)) == [None, None]


def test_duplicate_domain_is_409_and_writes_nothing(admin_api):
    create_company(name="Acme", domain="acme.test")
    before = snapshot()
    response = admin_api.post(
        "/api/companies", {"name": "Acme 2", "domain": "www.ACME.test"}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "duplicate_domain",
        "message": "A company with domain acme.test already exists.",
        "field_errors": {"domain": ["A company with this domain already exists."]},
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "A", "size": "huge"}, "size"),
        ({"name": "A", "revenue_band": "lots"}, "revenue_band"),
        ({"name": "A", "country": "Germany"}, "country"),
        ({"name": "A", "owner_id": 999999}, "owner_id"),
        ({"name": "A", "company_id": 1}, "company_id"),
        ({}, "name"),
    ],
)
def test_invalid_company_is_422_on_the_field(admin_api, payload, field):
    response = admin_api.post("/api/companies", payload, content_type=JSON)
    assert response.status_code == 422
    assert list(response.json()["field_errors"]) == [field]
    assert snapshot() == []


def test_get_patch_delete(admin_api):
    company = create_company(name="Initech", domain="initech.test", industry="Software")
    contact = create_contact(email="peter@initech.test", company=company)
    url = f"/api/companies/{company.pk}"

    assert admin_api.get(url).json()["name"] == "Initech"

    patched = admin_api.patch(url, {"industry": "Consulting", "domain": None}, content_type=JSON)
    assert patched.status_code == 200
    assert (patched.json()["industry"], patched.json()["domain"], patched.json()["name"]) == (
        "Consulting",
        None,
        "Initech",
    )

    assert admin_api.patch(url, {"name": None}, content_type=JSON).json()["field_errors"] == {
        "name": ["Must not be null."]
    }

    assert admin_api.delete(url).status_code == 204
    assert not Company.objects.filter(pk=company.pk).exists()
    contact.refresh_from_db()
    assert contact.company_id is None
    assert admin_api.get(url).status_code == 404


def test_patch_duplicate_domain_is_409(admin_api):
    create_company(name="Taken", domain="taken.test")
    company = create_company(name="Mine", domain="mine.test")
    before = snapshot()
    response = admin_api.patch(f"/api/companies/{company.pk}", {"domain": "taken.test"}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_domain"
    assert snapshot() == before


def test_list_filters(admin_api, users):
    ae = users[Role.ACCOUNT_EXECUTIVE]
    acme = create_company(name="Acme", domain="acme.test", industry="Software", owner=ae)
    globex = create_company(name="Globex", domain="globex.test", industry="Energy")
    initech = create_company(name="Initech", domain="initech.test", industry="software")

    def ids(query: str) -> list[int]:
        response = admin_api.get(f"/api/companies?{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids("") == [acme.pk, globex.pk, initech.pk]  # by name
    assert ids("q=glob") == [globex.pk]
    assert ids("q=initech.test") == [initech.pk]
    assert ids("industry=SOFTWARE") == [acme.pk, initech.pk]
    assert ids(f"owner_id={ae.pk}") == [acme.pk]
