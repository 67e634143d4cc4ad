"""A plain-Python evaluation of a filter tree over a snapshot of the data: the reference the
compiled SQL is checked against. It shares no code with the compiler, only the documented meaning:

- a value of the wrong JSON type counts as no value; "is empty" is no value (or "" for text);
- "contains"/"starts with" ignore the case of ASCII letters;
- dates compare by UTC calendar day; "in the last N days" is [now - N days, now];
- "is not", "is none of", "does not contain" are exactly "not (is …)", so unknown values match them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from accord.contacts.models import Contact
from accord.segments.fields import NEGATIONS, Column, JsonKey, Kind, Op, Score
from accord.segments.filters import (
    All,
    AnyOf,
    CampaignTouched,
    EventCondition,
    FieldCondition,
    InSegment,
    Node,
    Not,
    PropertyFilter,
)
from accord.segments.models import SegmentMembership
from accord.tracking.models import Touchpoint

MISSING = object()


@dataclass
class Event:
    type: str
    name: str
    campaign_id: int | None
    occurred_at: dt.datetime
    properties: dict[str, Any]


@dataclass
class Row:
    id: int
    columns: dict[str, Any]
    properties: dict[str, Any]
    company_properties: dict[str, Any] | None
    events: list[Event] = field(default_factory=list)
    segments: set[int] = field(default_factory=set)
    scores: dict[str, float] = field(default_factory=dict)  # "score", "score.fit", …; absent: 0


def snapshot() -> list[Row]:
    rows: dict[int, Row] = {}
    for c in Contact.objects.select_related("company"):
        company = c.company
        columns = {
            "email": c.email,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "title": c.title,
            "country": c.country,
            "lifecycle_stage": c.lifecycle_stage,
            "owner_id": c.owner_id,
            "created_at": c.created_at,
        }
        for name in ("name", "domain", "industry", "size", "revenue_band", "country"):
            columns[f"company__{name}"] = getattr(company, name) if company else None
        rows[c.pk] = Row(
            c.pk, columns, dict(c.properties or {}), dict(company.properties or {}) if company else None
        )
    for t in Touchpoint.objects.filter(contact__isnull=False):
        assert t.contact_id is not None
        rows[t.contact_id].events.append(
            Event(t.type, t.name, t.campaign_id, t.occurred_at, dict(t.properties))
        )
    for segment_id, contact_id in SegmentMembership.objects.values_list("segment_id", "contact_id"):
        rows[contact_id].segments.add(segment_id)
    return list(rows.values())


def _fold(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def _typed(value: Any, kind: Kind) -> Any:
    if value is MISSING or value is None:
        return None
    if kind in (Kind.TEXT, Kind.CHOICE, Kind.DATE):
        return value if isinstance(value, str) else None
    if kind is Kind.NUMBER:
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if kind is Kind.BOOLEAN:
        return value if isinstance(value, bool) else None
    return value


def _day(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date()
    return value


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def compare(kind: Kind, op: Op, raw: Any, operand: Any, now: dt.datetime, *, json: bool) -> bool:
    """``raw op operand`` for a value of ``kind`` (``json``: read from a JSON document)."""
    if op in NEGATIONS:
        return not compare(kind, NEGATIONS[op], raw, operand, now, json=json)
    value = _typed(raw, kind) if json else (None if raw is MISSING else raw)
    if op is Op.IS_NULL:
        return value is None or (kind in (Kind.TEXT, Kind.CHOICE, Kind.DATE) and value == "")
    if value is None:
        return False
    if kind is Kind.DATETIME:
        day = _day(value)
        if op is Op.WITHIN_LAST_DAYS:
            return now - dt.timedelta(days=operand) <= value <= now
        if op is Op.BETWEEN:
            return operand[0] <= day <= operand[1]
        return {Op.BEFORE: day < operand, Op.AFTER: day > operand}.get(op, day == operand)
    if kind is Kind.DATE:
        if op is Op.WITHIN_LAST_DAYS:
            today = now.astimezone(dt.UTC).date()
            return (today - dt.timedelta(days=operand)).isoformat() <= value <= today.isoformat()
        if op is Op.BETWEEN:
            return _iso(operand[0]) <= value <= _iso(operand[1])
        return {Op.BEFORE: value < _iso(operand), Op.AFTER: value > _iso(operand)}.get(
            op, value == _iso(operand)
        )
    if op is Op.EQ:
        return bool(value == operand)
    if op is Op.IN:
        return value in operand
    if op is Op.CONTAINS:
        return _fold(operand) in _fold(value)
    if op is Op.STARTS_WITH:
        return _fold(value).startswith(_fold(operand))
    if op is Op.BETWEEN:
        return bool(operand[0] <= value <= operand[1])
    return bool(
        {Op.GT: value > operand, Op.GTE: value >= operand, Op.LT: value < operand, Op.LTE: value <= operand}[
            op
        ]
    )


def _field(node: FieldCondition, row: Row, now: dt.datetime) -> bool:
    source, kind = node.field.source, node.field.kind
    if isinstance(source, Column):
        return compare(kind, node.op, row.columns.get(source.path, MISSING), node.value, now, json=False)
    if isinstance(source, JsonKey):
        document = row.properties if source.column == "properties" else row.company_properties
        raw = MISSING if document is None else document.get(source.key, MISSING)
        return compare(kind, node.op, raw, node.value, now, json=True)
    assert isinstance(source, Score)
    return compare(kind, node.op, row.scores.get(node.field.key, 0), node.value, now, json=False)


def _event_matches(node: EventCondition, event: Event, now: dt.datetime) -> bool:
    if event.type != node.type or (node.name is not None and event.name != node.name):
        return False
    if node.within_days is not None and event.occurred_at < now - dt.timedelta(days=node.within_days):
        return False
    return all(_property(p, event, now) for p in node.properties)


def _property(prop: PropertyFilter, event: Event, now: dt.datetime) -> bool:
    return compare(prop.kind, prop.op, event.properties.get(prop.key, MISSING), prop.value, now, json=True)


def evaluate(node: Node, row: Row, now: dt.datetime) -> bool:
    if isinstance(node, All):
        return all(evaluate(c, row, now) for c in node.children)
    if isinstance(node, AnyOf):
        return any(evaluate(c, row, now) for c in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, row, now)
    if isinstance(node, FieldCondition):
        return _field(node, row, now)
    if isinstance(node, EventCondition):
        n = sum(1 for e in row.events if _event_matches(node, e, now))
        return {Op.GTE: n >= node.count, Op.LTE: n <= node.count, Op.EQ: n == node.count}[node.op]
    if isinstance(node, CampaignTouched):
        since = now - dt.timedelta(days=node.within_days) if node.within_days is not None else None
        return any(
            e.campaign_id == node.campaign_id and (since is None or e.occurred_at >= since)
            for e in row.events
        )
    assert isinstance(node, InSegment)
    return node.segment_id in row.segments


def matching_ids(node: Node, rows: list[Row], now: dt.datetime) -> set[int]:
    return {row.id for row in rows if evaluate(node, row, now)}
