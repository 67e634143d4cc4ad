"""The company list and company page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, User
from accord.contacts.actions import create_company, create_contact
from accord.sales.actions import log_activity

pytestmark = pytest.mark.django_db
LIST = reverse("contacts:company_list")


@pytest.fixture
def client_ae(client, users):
    client.force_login(users[Role.ACCOUNT_EXECUTIVE])
    return client


def company_names(response) -> list[str]:
    return re.findall(
        r'class="row-title" href="/contacts/companies/\d+/">([^<]+)</a>', response.content.decode()
    )


def test_logged_out_user_is_sent_to_login(client):
    assert client.get(LIST)["Location"] == "/login/?next=/contacts/companies/"


def test_list_search_by_name_or_domain_with_contact_counts(client_ae):
    acme = create_company(name="Acme Rockets", domain="acme.test", industry="Aerospace")
    create_company(name="Globex", domain="globex-corp.test")
    create_contact(email="a@acme.test", company=acme)
    create_contact(email="b@acme.test", company=acme)
    response = client_ae.get(LIST)
    assert company_names(response) == ["Acme Rockets", "Globex"]
    assert '<td class="num">2</td>' in response.content.decode()
    assert company_names(client_ae.get(LIST, {"q": "rock"})) == ["Acme Rockets"]
    assert company_names(client_ae.get(LIST, {"q": "globex-corp"})) == ["Globex"]


def test_list_pagination_and_htmx_partial(client_ae):
    for i in range(27):
        create_company(name=f"Company {i:02}", domain=f"c{i}.test")
    response = client_ae.get(LIST, {"page": "2"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert company_names(response) == ["Company 25", "Company 26"]
    assert "26–27 of 27 companies" in html


def test_list_empty_states(client_ae):
    assert "No companies yet" in client_ae.get(LIST).content.decode()
    create_company(name="Acme", domain="acme.test")
    html = client_ae.get(LIST, {"q": "zzz"}).content.decode()
    assert "No companies match" in html and "Clear search" in html


def test_company_page_lists_its_contacts_and_open_activities(client_ae, users):
    acme = create_company(name="Acme Rockets", domain="acme.test", industry="Aerospace", size="51-200")
    other = create_company(name="Other", domain="other.test")
    ada = create_contact(email="ada@acme.test", first_name="Ada", last_name="Lovelace", company=acme)
    create_contact(email="bob@acme.test", first_name="Bob", last_name="Builder", company=acme)
    create_contact(email="carl@other.test", first_name="Carl", company=other)
    sdr = users[Role.SDR]
    log_activity(kind="call", subject="Open call", owner=sdr, contact=ada)
    log_activity(kind="task", subject="Open on both", owner=sdr, contact=ada, company=acme)
    log_activity(kind="task", subject="Done", owner=sdr, contact=ada, done_at=timezone.now())
    log_activity(kind="meeting", subject="Company only", owner=sdr, company=acme)
    response = client_ae.get(reverse("contacts:company_detail", args=[acme.pk]))
    html = response.content.decode()
    assert "<h1>Acme Rockets</h1>" in html
    assert "Aerospace" in html and "51–200" in html
    assert re.findall(r'class="row-title" href="/contacts/\d+/">([^<]+)</a>', html) == [
        "Bob Builder",
        "Ada Lovelace",
    ]
    assert "Carl" not in html
    assert '<dt class="stat-label">Open activities</dt><dd class="stat-value">3</dd>' in html
    assert '<td class="num">2</td>' in html  # Ada's open activities


def test_unknown_company_is_404(client_ae):
    assert client_ae.get(reverse("contacts:company_detail", args=[999999])).status_code == 404


def test_user_without_view_permission_gets_403(client, make_user):
    user = make_user(Role.MARKETER)
    User.objects.filter(pk=user.pk).update(role="guest")
    client.force_login(user)
    acme = create_company(name="Acme", domain="acme.test")
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("contacts:company_detail", args=[acme.pk])).status_code == 403


def test_company_contacts_are_paginated_and_page_with_htmx(client_ae):
    acme = create_company(name="Acme", domain="acme.test")
    for i in range(27):
        create_contact(email=f"c{i:02}@acme.test", first_name="C", last_name=f"{i:02}", company=acme)
    url = reverse("contacts:company_detail", args=[acme.pk])
    full = client_ae.get(url).content.decode()
    assert "1–25 of 27 contacts" in full
    assert 'hx-target="#company-contacts"' in full
    partial = client_ae.get(url, {"page": "2"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "<h1>" not in partial
    assert re.findall(r'class="row-title" href="/contacts/\d+/">([^<]+)</a>', partial) == ["C 25", "C 26"]
