"""CSV exports: formula neutralisation, filters shared with the lists, streaming, round trips."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import cast

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from accord.accounts.models import Role
from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Contact, PropertyDefinition
from accord.integrations import export

pytestmark = pytest.mark.django_db
CONTACTS = reverse("integrations:export_contacts")
COMPANIES = reverse("integrations:export_companies")


def rows_of(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(cast(Iterator[bytes], response.streaming_content)).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def client_m(client, users):
    client.force_login(users[Role.MARKETER])
    return client


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_starting_with_a_formula_character_are_neutralised(client_m, first):
    create_contact(email="ada@example.test", first_name=f"{first}cmd|' /C calc'!A0", title="Safe")
    company = create_company(name=f'{first}HYPERLINK("http://evil")', domain="evil.test")
    Contact.objects.filter(email="ada@example.test").update(company=company)
    header, row = rows_of(client_m.get(CONTACTS))
    values = dict(zip(header, row, strict=True))
    assert values["first_name"] == f"'{first}cmd|' /C calc'!A0"
    assert values["company"] == f'\'{first}HYPERLINK("http://evil")'
    assert values["title"] == "Safe"
    header, row = rows_of(client_m.get(COMPANIES))
    assert dict(zip(header, row, strict=True))["name"] == f'\'{first}HYPERLINK("http://evil")'


def test_neutralise():
    assert [export.neutralise(v) for v in ["=1", "+1", "-1", "@a", "\tx", "\rx", "a=1", "", "'=x"]] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=1", "", "'=x",
    ]  # fmt: skip


def test_contact_export_columns_and_properties(client_m, users):
    PropertyDefinition.objects.create(object_type="contact", key="plan", label="Plan", type="text")
    acme = create_company(name="Acme", domain="acme.test")
    create_contact(
        email="ada@example.test", first_name="Ada", last_name="Lovelace", phone="+44 20", company=acme,
        owner=users[Role.SDR], country="GB", lifecycle_stage="mql", properties={"plan": "pro"},
    )  # fmt: skip
    response = client_m.get(CONTACTS)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    header, row = rows_of(response)
    assert header == [h for h, _ in export.CONTACT_COLUMNS] + ["properties.plan"]
    values = dict(zip(header, row, strict=True))
    assert values["phone"] == "'+44 20"
    assert (values["company"], values["company_domain"], values["owner_email"]) == (
        "Acme", "acme.test", users[Role.SDR].email,
    )  # fmt: skip
    assert (values["lifecycle_stage"], values["properties.plan"]) == ("mql", "pro")
    assert values["created_at"].endswith("+00:00")


def test_the_contact_list_filters_apply(client_m, users):
    sdr = users[Role.SDR]
    create_contact(email="ada@acme.test", first_name="Ada", owner=sdr, lifecycle_stage="lead")
    create_contact(email="alan@acme.test", first_name="Alan", lifecycle_stage="lead")
    create_contact(email="grace@navy.test", first_name="Grace", owner=sdr, lifecycle_stage="customer")

    def emails(**params):
        return sorted(r[0] for r in rows_of(client_m.get(CONTACTS, params))[1:])

    assert emails() == ["ada@acme.test", "alan@acme.test", "grace@navy.test"]
    assert emails(q="acme") == ["ada@acme.test", "alan@acme.test"]
    assert emails(stage="lead") == ["ada@acme.test", "alan@acme.test"]
    assert emails(owner=str(sdr.pk)) == ["ada@acme.test", "grace@navy.test"]
    assert emails(owner="none") == ["alan@acme.test"]
    assert emails(q="acme", owner=str(sdr.pk), stage="lead") == ["ada@acme.test"]


def test_invalid_filters_are_a_400_with_the_reason(client_m):
    response = client_m.get(CONTACTS, {"stage": "nonsense"})
    assert response.status_code == 400
    assert "Some filters are not valid: Lifecycle stage: Select a valid choice." in response.content.decode()
    assert client_m.get(CONTACTS, {"q": "x" * 300}).status_code == 400
    assert client_m.get(COMPANIES, {"q": "x" * 300}).status_code == 400


def test_company_export_and_filter(client_m):
    create_company(name="Acme", domain="acme.test", industry="Rockets", size="51-200")
    create_company(name="Globex", domain="globex.test")
    rows = rows_of(client_m.get(COMPANIES, {"q": "acme"}))
    assert rows[0] == [h for h, _ in export.COMPANY_COLUMNS]
    assert [r[:4] for r in rows[1:]] == [["Acme", "acme.test", "Rockets", "51-200"]]


def test_export_streams_in_chunks(client_m, monkeypatch):
    monkeypatch.setattr(export, "ROWS_PER_WRITE", 3)
    for i in range(7):
        create_contact(email=f"p{i}@example.test")
    chunks = list(client_m.get(CONTACTS).streaming_content)
    assert len(chunks) == 1 + 3  # header, 3 + 3 + 1 rows


def test_an_export_imports_back_without_changes_or_errors(client_m, users, run_import):
    PropertyDefinition.objects.create(object_type="contact", key="seats", label="Seats", type="number")
    acme = create_company(name="Acme", domain="acme.test")
    create_contact(
        email="ada@acme.test", first_name="=Ada", phone="+44 20", company=acme, owner=users[Role.SDR],
        country="GB", lifecycle_stage="customer", properties={"seats": -5},
    )  # fmt: skip
    create_contact(email="bob@example.test", title="@home")
    before = sorted(
        Contact.objects.values_list(
            "email",
            "first_name",
            "phone",
            "title",
            "company",
            "owner",
            "country",
            "lifecycle_stage",
            "properties",
        )
    )
    body = b"".join(client_m.get(CONTACTS).streaming_content)
    job = run_import(body, on_duplicate="update")
    assert (job.updated_count, job.created_count, job.error_count) == (2, 0, 0)
    after = sorted(
        Contact.objects.values_list(
            "email",
            "first_name",
            "phone",
            "title",
            "company",
            "owner",
            "country",
            "lifecycle_stage",
            "properties",
        )
    )
    assert after == before


def test_the_export_page(client_m, users):
    response = client_m.get(reverse("integrations:export"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{CONTACTS}"' in html and f'action="{COMPANIES}"' in html
    assert 'name="stage"' in html and 'name="owner"' in html
