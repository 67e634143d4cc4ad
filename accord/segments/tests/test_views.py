"""The segment pages: list, builder (plain form posts and htmx fragments), live count, segment page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, User
from accord.contacts.actions import create_contact
from accord.contacts.models import Contact
from accord.segments.actions import add_to_static_list, create_segment, rebuild_segment
from accord.segments.models import Segment, SegmentMembership
from accord.tracking.actions import record_touchpoint

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def contacts(db: None) -> list[Contact]:
    made = [
        create_contact(email=f"view{i}@seg.test", first_name=f"P{i}", lifecycle_stage=stage, country=country)
        for i, (stage, country) in enumerate(
            [("lead", "DE"), ("mql", "DE"), ("lead", "US"), ("customer", "DE"), ("subscriber", "FR")]
        )
    ]
    for contact in made[:2]:
        for hours in (1, 2):
            record_touchpoint(
                type="page", occurred_at=timezone.now() - dt.timedelta(hours=hours),
                contact_id=contact.pk, properties={"url": "/pricing"},
            )  # fmt: skip
    return made


@pytest.fixture
def marketer(users: dict[str, User], client: Client) -> Client:
    client.force_login(users[Role.MARKETER])
    return client


def builder_form(action: str = "refresh", **extra: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "Hot leads",
        "description": "Leads in Germany on the pricing page",
        "mode": "builder",
        "match": "all",
        "g0-match": "all",
        "g0-c0-kind": "field",
        "g0-c0-field": "lifecycle_stage",
        "g0-c0-op": "in",
        "g0-c0-value": ["lead", "mql"],
        "g0-c1-kind": "field",
        "g0-c1-field": "country",
        "g0-c1-op": "eq",
        "g0-c1-value": "de",
        "g0-c2-kind": "event",
        "g0-c2-event_type": "page",
        "g0-c2-prop_key": "url",
        "g0-c2-prop_op": "contains",
        "g0-c2-prop_value": "/pricing",
        "g0-c2-count_op": "gte",
        "g0-c2-count": "2",
        "g0-c2-days": "30",
        "action": action,
    }
    form.update(extra)
    return form


def test_anonymous_users_go_to_login(client: Client) -> None:
    response = client.get(reverse("segments:segment_list"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_list_shows_segments_with_counts(marketer: Client, contacts: list[Contact]) -> None:
    segment = create_segment(name="German leads", filter={"field": "country", "op": "eq", "value": "DE"})
    rebuild_segment(segment)
    create_segment(name="Picked by hand", kind=Segment.Kind.STATIC)
    html = marketer.get(reverse("segments:segment_list")).content.decode()
    assert "German leads" in html and "Picked by hand" in html and "Static list" in html
    assert ">\n            3\n" in html or "3" in html
    assert reverse("segments:segment_create") in html


def test_the_builder_page_shows_a_live_count(marketer: Client, contacts: list[Contact]) -> None:
    response = marketer.get(reverse("segments:segment_create"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="segment-builder"' in html and 'id="live-count"' in html
    assert 'hx-post="/segments/preview/"' in html
    assert "5</strong>" in html  # no conditions yet: every contact


def test_preview_fragment_counts_the_form_as_it_is(marketer: Client, contacts: list[Contact]) -> None:
    response = marketer.post(reverse("segments:preview"), builder_form(), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<output id="live-count"')
    assert "<html" not in html
    assert "2</strong>" in html and "contacts match right now" in html
    broken = marketer.post(reverse("segments:preview"), builder_form(**{"g0-c2-count": "-1"}), headers=HTMX)
    assert "Fix the highlighted conditions" in broken.content.decode()


def test_buttons_work_as_plain_form_posts(marketer: Client, contacts: list[Contact]) -> None:
    response = marketer.post(reverse("segments:segment_create"), builder_form("add:0:campaign"))
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'name="g0-c3-kind" value="campaign"' in html
    removed = marketer.post(reverse("segments:segment_create"), builder_form("remove:0:1")).content.decode()
    assert 'name="g0-c1-kind" value="event"' in removed and 'name="g0-c2-kind"' not in removed
    grouped = marketer.post(reverse("segments:segment_create"), builder_form("add-group")).content.decode()
    assert 'name="g1-match"' in grouped and 'name="match"' in grouped


def test_htmx_gets_only_the_builder_fragment(marketer: Client, contacts: list[Contact]) -> None:
    html = marketer.post(
        reverse("segments:segment_create"), builder_form("add:0:segment"), headers=HTMX
    ).content.decode()
    assert html.lstrip().startswith('<form id="segment-builder"')
    assert "<html" not in html
    assert 'name="g0-c3-kind" value="segment"' in html


def test_changing_the_field_offers_its_operators(marketer: Client, contacts: list[Contact]) -> None:
    form = builder_form(**{"g0-c1-field": "created_at"})  # the op "eq" stays; the value is no date
    html = marketer.post(reverse("segments:segment_create"), form, headers=HTMX).content.decode()
    assert 'value="within_last_days"' in html and 'type="date"' in html


def test_saving_creates_the_segment_and_builds_it(
    marketer: Client, contacts: list[Contact], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = marketer.post(reverse("segments:segment_create"), builder_form("save"))
    segment = Segment.objects.get(name="Hot leads")
    assert response.status_code == 302 and response["Location"] == segment.get_absolute_url()
    assert segment.filter == {
        "and": [
            {"field": "lifecycle_stage", "op": "in", "value": ["lead", "mql"]},
            {"field": "country", "op": "eq", "value": "DE"},
            {
                "event": {
                    "type": "page",
                    "properties": [{"key": "url", "op": "contains", "value": "/pricing"}],
                },
                "op": "gte",
                "count": 2,
                "within_days": 30,
            },
        ]
    }
    assert set(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", flat=True)) == {
        contacts[0].pk,
        contacts[1].pk,
    }
    page = marketer.get(segment.get_absolute_url()).content.decode()
    assert contacts[0].email in page and "Last rebuilt" in page
    assert "Lifecycle stage is any of Lead, Marketing qualified lead" in page
    assert "at least 2 times in the last 30 days" in page


def test_saving_with_problems_shows_them_on_the_rows(marketer: Client, contacts: list[Contact]) -> None:
    form = builder_form("save", **{"g0-c2-count": "-1", "name": ""})
    response = marketer.post(reverse("segments:segment_create"), form)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Must be a whole number from 0" in html or "A segment needs a name" in html
    assert not Segment.objects.exists()
    form = builder_form("save", **{"g0-c2-count": "-1"})
    html = marketer.post(reverse("segments:segment_create"), form).content.decode()
    assert "has-error" in html and "Must be a whole number from 0" in html


def test_editing_loads_the_saved_filter(
    marketer: Client, contacts: list[Contact], users: dict[str, User]
) -> None:
    segment = create_segment(
        name="Mixed",
        filter={"or": [
            {"and": [{"field": "country", "op": "eq", "value": "DE"}, {"not": {"in_segment": create_segment(name="x").pk}}]},
            {"not": {"or": [{"field": "lifecycle_stage", "op": "eq", "value": "customer"}]}},
        ]},
        owner=users[Role.MARKETER],
    )  # fmt: skip
    html = marketer.get(reverse("segments:segment_edit", args=[segment.pk])).content.decode()
    assert (
        'name="g1-c0-field"' in html and '<option value="any" selected>any of these groups</option>' in html
    )
    assert '<option value="1" selected>Is not in segment</option>' in html
    assert '<option value="none" selected>None of these is true</option>' in html


def test_too_deep_filters_are_edited_as_json(
    marketer: Client, contacts: list[Contact], users: dict[str, User]
) -> None:
    deep = {"and": [{"or": [{"and": [{"field": "country", "op": "eq", "value": "DE"}]}]}]}
    segment = create_segment(name="Deep", filter=deep, owner=users[Role.MARKETER])
    html = marketer.get(reverse("segments:segment_edit", args=[segment.pk])).content.decode()
    assert 'name="filter_json"' in html and "&quot;country&quot;" in html
    form = {
        "name": "Deep",
        "mode": "json",
        "action": "save",
        "filter_json": '{"field": "country", "op": "eq", "value": "US"}',
    }
    response = marketer.post(reverse("segments:segment_edit", args=[segment.pk]), form)
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.filter == {"field": "country", "op": "eq", "value": "US"}
    form["filter_json"] = '{"field": "country", "op": "like", "value": "US"}'
    bad = marketer.post(reverse("segments:segment_edit", args=[segment.pk]), form)
    assert bad.status_code == 422 and "filter.op" in bad.content.decode()


def test_segment_page_members_status_and_rebuild(
    marketer: Client, contacts: list[Contact], users: dict[str, User]
) -> None:
    segment = create_segment(
        name="Germany", filter={"field": "country", "op": "eq", "value": "DE"}, owner=users[Role.MARKETER]
    )  # rebuilding is a change: marketers change their own segments
    stale = marketer.get(segment.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in stale and "updating…" in stale
    status = marketer.get(segment.get_absolute_url() + "?part=status&was_stale=1", headers=HTMX)
    assert (
        status.content.decode().lstrip().startswith('<div id="segment-status"') and "HX-Refresh" not in status
    )
    response = marketer.post(reverse("segments:segment_rebuild", args=[segment.pk]), follow=True)
    html = response.content.decode()
    assert "Rebuilt: 3 members (3 added, 0 removed)." in html
    assert 'hx-trigger="every 2s"' not in html
    for contact in contacts:
        assert (contact.email in html) is (contact.country == "DE")
    done = marketer.get(segment.get_absolute_url() + "?part=status&was_stale=1", headers=HTMX)
    assert done["HX-Refresh"] == "true"
    members = marketer.get(segment.get_absolute_url() + "?part=members", headers=HTMX).content.decode()
    assert "<html" not in members and contacts[0].email in members


def test_static_list_pages(marketer: Client, contacts: list[Contact]) -> None:
    response = marketer.post(reverse("segments:list_create"), {"name": "Webinar guests"})
    segment = Segment.objects.get(name="Webinar guests")
    assert response["Location"] == segment.get_absolute_url()
    emails = f"{contacts[0].email}\n{contacts[1].email.upper()}, nobody@nowhere.test"
    page = marketer.post(reverse("segments:list_add", args=[segment.pk]), {"emails": emails}, follow=True)
    html = page.content.decode()
    assert "Added 2 contacts." in html and "No contact with: nobody@nowhere.test" in html
    marketer.post(reverse("segments:list_remove", args=[segment.pk, contacts[0].pk]))
    assert set(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", flat=True)) == {
        contacts[1].pk
    }


def test_delete_and_its_refusal(marketer: Client, contacts: list[Contact], users: dict[str, User]) -> None:
    manager = Client()
    manager.force_login(users[Role.MARKETING_MANAGER])
    base = create_segment(name="Base", kind=Segment.Kind.STATIC)
    add_to_static_list(base, [contacts[0].pk])
    create_segment(name="On base", filter={"in_segment": base.pk})
    refused = manager.post(reverse("segments:segment_delete", args=[base.pk]), follow=True)
    assert "is used by: On base" in refused.content.decode()
    assert marketer.post(reverse("segments:segment_delete", args=[base.pk])).status_code == 403
    lone = create_segment(name="Lone")
    assert manager.post(reverse("segments:segment_delete", args=[lone.pk]))["Location"] == reverse(
        "segments:segment_list"
    )
    assert not Segment.objects.filter(pk=lone.pk).exists()


def test_others_cannot_edit_what_they_do_not_own(
    users: dict[str, User], client: Client, contacts: list[Contact]
) -> None:
    segment = create_segment(name="Marketing's", owner=users[Role.MARKETER])
    client.force_login(users[Role.SDR])  # contacts: change own only
    assert client.get(segment.get_absolute_url()).status_code == 200
    assert client.get(reverse("segments:segment_edit", args=[segment.pk])).status_code == 403
    assert client.post(reverse("segments:segment_rebuild", args=[segment.pk])).status_code == 403


def test_picking_another_field_clears_the_old_value(marketer: Client, contacts: list[Contact]) -> None:
    form = builder_form(**{"g0-c1-shown_field": "country", "g0-c1-field": "first_name", "g0-c1-op": "eq"})
    html = marketer.post(reverse("segments:segment_create"), form, headers=HTMX).content.decode()
    assert 'name="g0-c1-value" value=""' in html
    kept = builder_form(**{"g0-c1-shown_field": "country"})
    assert (
        'name="g0-c1-value" value="de"'
        in marketer.post(reverse("segments:segment_create"), kept, headers=HTMX).content.decode()
    )
