"""The API enforces the one permission module (accord.accounts.permissions) and reports 403."""

from __future__ import annotations

import pytest

from accord.accounts.models import Role
from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Company, Contact

pytestmark = pytest.mark.django_db

JSON = "application/json"


def forbidden(action: str, resource: str) -> dict:
    return {
        "code": "forbidden",
        "message": f"You do not have permission to {action} this {resource}.",
        "field_errors": {},
    }


def test_marketer_cannot_delete_a_contact(users, api_client_for):
    contact = create_contact(email="keep@example.com", owner=users[Role.MARKETER])
    response = api_client_for(users[Role.MARKETER]).delete(f"/api/contacts/{contact.pk}")
    assert response.status_code == 403
    assert response.json() == forbidden("delete", "contact")
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_marketer_can_create_and_change_any_contact(users, api_client_for):
    client = api_client_for(users[Role.MARKETER])
    theirs = create_contact(email="theirs@example.com", owner=users[Role.SDR])
    assert client.post("/api/contacts", {"email": "new@example.com"}, content_type=JSON).status_code == 201
    assert client.patch(f"/api/contacts/{theirs.pk}", {"title": "CTO"}, content_type=JSON).status_code == 200


def test_sdr_can_change_own_contact_but_not_someone_elses(users, api_client_for):
    sdr = users[Role.SDR]
    client = api_client_for(sdr)
    mine = create_contact(email="mine@example.com", first_name="Mine", owner=sdr)
    theirs = create_contact(
        email="theirs@example.com", first_name="Theirs", owner=users[Role.ACCOUNT_EXECUTIVE]
    )
    unowned = create_contact(email="nobody@example.com", first_name="Nobody")

    assert (
        client.patch(f"/api/contacts/{mine.pk}", {"first_name": "Changed"}, content_type=JSON).status_code
        == 200
    )
    for other in (theirs, unowned):
        response = client.patch(f"/api/contacts/{other.pk}", {"first_name": "Changed"}, content_type=JSON)
        assert response.status_code == 403
        assert response.json() == forbidden("change", "contact")
    assert list(Contact.objects.order_by("email").values_list("first_name", flat=True)) == [
        "Changed",
        "Nobody",
        "Theirs",
    ]


def test_sdr_cannot_move_someone_elses_contact_through_the_funnel(users, api_client_for):
    theirs = create_contact(email="t@example.com", owner=users[Role.ACCOUNT_EXECUTIVE])
    client = api_client_for(users[Role.SDR])
    response = client.patch(f"/api/contacts/{theirs.pk}", {"lifecycle_stage": "mql"}, content_type=JSON)
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.lifecycle_stage == "subscriber"


def test_everyone_may_read_contacts(users, api_client_for):
    contact = create_contact(email="r@example.com")
    for user in users.values():
        client = api_client_for(user)
        assert client.get("/api/contacts").json()["count"] == 1
        assert client.get(f"/api/contacts/{contact.pk}").status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.MARKETER, 403), (Role.SDR, 403), (Role.ACCOUNT_EXECUTIVE, 403),
     (Role.SALES_MANAGER, 204), (Role.MARKETING_MANAGER, 204), (Role.ADMIN, 204)],
)  # fmt: skip
def test_who_may_delete_a_company(users, api_client_for, role, status):
    company = create_company(name="Acme", owner=users[role])
    response = api_client_for(users[role]).delete(f"/api/companies/{company.pk}")
    assert response.status_code == status
    assert Company.objects.filter(pk=company.pk).exists() == (status == 403)
    if status == 403:
        assert response.json() == forbidden("delete", "company")


def test_ae_can_change_own_company_only(users, api_client_for):
    ae = users[Role.ACCOUNT_EXECUTIVE]
    client = api_client_for(ae)
    mine = create_company(name="Mine", owner=ae)
    theirs = create_company(name="Theirs", owner=users[Role.SDR])
    assert (
        client.patch(f"/api/companies/{mine.pk}", {"industry": "Retail"}, content_type=JSON).status_code
        == 200
    )
    response = client.patch(f"/api/companies/{theirs.pk}", {"industry": "Retail"}, content_type=JSON)
    assert response.status_code == 403
    assert response.json() == forbidden("change", "company")
    theirs.refresh_from_db()
    assert theirs.industry == ""
