"""Full rebuilds: set-based statements that insert new members and delete stale ones."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.contacts.models import Contact
from accord.segments.actions import create_segment, rebuild_segment, update_segment
from accord.segments.models import Segment, SegmentMembership
from accord.segments.tests.fixtures import World
from accord.segments.tests.helpers import sql_ids

pytestmark = pytest.mark.django_db

DE_LEADS: dict[str, Any] = {
    "and": [
        {"field": "lifecycle_stage", "op": "in", "value": ["lead", "mql", "customer"]},
        {"not": {"field": "country", "op": "eq", "value": "US"}},
    ]
}


def members(segment: Segment) -> set[int]:
    return set(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", flat=True))


def test_rebuild_materialises_exactly_the_matching_contacts(world: World) -> None:
    segment = create_segment(name="DE leads", filter=DE_LEADS)
    assert segment.is_stale
    result = rebuild_segment(segment)
    expected = sql_ids(DE_LEADS, world)
    assert members(segment) == expected and expected
    assert (result.added, result.removed, result.member_count) == (len(expected), 0, len(expected))
    segment.refresh_from_db()
    assert segment.member_count == len(expected)
    assert segment.last_rebuilt_at == result.rebuilt_at
    assert not segment.is_stale


def test_rebuild_inserts_new_members_and_deletes_stale_ones(world: World) -> None:
    segment = create_segment(name="DE leads", filter=DE_LEADS)
    rebuild_segment(segment, now=world.now)
    before = members(segment)
    leaving = Contact.objects.get(pk=min(before))
    Contact.objects.filter(pk=leaving.pk).update(country="US")
    joining = Contact.objects.exclude(pk__in=before).exclude(country="US").first()
    assert joining is not None
    Contact.objects.filter(pk=joining.pk).update(lifecycle_stage="mql")
    added_at = dict(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", "added_at"))

    result = rebuild_segment(segment, now=world.now)

    assert members(segment) == (before - {leaving.pk}) | {joining.pk}
    assert (result.added, result.removed) == (1, 1)
    kept = dict(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", "added_at"))
    assert all(kept[c] == added_at[c] for c in before - {leaving.pk})  # existing rows are untouched


def test_rebuild_is_idempotent(world: World) -> None:
    segment = create_segment(name="DE leads", filter=DE_LEADS)
    rebuild_segment(segment, now=world.now)
    result = rebuild_segment(segment, now=world.now)
    assert (result.added, result.removed) == (0, 0)


def test_rebuild_is_a_few_set_based_statements(world: World) -> None:
    segment = create_segment(name="DE leads", filter=DE_LEADS)
    with CaptureQueriesContext(connection) as queries:
        rebuild_segment(segment, now=world.now)
    statements = [q["sql"] for q in queries.captured_queries]
    # the filter is evaluated once, into a temporary table of contact ids …
    evaluations = [sql for sql in statements if '"contacts_contact"' in sql]
    assert len(evaluations) == 1
    assert evaluations[0].startswith(
        ('INSERT INTO "segment_rebuild_ids"', 'CREATE TEMPORARY TABLE "segment_rebuild_ids"')
    )
    # … then one DELETE of members not in it, and one INSERT … SELECT of the new ones (the ids
    # that are members already having been dropped from the temporary table first)
    writes = [
        sql for sql in statements if sql.startswith(('INSERT INTO "segments_', 'DELETE FROM "segments_'))
    ]
    assert len(writes) == 2
    delete, insert = writes
    assert (
        delete.startswith('DELETE FROM "segments_segmentmembership" WHERE "segment_id" = ')
        and "NOT EXISTS" in delete
    )
    assert (
        insert.startswith('INSERT INTO "segments_segmentmembership"')
        and 'FROM "segment_rebuild_ids"' in insert
    )
    assert "segments_segmentmembership" not in insert.split("FROM", 1)[1]  # never reads the table it writes
    assert len(statements) <= 16


def test_a_new_filter_marks_the_segment_stale_and_rebuild_catches_up(world: World) -> None:
    segment = create_segment(name="DE leads", filter=DE_LEADS)
    rebuild_segment(segment, now=world.now)
    update_segment(segment, filter={"field": "lifecycle_stage", "op": "eq", "value": "customer"})
    assert segment.is_stale
    rebuild_segment(segment)
    assert members(segment) == set(
        Contact.objects.filter(lifecycle_stage="customer").values_list("pk", flat=True)
    )
    assert not segment.is_stale


def test_the_same_filter_does_not_mark_the_segment_stale(world: World) -> None:
    segment = create_segment(name="DE leads", filter=DE_LEADS)
    rebuild_segment(segment)
    update_segment(segment, filter=DE_LEADS, description="same filter")
    assert not segment.is_stale


def test_create_and_update_schedule_a_rebuild_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        segment = create_segment(
            name="Customers", filter={"field": "lifecycle_stage", "op": "eq", "value": "customer"}
        )
    assert len(callbacks) == 1
    segment.refresh_from_db()
    assert segment.last_rebuilt_at is not None
    assert members(segment) == set(
        Contact.objects.filter(lifecycle_stage="customer").values_list("pk", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        update_segment(segment, filter={"field": "lifecycle_stage", "op": "eq", "value": "lead"})
    assert members(segment) == set(
        Contact.objects.filter(lifecycle_stage="lead").values_list("pk", flat=True)
    )


def test_the_everyone_segment(world: World) -> None:
    segment = create_segment(name="Everyone")
    rebuild_segment(segment)
    assert segment.member_count == Contact.objects.count()


def test_deleting_a_contact_removes_its_memberships(world: World) -> None:
    segment = create_segment(name="Everyone")
    rebuild_segment(segment)
    contact = Contact.objects.get(pk=world.contacts[0].pk)
    contact.delete()
    assert not SegmentMembership.objects.filter(contact_id=world.contacts[0].pk).exists()


def test_a_rebuild_removes_members_whose_contact_was_deleted_behind_its_back(world: World) -> None:
    segment = create_segment(name="Everyone")
    rebuild_segment(segment)
    gone = 10**9  # as if deleted with raw SQL: no cascade from Django, and no database constraint
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO segments_segmentmembership (segment_id, contact_id, added_at) VALUES (%s, %s, %s)",
            [segment.pk, gone, connection.ops.adapt_datetimefield_value(world.now)],
        )
    result = rebuild_segment(segment)
    assert result.removed == 1
    assert not SegmentMembership.objects.filter(segment=segment, contact_id=gone).exists()
    assert result.member_count == Contact.objects.count()


def test_the_hourly_task_rebuilds_only_segments_that_move_with_the_clock(world: World) -> None:
    from accord.segments.rebuild import rebuild_time_dependent

    windowed = create_segment(
        name="Recent", filter={"field": "created_at", "op": "within_last_days", "value": 7}
    )
    uses_it = create_segment(name="Recent leads", filter={"and": [{"in_segment": windowed.pk}, DE_LEADS]})
    create_segment(name="Timeless", filter=DE_LEADS)
    results = rebuild_time_dependent(now=world.now)
    assert [r.segment_id for r in results] == [windowed.pk, uses_it.pk]
    assert members(windowed) == sql_ids({"field": "created_at", "op": "within_last_days", "value": 7}, world)
