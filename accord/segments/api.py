"""REST endpoints for segments: CRUD, live count preview, members, rebuild, static list changes.

Mounted by ``accord/api.py`` with ``api.add_router("/segments", segments_router)``: the paths below
are relative to ``/api/segments``. Each endpoint validates input, checks permission and calls one action.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status

from accord.accounts.api_auth import api_user
from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, check
from accord.core.api_support import Page, PageParams, error_responses, paginate
from accord.core.errors import NotFound
from accord.segments import actions
from accord.segments.compiler import count
from accord.segments.fields import load_catalog, op_label
from accord.segments.models import Segment, SegmentMembership
from accord.segments.schemas import (
    FieldOut,
    MemberOut,
    MembersChange,
    MembersChanged,
    PreviewIn,
    PreviewOut,
    RebuildOut,
    SegmentCreate,
    SegmentOut,
    SegmentQuery,
    SegmentUpdate,
)
from accord.segments.validation import clean_filter

router = Router(tags=["segments"])

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def _check(user: User, action: Action, segment: Segment | None = None) -> None:
    check(user, action, Resource.SEGMENT, segment)


def _segment(segment_id: int, *, for_update: bool = False) -> Segment:
    queryset = Segment.objects.select_for_update() if for_update else Segment.objects.all()
    segment = queryset.filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(f"Segment {segment_id} does not exist.")
    return segment


@router.get("", response={200: Page[SegmentOut], **error_responses(401, 403, 422)})
def list_segments(request: HttpRequest, query: Query[SegmentQuery]) -> dict[str, Any]:
    """Segments and static lists, by name."""
    _check(api_user(request), Action.VIEW)
    segments = Segment.objects.order_by("name", "id")
    if query.kind:
        segments = segments.filter(kind=query.kind)
    return paginate(request, segments, query)


@router.post("", response={201: SegmentOut, **WRITE_ERRORS})
def create_segment(request: HttpRequest, payload: SegmentCreate) -> Status[Segment]:
    """Create a dynamic segment (membership is built in the background) or an empty static list."""
    user = api_user(request)
    _check(user, Action.ADD)
    data = payload.model_dump()
    segment = actions.create_segment(owner=user, **data)
    return Status(201, segment)


@router.get("/fields", response={200: list[FieldOut], **error_responses(401, 403)})
def list_fields(request: HttpRequest) -> list[dict[str, Any]]:
    """The fields a filter may use, with their operators (the allow-list)."""
    _check(api_user(request), Action.VIEW)
    return [
        {
            "key": spec.key,
            "label": spec.label,
            "group": spec.group,
            "kind": spec.kind.value,
            "operators": [{"op": op.value, "label": op_label(spec.kind, op)} for op in spec.operators],
            "choices": [value for value, _ in spec.choices],
        }
        for spec in load_catalog().fields.values()
    ]


@router.post("/preview", response={200: PreviewOut, **error_responses(400, 401, 403, 422)})
def preview(request: HttpRequest, payload: PreviewIn) -> dict[str, int]:
    """How many contacts a filter matches now, without saving anything (the live count)."""
    _check(api_user(request), Action.VIEW)
    return {"count": count(clean_filter(payload.filter))}


@router.get("/{int:segment_id}", response={200: SegmentOut, **READ_ERRORS})
def get_segment(request: HttpRequest, segment_id: int) -> Segment:
    segment = _segment(segment_id)
    _check(api_user(request), Action.VIEW, segment)
    return segment


@router.patch("/{int:segment_id}", response={200: SegmentOut, **WRITE_ERRORS})
def update_segment(request: HttpRequest, segment_id: int, payload: SegmentUpdate) -> Segment:
    """Change the fields sent; a new filter is validated and the segment is rebuilt in the background."""
    user = api_user(request)
    with transaction.atomic():
        segment = _segment(segment_id, for_update=True)
        _check(user, Action.CHANGE, segment)
        return actions.update_segment(segment, **payload.model_dump(exclude_unset=True))


@router.delete("/{int:segment_id}", response={204: None, **WRITE_ERRORS})
def delete_segment(request: HttpRequest, segment_id: int) -> Status[None]:
    """Delete a segment and its membership; 409 while other segments use it."""
    segment = _segment(segment_id)
    _check(api_user(request), Action.DELETE, segment)
    actions.delete_segment(segment)
    return Status(204, None)


@router.get("/{int:segment_id}/members", response={200: Page[MemberOut], **READ_ERRORS})
def list_members(request: HttpRequest, segment_id: int, query: Query[PageParams]) -> dict[str, Any]:
    """The materialised members, by contact id."""
    segment = _segment(segment_id)
    _check(api_user(request), Action.VIEW, segment)
    members = (
        SegmentMembership.objects.filter(segment=segment).select_related("contact").order_by("contact_id")
    )
    return paginate(request, members, query)


@router.post("/{int:segment_id}/rebuild", response={200: RebuildOut, **WRITE_ERRORS})
def rebuild(request: HttpRequest, segment_id: int) -> actions.RebuildResult:
    """Rebuild the membership now (set-based; one transaction) and return what changed."""
    segment = _segment(segment_id)
    _check(api_user(request), Action.CHANGE, segment)
    return actions.rebuild_segment(segment)


@router.post("/{int:segment_id}/members", response={200: MembersChanged, **WRITE_ERRORS})
def add_members(request: HttpRequest, segment_id: int, payload: MembersChange) -> dict[str, int]:
    """Add contacts to a static list (422 for a dynamic segment or unknown contacts)."""
    segment = _segment(segment_id)
    _check(api_user(request), Action.CHANGE, segment)
    added = actions.add_to_static_list(segment, payload.contact_ids)
    return {"changed": added, "member_count": segment.member_count}


@router.post("/{int:segment_id}/members/remove", response={200: MembersChanged, **WRITE_ERRORS})
def remove_members(request: HttpRequest, segment_id: int, payload: MembersChange) -> dict[str, int]:
    """Remove contacts from a static list."""
    segment = _segment(segment_id)
    _check(api_user(request), Action.CHANGE, segment)
    removed = actions.remove_from_static_list(segment, payload.contact_ids)
    return {"changed": removed, "member_count": segment.member_count}
