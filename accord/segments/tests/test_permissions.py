"""Who may change and delete which segment (``Resource.SEGMENT``), through the pages and the API.

Marketers, SDRs and AEs see every segment, create their own and change or delete only those they
own; marketing managers, sales managers and admins change and delete any.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role, Team, User
from accord.contacts.actions import create_contact
from accord.contacts.models import Contact
from accord.handoff.actions import save_rule
from accord.segments.actions import add_to_static_list, create_segment
from accord.segments.models import Segment, SegmentMembership

pytestmark = pytest.mark.django_db

LEADS = {"field": "lifecycle_stage", "op": "in", "value": ["lead", "mql"]}
CUSTOMERS = {"field": "lifecycle_stage", "op": "eq", "value": "customer"}


@pytest.fixture
def contacts(db: None) -> list[Contact]:
    return [
        create_contact(email=f"perm{i}@seg.test", lifecycle_stage=stage)
        for i, stage in enumerate(["lead", "mql", "customer"])
    ]


@pytest.fixture
def marketer(make_user: Callable[..., User]) -> User:
    return make_user(Role.MARKETER, username="mara")


@pytest.fixture
def other_marketer(make_user: Callable[..., User]) -> User:
    return make_user(Role.MARKETER, username="otto")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def patch(client: Any, url: str, body: Any) -> Any:
    return client.patch(url, body, content_type="application/json")


def post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def save_form(name: str, tree: dict[str, Any]) -> dict[str, str]:
    """The builder page's form, saved in JSON mode."""
    return {
        "name": name,
        "description": "",
        "mode": "json",
        "filter_json": json.dumps(tree),
        "action": "save",
    }


def assert_forbidden(response: Any) -> None:
    assert response.status_code == 403, (response.status_code, response.content[:300])
    assert response.json()["code"] == "forbidden"


