"""Page envelope of list endpoints: count, next/previous links, page and page_size bounds."""

from __future__ import annotations

import pytest

from accord.contacts.actions import create_company, create_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_contacts() -> list[int]:
    """Contact ids, newest first (the list order)."""
    return [create_contact(email=f"c{n}@example.com", title="Engineer").pk for n in range(5)][::-1]


def test_pages_walk_the_whole_list(admin_api, five_contacts):
    first = admin_api.get("/api/contacts?page_size=2").json()
    assert first["count"] == 5
    assert (first["page"], first["page_size"]) == (1, 2)
    assert [c["id"] for c in first["items"]] == five_contacts[:2]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/contacts?page_size=2&page=2"

    second = admin_api.get(first["next"]).json()
    assert [c["id"] for c in second["items"]] == five_contacts[2:4]
    assert second["previous"] == "http://testserver/api/contacts?page_size=2&page=1"

    last = admin_api.get(second["next"]).json()
    assert [c["id"] for c in last["items"]] == five_contacts[4:]
    assert last["next"] is None
    assert last["previous"] == "http://testserver/api/contacts?page_size=2&page=2"


def test_links_keep_the_filters(admin_api, five_contacts):
    body = admin_api.get("/api/contacts?q=example&page_size=1&page=2").json()
    assert body["next"] == "http://testserver/api/contacts?q=example&page_size=1&page=3"
    assert body["previous"] == "http://testserver/api/contacts?q=example&page_size=1&page=1"


def test_page_past_the_end_is_empty_and_points_back_to_the_last_page(admin_api, five_contacts):
    response = admin_api.get("/api/contacts?page_size=2&page=9")
    assert response.status_code == 200
    body = response.json()
    assert (body["items"], body["count"], body["next"]) == ([], 5, None)
    assert body["previous"] == "http://testserver/api/contacts?page_size=2&page=3"


def test_empty_list(admin_api):
    assert admin_api.get("/api/companies").json() == {
        "items": [],
        "count": 0,
        "page": 1,
        "page_size": 50,
        "next": None,
        "previous": None,
    }


def test_default_and_maximum_page_size_come_from_settings(admin_api, settings):
    settings.ACCORD_API_PAGE_SIZE = 2
    settings.ACCORD_API_MAX_PAGE_SIZE = 3
    for n in range(4):
        create_company(name=f"Company {n}")
    body = admin_api.get("/api/companies").json()
    assert (body["page_size"], len(body["items"])) == (2, 2)
    assert len(admin_api.get("/api/companies?page_size=3").json()["items"]) == 3
    too_big = admin_api.get("/api/companies?page_size=4")
    assert too_big.status_code == 422
    assert too_big.json()["field_errors"] == {"page_size": ["Must be between 1 and 3."]}


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("page_size=0", {"page_size": ["Must be between 1 and 500."]}),
        ("page_size=501", {"page_size": ["Must be between 1 and 500."]}),
        (
            "page_size=ten",
            {"page_size": ["Input should be a valid integer, unable to parse string as an integer"]},
        ),
        ("page=0", {"page": ["Input should be greater than or equal to 1"]}),
        ("page=-1", {"page": ["Input should be greater than or equal to 1"]}),
        ("page=99999999999999999999", {"page": ["Input should be less than or equal to 1000000"]}),
    ],
)
def test_out_of_bounds_paging_is_422(admin_api, query, errors):
    response = admin_api.get(f"/api/contacts?{query}")
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "Some fields are not valid.",
        "field_errors": errors,
    }


def test_largest_page_size_is_accepted(admin_api, five_contacts):
    body = admin_api.get("/api/contacts?page_size=500").json()
    assert (body["page_size"], len(body["items"]), body["next"]) == (500, 5, None)
