"""Incremental refresh: membership follows contacts, events and companies as they change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.contacts.actions import (
    create_contact,
    merge_contacts,
    set_contact_stage,
    update_company,
    update_contact,
)
from accord.contacts.models import Contact
from accord.segments.actions import add_to_static_list, create_segment, rebuild_segment, refresh_for_contacts
from accord.segments.models import Segment, SegmentMembership
from accord.segments.rebuild import REFRESH_BATCH
from accord.segments.tests.fixtures import World
from accord.tracking.actions import record_touchpoint

pytestmark = pytest.mark.django_db

IN_GERMANY = {"field": "country", "op": "eq", "value": "DE"}
PRICING_TWICE = {
    "event": {"type": "page", "properties": [{"key": "url", "op": "starts_with", "value": "/pricing"}]},
    "op": "gte",
    "count": 2,
    "within_days": 7,
}


def members(segment: Segment) -> set[int]:
    return set(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", flat=True))


@pytest.fixture
def germany(world: World) -> Segment:
    segment = create_segment(name="Germany", filter=IN_GERMANY)
    rebuild_segment(segment)
    return segment


def test_refresh_adds_and_removes_only_the_changed_contacts(world: World, germany: Segment) -> None:
    leaving = Contact.objects.filter(country="DE").first()
    joining = Contact.objects.exclude(country="DE").first()
    untouched = Contact.objects.exclude(country="DE").exclude(pk=joining.pk).first()  # type: ignore[union-attr]
    assert leaving and joining and untouched
    Contact.objects.filter(pk=leaving.pk).update(country="FR")
    Contact.objects.filter(pk__in=[joining.pk, untouched.pk]).update(country="DE")
    before = members(germany)

    changed = refresh_for_contacts([leaving.pk, joining.pk])

    assert changed == 2
    assert members(germany) == (before - {leaving.pk}) | {joining.pk}  # untouched waits for a rebuild
    germany.refresh_from_db()
    assert germany.member_count == len(before)


def test_refresh_runs_two_statements_per_segment_per_batch(world: World, germany: Segment) -> None:
    create_segment(name="Pricing", filter=PRICING_TWICE)
    create_segment(name="A list", kind=Segment.Kind.STATIC)
    ids = list(Contact.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        refresh_for_contacts(ids)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))]
    dynamic = Segment.objects.filter(kind=Segment.Kind.DYNAMIC).count()
    assert len(writes) == 2 * dynamic * (-(-len(ids) // REFRESH_BATCH))


def test_refresh_of_many_contacts_goes_in_batches(world: World, germany: Segment, monkeypatch: Any) -> None:
    monkeypatch.setattr("accord.segments.rebuild.REFRESH_BATCH", 7)
    Contact.objects.update(country="DE")
    refresh_for_contacts(Contact.objects.values_list("pk", flat=True))
    assert members(germany) == set(Contact.objects.values_list("pk", flat=True))


def test_refresh_follows_segment_dependencies(world: World, germany: Segment) -> None:
    nested = create_segment(
        name="German leads",
        filter={
            "and": [{"in_segment": germany.pk}, {"field": "lifecycle_stage", "op": "eq", "value": "lead"}]
        },
    )
    rebuild_segment(nested)
    contact = Contact.objects.exclude(country="DE").filter(lifecycle_stage="lead").first()
    assert contact is not None
    Contact.objects.filter(pk=contact.pk).update(country="DE")
    refresh_for_contacts([contact.pk])
    assert contact.pk in members(germany)
    assert contact.pk in members(nested)  # refreshed after Germany, so it saw the new membership


def test_unknown_and_deleted_contacts_are_harmless(world: World, germany: Segment) -> None:
    assert refresh_for_contacts([10**9]) == 0
    assert refresh_for_contacts([]) == 0


# ---------------------------------------------------------------- wired to changes, after commit
def test_editing_a_contact_refreshes_its_memberships(
    world: World, germany: Segment, django_capture_on_commit_callbacks: Any
) -> None:
    contact = Contact.objects.exclude(country="DE").first()
    assert contact is not None
    with django_capture_on_commit_callbacks(execute=True):
        update_contact(contact, country="DE")
    assert contact.pk in members(germany)


def test_a_stage_change_refreshes_its_memberships(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    customers = create_segment(
        name="Customers", filter={"field": "lifecycle_stage", "op": "eq", "value": "customer"}
    )
    rebuild_segment(customers)
    contact = create_contact(email="new@refresh.test", lifecycle_stage="opportunity")
    with django_capture_on_commit_callbacks(execute=True):
        set_contact_stage(contact, "customer")
    assert contact.pk in members(customers)


def test_a_new_event_refreshes_its_contact(world: World, django_capture_on_commit_callbacks: Any) -> None:
    segment = create_segment(name="Pricing", filter=PRICING_TWICE)
    rebuild_segment(segment)
    contact = create_contact(email="shopper@refresh.test")
    for hours in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            record_touchpoint(
                type="page",
                occurred_at=timezone.now() - dt.timedelta(hours=hours),
                contact_id=contact.pk,
                properties={"url": "/pricing"},
            )
        assert (contact.pk in members(segment)) is (hours == 2)


def test_a_company_change_refreshes_its_contacts(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    segment = create_segment(
        name="Gold tier", filter={"field": "company.properties.tier", "op": "eq", "value": "gold"}
    )
    rebuild_segment(segment)
    company = world.companies[1]  # silver
    staff = set(Contact.objects.filter(company=company).values_list("pk", flat=True))
    assert staff and not staff & members(segment)
    with django_capture_on_commit_callbacks(execute=True):
        update_company(company, properties={"tier": "gold"})
    assert staff <= members(segment)


def test_merging_contacts_moves_their_memberships(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    vip = world.static_list
    listed = members(vip)
    duplicate = Contact.objects.get(pk=min(listed))
    primary = Contact.objects.exclude(pk__in=listed).first()
    other = Contact.objects.exclude(pk__in=listed).exclude(pk=primary.pk).first()  # type: ignore[union-attr]
    assert primary and other
    both = create_segment(name="Two", kind=Segment.Kind.STATIC)
    add_to_static_list(both, [primary.pk, duplicate.pk])
    with django_capture_on_commit_callbacks(execute=True):
        merge_contacts(primary, duplicate)
    assert primary.pk in members(vip) and duplicate.pk not in members(vip)
    assert members(both) == {primary.pk}
    both.refresh_from_db()
    assert both.member_count == 1


def test_an_ingested_batch_refreshes_its_contacts(world: World) -> None:
    from accord.tracking.signals import touchpoints_ingested

    segment = create_segment(name="Germany", filter=IN_GERMANY)
    rebuild_segment(segment)
    movers = list(Contact.objects.exclude(country="DE")[:3])
    Contact.objects.filter(pk__in=[c.pk for c in movers]).update(country="DE")  # a bulk write: no post_save
    touchpoints_ingested.send(
        sender=None, contact_ids=[c.pk for c in movers], event_types=["identify"], stored=3
    )
    assert {c.pk for c in movers} <= members(segment)