def test_a_marketer_cannot_change_or_delete_another_marketers_segment_on_the_pages(
    marketer: User, other_marketer: User, contacts: list[Contact]
) -> None:
    theirs = create_segment(name="Otto's leads", description="Kept", filter=LEADS, owner=other_marketer)
    their_list = create_segment(name="Otto's list", kind=Segment.Kind.STATIC, owner=other_marketer)
    add_to_static_list(their_list, [contacts[0].pk])
    client = logged_in(marketer)

    page = client.get(theirs.get_absolute_url())
    assert page.status_code == 200  # everyone sees every segment
    assert page.context["can_change"] is False and page.context["can_delete"] is False
    assert reverse("segments:segment_edit", args=[theirs.pk]) not in page.content.decode()

    assert client.get(reverse("segments:segment_edit", args=[theirs.pk])).status_code == 403
    edit = client.post(reverse("segments:segment_edit", args=[theirs.pk]), save_form("Taken", CUSTOMERS))
    assert edit.status_code == 403
    assert client.post(reverse("segments:segment_rebuild", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("segments:segment_delete", args=[theirs.pk])).status_code == 403
    add = client.post(reverse("segments:list_add", args=[their_list.pk]), {"emails": contacts[1].email})
    assert add.status_code == 403
    remove = client.post(reverse("segments:list_remove", args=[their_list.pk, contacts[0].pk]))
    assert remove.status_code == 403
    assert client.post(reverse("segments:segment_delete", args=[their_list.pk])).status_code == 403

    theirs.refresh_from_db()
    assert (theirs.name, theirs.description, theirs.filter, theirs.last_rebuilt_at) == (
        "Otto's leads",
        "Kept",
        LEADS,
        None,
    )
    members = SegmentMembership.objects.filter(segment=their_list).values_list("contact_id", flat=True)
    assert list(members) == [contacts[0].pk]
    assert Segment.objects.filter(pk__in=[theirs.pk, their_list.pk]).count() == 2


def test_a_marketer_cannot_change_or_delete_another_marketers_segment_through_the_api(
    marketer: User,
    other_marketer: User,
    contacts: list[Contact],
    api_client_for: Callable[[User], Any],
) -> None:
    theirs = create_segment(name="Otto's leads", description="Kept", filter=LEADS, owner=other_marketer)
    their_list = create_segment(name="Otto's list", kind=Segment.Kind.STATIC, owner=other_marketer)
    api = api_client_for(marketer)

    assert api.get(f"/api/segments/{theirs.pk}").status_code == 200
    assert_forbidden(patch(api, f"/api/segments/{theirs.pk}", {"name": "Taken", "filter": CUSTOMERS}))
    assert_forbidden(post(api, f"/api/segments/{theirs.pk}/rebuild", {}))
    assert_forbidden(api.delete(f"/api/segments/{theirs.pk}"))
    assert_forbidden(post(api, f"/api/segments/{their_list.pk}/members", {"contact_ids": [contacts[0].pk]}))
    assert_forbidden(api.delete(f"/api/segments/{their_list.pk}"))

    theirs.refresh_from_db()
    assert (theirs.name, theirs.filter, theirs.last_rebuilt_at) == ("Otto's leads", LEADS, None)
    assert not SegmentMembership.objects.filter(segment=their_list).exists()
    assert Segment.objects.filter(pk__in=[theirs.pk, their_list.pk]).count() == 2


def test_a_marketer_changes_and_deletes_their_own_segment(
    marketer: User, contacts: list[Contact], api_client_for: Callable[[User], Any]
) -> None:
    mine = create_segment(name="Mine", filter=LEADS, owner=marketer)
    client = logged_in(marketer)
    page = client.get(mine.get_absolute_url())
    assert page.context["can_change"] is True and page.context["can_delete"] is True

    saved = client.post(
        reverse("segments:segment_edit", args=[mine.pk]), save_form("Mine, renamed", CUSTOMERS)
    )
    assert saved.status_code == 302 and saved["Location"] == mine.get_absolute_url()
    mine.refresh_from_db()
    assert (mine.name, mine.filter) == ("Mine, renamed", CUSTOMERS)

    api = api_client_for(marketer)
    changed = patch(api, f"/api/segments/{mine.pk}", {"description": "Customers only"})
    assert changed.status_code == 200 and changed.json()["description"] == "Customers only"

    deleted = client.post(reverse("segments:segment_delete", args=[mine.pk]))
    assert deleted.status_code == 302 and not Segment.objects.filter(pk=mine.pk).exists()
    my_list = create_segment(name="My list", kind=Segment.Kind.STATIC, owner=marketer)
    assert api.delete(f"/api/segments/{my_list.pk}").status_code == 204
    assert not Segment.objects.filter(pk=my_list.pk).exists()


def test_a_marketing_manager_changes_and_deletes_anyones_segment(
    marketer: User, users: dict[str, User], contacts: list[Contact], api_client_for: Callable[[User], Any]
) -> None:
    manager = users[Role.MARKETING_MANAGER]
    theirs = create_segment(name="Mara's", filter=LEADS, owner=marketer)
    unowned = create_segment(name="Nobody's", kind=Segment.Kind.STATIC)
    client = logged_in(manager)

    saved = client.post(reverse("segments:segment_edit", args=[theirs.pk]), save_form("Managed", CUSTOMERS))
    assert saved.status_code == 302
    api = api_client_for(manager)
    changed = patch(api, f"/api/segments/{theirs.pk}", {"description": "Reviewed"})
    assert changed.status_code == 200
    theirs.refresh_from_db()
    assert (theirs.name, theirs.filter, theirs.description, theirs.owner) == (
        "Managed",
        CUSTOMERS,
        "Reviewed",
        marketer,  # changing a segment does not take it over
    )
    added = post(api, f"/api/segments/{unowned.pk}/members", {"contact_ids": [contacts[0].pk]})
    assert added.status_code == 200 and added.json()["member_count"] == 1
    assert api.delete(f"/api/segments/{theirs.pk}").status_code == 204
    assert client.post(reverse("segments:segment_delete", args=[unowned.pk])).status_code == 302
    assert not Segment.objects.filter(pk__in=[theirs.pk, unowned.pk]).exists()


def test_an_sdr_creates_and_changes_their_own_segments_only(
    users: dict[str, User], marketer: User, contacts: list[Contact], api_client_for: Callable[[User], Any]
) -> None:
    sdr = users[Role.SDR]
    client = logged_in(sdr)
    created = client.post(reverse("segments:segment_create"), save_form("SDR leads", LEADS))
    assert created.status_code == 302
    on_page = Segment.objects.get(name="SDR leads")
    assert on_page.owner == sdr
    listed = client.post(reverse("segments:list_create"), {"name": "SDR list"})
    assert listed.status_code == 302
    sdr_list = Segment.objects.get(name="SDR list")
    assert sdr_list.owner == sdr
    add = client.post(reverse("segments:list_add", args=[sdr_list.pk]), {"emails": contacts[0].email})
    assert add.status_code == 302
    assert list(SegmentMembership.objects.filter(segment=sdr_list).values_list("contact_id", flat=True)) == [
        contacts[0].pk
    ]

    api = api_client_for(sdr)
    made = post(api, "/api/segments", {"name": "SDR via API", "filter": LEADS})
    assert made.status_code == 201 and made.json()["owner_id"] == sdr.pk
    changed = patch(api, f"/api/segments/{made.json()['id']}", {"filter": CUSTOMERS})
    assert changed.status_code == 200 and changed.json()["filter"] == CUSTOMERS
    saved = client.post(reverse("segments:segment_edit", args=[on_page.pk]), save_form("SDR leads 2", LEADS))
    assert saved.status_code == 302

    marketing = create_segment(name="Marketing's", filter=LEADS, owner=marketer)
    assert_forbidden(patch(api, f"/api/segments/{marketing.pk}", {"name": "Mine now"}))
    assert client.get(reverse("segments:segment_edit", args=[marketing.pk])).status_code == 403
    marketing.refresh_from_db()
    assert marketing.name == "Marketing's"


def test_a_segment_a_routing_rule_uses_is_safe_from_other_marketers(
    users: dict[str, User], marketer: User, api_client_for: Callable[[User], Any]
) -> None:
    """A marketer used to hold the contact change grant on every record, and so could rewrite the
    filter of any segment, including one that decides where leads are routed."""
    owner = users[Role.MARKETING_MANAGER]
    vips = create_segment(name="VIPs", filter=LEADS, owner=owner)
    team = Team.objects.create(name="Enterprise", kind=Team.Kind.SALES)
    save_rule(None, name="VIPs to enterprise", team=team, segment=vips)

    assert_forbidden(patch(api_client_for(marketer), f"/api/segments/{vips.pk}", {"filter": CUSTOMERS}))
    vips.refresh_from_db()
    assert vips.filter == LEADS

    changed = patch(
        api_client_for(users[Role.SALES_MANAGER]), f"/api/segments/{vips.pk}", {"filter": CUSTOMERS}
    )
    assert changed.status_code == 200
    vips.refresh_from_db()
    assert vips.filter == CUSTOMERS
