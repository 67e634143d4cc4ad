"""Request and response bodies of the segments API.

The filter tree is taken as a JSON object and validated by :mod:`accord.segments.filters`
(errors come back as ``field_errors`` keyed by the tree path, e.g. ``filter.and.0.value``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from accord.core.api_support import CleanStr, Id, JsonObject, PageParams
from accord.segments.actions import MAX_DESCRIPTION, MAX_LIST_CHANGE, MAX_NAME

FILTER_HELP = (
    'The filter tree: groups `{"and": [...]}`, `{"or": [...]}`, `{"not": {...}}` and conditions '
    '`{"field", "op", "value"}`, `{"event": {"type", "name", "properties"}, "op", "count", '
    '"within_days"}`, `{"campaign_touched": id, "within_days"}`, `{"in_segment": id}`. '
    "See `GET /api/segments/fields` for the fields and operators."
)


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class SegmentQuery(PageParams):
    kind: Literal["dynamic", "static"] | None = None


class SegmentCreate(_Input):
    name: CleanStr = Field(max_length=MAX_NAME)
    description: CleanStr = Field("", max_length=MAX_DESCRIPTION)
    kind: Literal["dynamic", "static"] = "dynamic"
    filter: JsonObject | None = Field(None, description=FILTER_HELP + ' Default: everyone (`{"and": []}`).')


class SegmentUpdate(_Input):
    """Only the fields sent change; ``null`` leaves a field as it is."""

    name: CleanStr | None = Field(None, max_length=MAX_NAME)
    description: CleanStr | None = Field(None, max_length=MAX_DESCRIPTION)
    filter: JsonObject | None = Field(None, description=FILTER_HELP)


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    filter: dict[str, Any]
    owner_id: int | None
    member_count: int = Field(description="Members at the last rebuild, kept current by incremental updates.")
    last_rebuilt_at: datetime | None
    is_stale: bool = Field(description="The filter changed and the rebuild has not run yet.")
    rebuild_error: str = Field(
        description="Why the last rebuild or refresh failed (membership is not kept current until a "
        'rebuild succeeds); "" when nothing failed.'
    )
    rebuild_failed_at: datetime | None = Field(
        description="When that failure was first seen; null when none."
    )
    created_at: datetime
    updated_at: datetime


class PreviewIn(_Input):
    filter: JsonObject = Field(description=FILTER_HELP)


class PreviewOut(Schema):
    count: int = Field(description="Contacts the filter matches now.")


class MemberOut(Schema):
    contact_id: int
    email: str = Field(alias="contact.email")
    first_name: str = Field(alias="contact.first_name")
    last_name: str = Field(alias="contact.last_name")
    lifecycle_stage: str = Field(alias="contact.lifecycle_stage")
    added_at: datetime


class MembersChange(_Input):
    contact_ids: list[Id] = Field(min_length=1, max_length=MAX_LIST_CHANGE)


class MembersChanged(Schema):
    changed: int = Field(description="Contacts actually added (or removed).")
    member_count: int


class RebuildOut(Schema):
    added: int
    removed: int
    member_count: int
    rebuilt_at: datetime


class OperatorOut(Schema):
    op: str
    label: str


class FieldOut(Schema):
    key: str
    label: str
    group: str
    kind: str
    operators: list[OperatorOut]
    choices: list[str]
