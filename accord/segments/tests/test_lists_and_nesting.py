"""Static lists, segments built on other segments, and reference cycles."""

from __future__ import annotations

from typing import Any

import pytest

from accord.contacts.models import Contact
from accord.core.errors import Conflict, Invalid
from accord.segments.actions import (
    add_to_static_list,
    create_segment,
    delete_segment,
    rebuild_segment,
    rebuild_with_dependents,
    remove_from_static_list,
    update_segment,
)
from accord.segments.graph import dependency_order, find_cycle, load_graph
from accord.segments.models import Segment, SegmentMembership
from accord.segments.tests.fixtures import World
from accord.segments.tests.helpers import check, sql_ids
from accord.segments.tests.oracle import snapshot

pytestmark = pytest.mark.django_db


def members(segment: Segment) -> set[int]:
    return set(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", flat=True))


# ---------------------------------------------------------------- static lists
def test_static_list_members_are_added_and_removed_by_hand(world: World) -> None:
    ids = [c.pk for c in world.contacts[:5]]
    segment = create_segment(name="Hand picked", kind=Segment.Kind.STATIC)
    assert add_to_static_list(segment, ids) == 5
    assert add_to_static_list(segment, ids[:2]) == 0  # already members
    assert members(segment) == set(ids)
    assert remove_from_static_list(segment, [ids[0], 10**9]) == 1
    assert members(segment) == set(ids[1:])
    segment.refresh_from_db()
    assert segment.member_count == 4
    rebuild_segment(segment)  # a static list is only recounted
    assert members(segment) == set(ids[1:])


def test_static_lists_refuse_filters_and_unknown_contacts(world: World) -> None:
    segment = create_segment(name="Hand picked", kind=Segment.Kind.STATIC)
    with pytest.raises(Invalid, match="Unknown contact"):
        add_to_static_list(segment, [10**9])
    with pytest.raises(Invalid, match="no filter"):
        update_segment(segment, filter={"and": []})
    with pytest.raises(Invalid, match="no filter"):
        create_segment(
            name="Other", kind=Segment.Kind.STATIC, filter={"field": "country", "op": "eq", "value": "DE"}
        )


def test_dynamic_segments_refuse_hand_picked_members(world: World) -> None:
    with pytest.raises(Invalid) as info:
        add_to_static_list(world.leads, [world.contacts[0].pk])
    assert info.value.code == "not_a_static_list"


def test_names_are_unique_ignoring_case(world: World) -> None:
    with pytest.raises(Conflict) as info:
        create_segment(name="vip LIST", kind=Segment.Kind.STATIC)
    assert info.value.code == "duplicate_name"
    with pytest.raises(Invalid):
        create_segment(name="   ")


# ---------------------------------------------------------------- nesting
def test_in_segment_uses_materialised_membership(world: World) -> None:
    rows = snapshot()
    vip = check({"in_segment": world.static_list.pk}, world, rows)
    assert vip == members(world.static_list)
    not_vip_leads = check(
        {"and": [{"in_segment": world.leads.pk}, {"not": {"in_segment": world.static_list.pk}}]}, world, rows
    )
    assert not_vip_leads == members(world.leads) - members(world.static_list)


def test_a_static_list_change_rebuilds_the_segments_using_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    uses_vip = create_segment(name="VIP leads", filter={"and": [{"in_segment": world.static_list.pk}]})
    rebuild_segment(uses_vip)
    newcomer = next(c for c in world.contacts if c.pk not in members(world.static_list))
    with django_capture_on_commit_callbacks(execute=True):
        add_to_static_list(world.static_list, [newcomer.pk])
    assert newcomer.pk in members(uses_vip)


def test_dependents_are_rebuilt_in_dependency_order(world: World) -> None:
    base = create_segment(name="Base", filter={"field": "lifecycle_stage", "op": "eq", "value": "customer"})
    middle = create_segment(name="Middle", filter={"in_segment": base.pk})
    top = create_segment(name="Top", filter={"and": [{"in_segment": middle.pk}, {"in_segment": base.pk}]})
    results = rebuild_with_dependents(base.pk)
    assert [r.segment_id for r in results] == [base.pk, middle.pk, top.pk]
    customers = set(Contact.objects.filter(lifecycle_stage="customer").values_list("pk", flat=True))
    assert members(top) == customers and customers


def test_a_segment_cannot_include_itself_or_close_a_loop(world: World) -> None:
    a = create_segment(name="A", filter={"field": "country", "op": "eq", "value": "DE"})
    b = create_segment(name="B", filter={"in_segment": a.pk})
    c = create_segment(name="C", filter={"not": {"in_segment": b.pk}})
    with pytest.raises(Invalid) as info:
        update_segment(a, filter={"in_segment": a.pk})
    assert info.value.field_errors == {"filter.in_segment": ["A segment cannot include itself."]}
    with pytest.raises(Invalid) as info:
        update_segment(
            a, filter={"or": [{"field": "country", "op": "eq", "value": "US"}, {"in_segment": c.pk}]}
        )
    assert "filter.or.1.in_segment" in info.value.field_errors
    assert "A → C → B → A" in info.value.message
    a.refresh_from_db()
    assert a.filter == {"field": "country", "op": "eq", "value": "DE"}


def test_references_must_exist(world: World) -> None:
    with pytest.raises(Invalid) as info:
        create_segment(name="X", filter={"and": [{"in_segment": 10**9}, {"campaign_touched": 10**9}]})
    assert set(info.value.field_errors) == {"filter.and.0.in_segment", "filter.and.1.campaign_touched"}


def test_a_segment_in_use_cannot_be_deleted(world: World) -> None:
    base = create_segment(name="Base", filter={"field": "country", "op": "eq", "value": "DE"})
    create_segment(name="Uses base", filter={"in_segment": base.pk})
    with pytest.raises(Conflict, match="Uses base"):
        delete_segment(base)
    lone = create_segment(name="Lone")
    rebuild_segment(lone)
    delete_segment(lone)
    assert not SegmentMembership.objects.filter(segment_id=lone.pk).exists()


def test_graph_helpers() -> None:
    edges = {1: {2}, 2: {3}, 3: set(), 4: {1, 3}}
    assert dependency_order([1, 2, 3, 4], edges) == [3, 2, 1, 4]
    assert find_cycle(3, [4], edges) == [3, 4, 1, 2, 3]
    assert find_cycle(3, [], edges) is None
    assert dependency_order([1, 2], {1: {2}, 2: {1}}) == [1, 2]  # an old cycle does not hang


def test_graph_reads_stored_filters(world: World) -> None:
    user = create_segment(name="Uses leads", filter={"not": {"and": [{"in_segment": world.leads.pk}]}})
    assert load_graph()[user.pk] == {world.leads.pk}
    assert sql_ids({"in_segment": world.leads.pk}, world) == members(world.leads)
