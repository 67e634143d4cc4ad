"""Every write on segments. Views and the API call these, nothing else writes.

Rebuilds run after commit in a task (:mod:`accord.segments.tasks`); :func:`rebuild_segment` and
:func:`refresh_for_contacts` (from :mod:`accord.segments.rebuild`) are the set-based engine.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accord.accounts.models import User
from accord.contacts.models import Contact
from accord.core.errors import Conflict, Invalid
from accord.segments import graph, membership, tasks
from accord.segments.filters import to_json
from accord.segments.models import Segment, SegmentMembership
from accord.segments.rebuild import (
    RebuildResult,
    rebuild_segment,
    rebuild_with_dependents,
    refresh_for_contacts,
)
from accord.segments.validation import clean_filter

__all__ = [
    "RebuildResult",
    "add_to_static_list",
    "create_segment",
    "delete_segment",
    "move_memberships",
    "rebuild_segment",
    "rebuild_with_dependents",
    "refresh_for_contacts",
    "remove_from_static_list",
    "schedule_refresh",
    "update_segment",
]

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_LIST_CHANGE = 1000
EMPTY_FILTER: dict[str, Any] = {"and": []}


def _clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("A segment needs a name.", field_errors={"name": ["This field is required."]})
    name = name.strip()
    if len(name) > MAX_NAME:
        raise Invalid("The name is too long.", field_errors={"name": [f"At most {MAX_NAME} characters."]})
    return name


def _clean_description(description: Any) -> str:
    if not isinstance(description, str):
        raise Invalid("The description must be text.", field_errors={"description": ["Must be text."]})
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            "The description is too long.",
            field_errors={"description": [f"At most {MAX_DESCRIPTION} characters."]},
        )
    return description.strip()


def _save(segment: Segment) -> None:
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as exc:
        raise Conflict(
            f"A segment named {segment.name!r} already exists.",
            field_errors={"name": ["A segment with this name already exists."]},
            code="duplicate_name",
        ) from exc


def _schedule_rebuild(segment_id: int) -> None:
    transaction.on_commit(lambda: tasks.rebuild_segment_task(segment_id))


def schedule_refresh(contact_ids: Collection[int]) -> None:
    """After commit, refresh every dynamic segment for these contacts (in a task)."""
    ids = sorted({int(i) for i in contact_ids})
    if ids:
        transaction.on_commit(lambda: tasks.refresh_contacts_task(ids))


def create_segment(
    *,
    name: str,
    description: str = "",
    kind: str = Segment.Kind.DYNAMIC,
    filter: Mapping[str, Any] | None = None,
    owner: User | None = None,
) -> Segment:
    """Create a dynamic segment (its membership is built after commit) or an empty static list."""
    if kind not in Segment.Kind.values:
        raise Invalid(
            "Unknown kind of segment.",
            field_errors={"kind": [f"Must be one of: {', '.join(Segment.Kind.values)}."]},
        )
    segment = Segment(
        name=_clean_name(name), description=_clean_description(description), kind=kind, owner=owner
    )
    if kind == Segment.Kind.DYNAMIC:
        segment.filter = to_json(clean_filter(filter if filter is not None else EMPTY_FILTER))
        segment.filter_changed_at = timezone.now()
    elif filter:
        raise Invalid(
            "A static list has no filter.", field_errors={"filter": ["A static list has no filter."]}
        )
    with transaction.atomic():
        _save(segment)
        if segment.is_dynamic:
            _schedule_rebuild(segment.pk)
    return segment


def update_segment(
    segment: Segment,
    *,
    name: str | None = None,
    description: str | None = None,
    filter: Mapping[str, Any] | None = None,
    owner: User | None = None,
) -> Segment:
    """Change a segment; a new filter is validated (including reference cycles) and triggers a rebuild."""
    if name is not None:
        segment.name = _clean_name(name)
    if description is not None:
        segment.description = _clean_description(description)
    if owner is not None:
        segment.owner = owner
    filter_changed = False
    if filter is not None:
        if not segment.is_dynamic:
            raise Invalid(
                "A static list has no filter.", field_errors={"filter": ["A static list has no filter."]}
            )
        cleaned = to_json(clean_filter(filter, segment_id=segment.pk))
        if cleaned != segment.filter:
            segment.filter = cleaned
            segment.filter_changed_at = timezone.now()
            # A recorded failure was about the old filter; the new one is rebuilt after commit.
            segment.rebuild_error, segment.rebuild_failed_at = "", None
            filter_changed = True
    with transaction.atomic():
        _save(segment)
        if filter_changed:
            _schedule_rebuild(segment.pk)
    return segment


def delete_segment(segment: Segment) -> None:
    """Delete a segment and its membership; refused while other segments use it."""
    users = [i for i, refs in graph.load_graph().items() if segment.pk in refs and i != segment.pk]
    if users:
        names = ", ".join(
            Segment.objects.filter(pk__in=users).order_by("name").values_list("name", flat=True)
        )
        raise Conflict(
            f"Segment {segment.name!r} is used by: {names}. Change those segments first.",
            code="segment_in_use",
        )
    with transaction.atomic():
        segment.delete()


def _list_change(segment: Segment, contact_ids: Collection[int]) -> list[int]:
    if segment.is_dynamic:
        raise Invalid(
            "Contacts are added to a dynamic segment by its filter, not by hand.",
            code="not_a_static_list",
        )
    ids = sorted({int(i) for i in contact_ids})
    if len(ids) > MAX_LIST_CHANGE:
        raise Invalid(
            f"Change at most {MAX_LIST_CHANGE} contacts at a time.",
            field_errors={"contact_ids": [f"At most {MAX_LIST_CHANGE} ids."]},
        )
    return ids


def _after_list_change(segment: Segment, delta: int) -> None:
    if delta:
        Segment.objects.filter(pk=segment.pk).update(member_count=F("member_count") + delta)
        segment.refresh_from_db(fields=["member_count"])
        if graph.dependents(segment.pk, graph.load_graph()):
            # Segments built on this list change too.
            transaction.on_commit(lambda: tasks.rebuild_dependents_task(segment.pk))


def add_to_static_list(segment: Segment, contact_ids: Collection[int]) -> int:
    """Add contacts to a static list; returns how many were not members yet (unknown ids are refused)."""
    ids = _list_change(segment, contact_ids)
    known = set(Contact.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in known]
    if missing:
        raise Invalid(
            f"Unknown contact id(s): {', '.join(map(str, missing[:20]))}.",
            field_errors={"contact_ids": ["Some contacts do not exist."]},
        )
    with transaction.atomic():
        added = membership.add_contacts(segment.pk, ids, at=timezone.now())
        _after_list_change(segment, added)
    return added


def remove_from_static_list(segment: Segment, contact_ids: Collection[int]) -> int:
    """Remove contacts from a static list; returns how many were members."""
    ids = _list_change(segment, contact_ids)
    with transaction.atomic():
        removed = membership.remove_contacts(segment.pk, ids)
        _after_list_change(segment, -removed)
    return removed


def move_memberships(primary_id: int, duplicate_id: int) -> None:
    """Merge hook: the duplicate contact's memberships become the primary's.

    Where both were members, the duplicate's row goes and the segment counts one member less.
    Dynamic segments are then refreshed for the primary after commit (its fields changed).
    """
    duplicate_rows = SegmentMembership.objects.filter(contact_id=duplicate_id)
    primary_segments = SegmentMembership.objects.filter(contact_id=primary_id).values("segment_id")
    overlap = list(
        duplicate_rows.filter(segment_id__in=primary_segments).values_list("segment_id", flat=True)
    )
    if overlap:
        duplicate_rows.filter(segment_id__in=overlap).delete()
        Segment.objects.filter(pk__in=overlap).update(member_count=F("member_count") - 1)
    duplicate_rows.update(contact_id=primary_id)
    schedule_refresh([primary_id])
