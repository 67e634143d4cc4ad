"""The segment filter tree: typed nodes, parsed and validated from JSON.

The JSON form (what the API takes and what ``Segment.filter`` stores)::

    {"and": [
        {"field": "lifecycle_stage", "op": "in", "value": ["lead", "mql"]},
        {"field": "company.size", "op": "in", "value": ["51-200", "201-1000"]},
        {"not": {"in_segment": 12}},
        {"or": [
            {"event": {"type": "page", "properties": [{"key": "url", "op": "contains", "value": "/pricing"}]},
             "op": "gte", "count": 3, "within_days": 30},
            {"campaign_touched": 7, "within_days": 90}
        ]}
    ]}

Values: dates are ``"YYYY-MM-DD"`` from :data:`MIN_DATE` (1900-01-01) to :data:`MAX_DATE`
(9998-12-31; timestamps are compared with the start of the next day, which must exist);
windows (``within_last_days``, ``within_days``) are whole days up to :data:`MAX_DAYS` (100 years);
event counts up to :data:`MAX_COUNT`; numbers within ±:data:`MAX_NUMBER`; ids are positive 64-bit
integers. Anything outside is refused with the path of the value.

This module is the public face: the node types (:mod:`accord.segments.nodes`) and
:func:`parse_filter` (:mod:`accord.segments.parsing`). Parsing is pure: it needs the field
:class:`~accord.segments.fields.Catalog`, not the database.
Whether referenced campaigns and segments exist, and whether segment references form a cycle,
is checked by :mod:`accord.segments.validation`. Every problem is reported with the path of the
offending part (``filter.and.2.value``) in :class:`~accord.core.errors.Invalid`.
"""

from __future__ import annotations

from accord.segments.nodes import (
    EVENT_COUNT_OPS,
    EVENT_PROPERTY_OPS,
    MATCH_ALL,
    All,
    AnyOf,
    CampaignTouched,
    EventCondition,
    FieldCondition,
    InSegment,
    Node,
    Not,
    PropertyFilter,
    Scalar,
    Value,
    depends_on_time,
    referenced_campaigns,
    referenced_segments,
    to_json,
    walk,
    walk_with_paths,
)
from accord.segments.parsing import (
    MAX_CONDITIONS,
    MAX_COUNT,
    MAX_DATE,
    MAX_DAYS,
    MAX_DEPTH,
    MAX_ID,
    MAX_LIST,
    MAX_NUMBER,
    MAX_TEXT,
    MIN_DATE,
    parse_filter,
)

__all__ = [
    "EVENT_COUNT_OPS",
    "EVENT_PROPERTY_OPS",
    "MATCH_ALL",
    "MAX_CONDITIONS",
    "MAX_COUNT",
    "MAX_DATE",
    "MAX_DAYS",
    "MAX_DEPTH",
    "MAX_ID",
    "MAX_LIST",
    "MAX_NUMBER",
    "MAX_TEXT",
    "MIN_DATE",
    "All",
    "AnyOf",
    "CampaignTouched",
    "EventCondition",
    "FieldCondition",
    "InSegment",
    "Node",
    "Not",
    "PropertyFilter",
    "Scalar",
    "Value",
    "depends_on_time",
    "parse_filter",
    "referenced_campaigns",
    "referenced_segments",
    "to_json",
    "walk",
    "walk_with_paths",
]
