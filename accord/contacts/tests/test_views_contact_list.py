"""The contact list page: search, filters, sorting, pagination, htmx partial, empty states."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accord.accounts.models import Role, User
from accord.contacts.actions import create_company, create_contact

pytestmark = pytest.mark.django_db
URL = reverse("contacts:contact_list")


@pytest.fixture
def sdr(users):
    return users[Role.SDR]


@pytest.fixture
def client_sdr(client, sdr):
    client.force_login(sdr)
    return client


@pytest.fixture
def sample(users, sdr):
    acme = create_company(name="Acme Rockets", domain="acme.test")
    globex = create_company(name="Globex", domain="globex.test")
    return {
        "ada": create_contact(
            email="ada@acme.test", first_name="Ada", last_name="Lovelace", company=acme, owner=sdr
        ),
        "alan": create_contact(
            email="alan@globex.test",
            first_name="Alan",
            last_name="Turing",
            company=globex,
            lifecycle_stage="mql",
        ),
        "grace": create_contact(
            email="grace@navy.test",
            first_name="Grace",
            last_name="Hopper",
            owner=users[Role.ACCOUNT_EXECUTIVE],
            lifecycle_stage="customer",
        ),
    }


def names(response) -> list[str]:
    """Contact names in the table, in order."""
    return re.findall(r'class="row-title" href="/contacts/\d+/">([^<]+)</a>', response.content.decode())


def test_logged_out_user_is_sent_to_login(client):
    response = client.get(URL + "?q=ada")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/contacts/%3Fq%3Dada"


def test_lists_contacts_with_company_stage_and_owner(client_sdr, sample, sdr):
    response = client_sdr.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert names(response) == ["Grace Hopper", "Alan Turing", "Ada Lovelace"]  # newest first
    assert "ada@acme.test" in html
    assert f'href="/contacts/companies/{sample["ada"].company_id}/">Acme Rockets</a>' in html
    assert '<span class="badge stage-mql">Marketing qualified lead</span>' in html
    assert str(sdr) in html
    assert "Unassigned" in html
    assert "<html" in html and 'id="contact-results"' in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ada", ["Ada Lovelace"]),
        ("TURING", ["Alan Turing"]),
        ("grace@navy", ["Grace Hopper"]),
        ("globex", ["Alan Turing"]),  # company name
        ("ada lovelace", ["Ada Lovelace"]),  # every word must match
        ("ada turing", []),
    ],
)
def test_search_over_name_email_and_company(client_sdr, sample, q, expected):
    assert names(client_sdr.get(URL, {"q": q})) == expected


def test_filter_by_stage(client_sdr, sample):
    assert names(client_sdr.get(URL, {"stage": "customer"})) == ["Grace Hopper"]


def test_filter_by_owner_mine_unassigned_and_person(client_sdr, sample, users):
    assert names(client_sdr.get(URL, {"owner": "me"})) == ["Ada Lovelace"]
    assert names(client_sdr.get(URL, {"owner": "none"})) == ["Alan Turing"]
    ae = users[Role.ACCOUNT_EXECUTIVE]
    assert names(client_sdr.get(URL, {"owner": str(ae.pk)})) == ["Grace Hopper"]


def test_invalid_filter_values_are_ignored(client_sdr, sample):
    response = client_sdr.get(URL, {"stage": "nonsense", "owner": "999999", "sort": "x", "page": "abc"})
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_sort_by_name_and_created(client_sdr, sample):
    assert names(client_sdr.get(URL, {"sort": "name"})) == ["Grace Hopper", "Ada Lovelace", "Alan Turing"]
    assert names(client_sdr.get(URL, {"sort": "-name"})) == ["Alan Turing", "Ada Lovelace", "Grace Hopper"]
    assert names(client_sdr.get(URL, {"sort": "created"})) == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]


def test_pagination_25_per_page_and_links_keep_filters(client_sdr, sdr):
    for i in range(30):
        create_contact(email=f"p{i:02}@example.test", first_name="Pat", last_name=f"N{i:02}", owner=sdr)
    create_contact(email="other@example.test", first_name="Other", last_name="Person")
    response = client_sdr.get(URL, {"q": "pat", "owner": "me"})
    assert len(names(response)) == 25
    html = response.content.decode()
    assert "1–25 of 30 contacts" in html
    assert 'href="?q=pat&amp;owner=me&amp;page=2"' in html
    page2 = client_sdr.get(URL, {"q": "pat", "owner": "me", "page": "2"})
    assert len(names(page2)) == 5
    assert "26–30 of 30 contacts" in page2.content.decode()
    assert 'href="?q=pat&amp;owner=me&amp;page=1"' in page2.content.decode()


def test_htmx_request_returns_only_the_results_partial(client_sdr, sample):
    response = client_sdr.get(URL, {"q": "ada"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="contact-filters"' not in html
    assert names(response) == ["Ada Lovelace"]
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(client_sdr, sample):
    response = client_sdr.get(
        URL, {"q": "ada"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_filter_form_works_without_javascript(client_sdr, sample):
    html = client_sdr.get(URL, {"q": "ada", "stage": "subscriber"}).content.decode()
    assert '<form id="contact-filters"' in html and 'method="get"' in html
    assert '<button type="submit"' in html
    assert 'value="ada"' in html  # the form shows what was searched
    assert (
        'hx-get="/contacts/"' in html
        and 'hx-push-url="true"' in html
        and 'hx-target="#contact-results"' in html
    )


def test_empty_state_when_there_are_no_contacts(client_sdr):
    html = client_sdr.get(URL).content.decode()
    assert "No contacts yet" in html
    assert "Clear filters" not in html


def test_empty_state_when_nothing_matches(client_sdr, sample):
    html = client_sdr.get(URL, {"q": "zzz"}, headers={"HX-Request": "true"}).content.decode()
    assert "No contacts match these filters" in html
    assert '<a class="btn btn-secondary" href="/contacts/">Clear filters</a>' in html
    assert "No contacts yet" not in html


def test_no_n_plus_one_queries(client_sdr, django_assert_max_num_queries, make_user):
    for i in range(25):
        owner = make_user(Role.SDR)
        company = create_company(name=f"Company {i}", domain=f"c{i}.test")
        create_contact(
            email=f"n{i}@example.test", first_name="N", last_name=str(i), owner=owner, company=company
        )
    # session, user, owner choices, count, page rows
    with django_assert_max_num_queries(6):
        response = client_sdr.get(URL)
    assert len(names(response)) == 25


def test_user_without_view_permission_gets_403(client, make_user):
    user = make_user(Role.MARKETER)
    User.objects.filter(pk=user.pk).update(role="guest")  # a role with no grants
    client.force_login(user)
    assert client.get(URL).status_code == 403
