"""The filter tree's node types, and walking them. Parsing is in :mod:`accord.segments.parsing`;
the JSON format is described in :mod:`accord.segments.filters`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

from accord.segments.fields import NO_VALUE_OPS, FieldSpec, Kind, Op

Scalar: TypeAlias = str | int | float | bool | dt.date
Value: TypeAlias = Scalar | tuple[Scalar, ...] | None


# --------------------------------------------------------------------------- nodes
@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class FieldCondition:
    field: FieldSpec
    op: Op
    value: Value = None


@dataclass(frozen=True)
class PropertyFilter:
    """A condition on a key of an event's JSON properties; the value's type gives the kind."""

    key: str
    op: Op
    value: Value
    kind: Kind


@dataclass(frozen=True)
class EventCondition:
    """The contact did an event (type, optional name and property filters) ``op count`` times
    within the last ``within_days`` days (or ever)."""

    type: str
    name: str | None
    properties: tuple[PropertyFilter, ...]
    op: Op  # GTE, LTE or EQ
    count: int
    within_days: int | None


@dataclass(frozen=True)
class CampaignTouched:
    campaign_id: int
    within_days: int | None = None


@dataclass(frozen=True)
class InSegment:
    segment_id: int


Node: TypeAlias = All | AnyOf | Not | FieldCondition | EventCondition | CampaignTouched | InSegment
MATCH_ALL: Node = All(())

EVENT_COUNT_OPS = (Op.GTE, Op.LTE, Op.EQ)
EVENT_PROPERTY_OPS: dict[Kind, tuple[Op, ...]] = {
    Kind.TEXT: (
        Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.CONTAINS, Op.NOT_CONTAINS, Op.STARTS_WITH,
        Op.IS_NULL, Op.IS_NOT_NULL,
    ),
    Kind.NUMBER: (Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.IS_NULL, Op.IS_NOT_NULL),
    Kind.BOOLEAN: (Op.EQ, Op.NEQ, Op.IS_NULL, Op.IS_NOT_NULL),
}  # fmt: skip


# --------------------------------------------------------------------------- walking
def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first."""
    yield node
    if isinstance(node, All | AnyOf):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)


def walk_with_paths(node: Node, path: str = "filter") -> Iterator[tuple[str, Node]]:
    """Every node with its path in the JSON form (``filter.and.0.not``)."""
    yield path, node
    if isinstance(node, All | AnyOf):
        group = "and" if isinstance(node, All) else "or"
        for i, child in enumerate(node.children):
            yield from walk_with_paths(child, f"{path}.{group}.{i}")
    elif isinstance(node, Not):
        yield from walk_with_paths(node.child, f"{path}.not")


def referenced_segments(node: Node) -> set[int]:
    return {n.segment_id for n in walk(node) if isinstance(n, InSegment)}


def referenced_campaigns(node: Node) -> set[int]:
    return {n.campaign_id for n in walk(node) if isinstance(n, CampaignTouched)}


def depends_on_time(node: Node) -> bool:
    """Whether membership can change with the clock alone (time windows, relative dates)."""
    for n in walk(node):
        if isinstance(n, EventCondition | CampaignTouched) and n.within_days is not None:
            return True
        if isinstance(n, FieldCondition) and n.op is Op.WITHIN_LAST_DAYS:
            return True
    return False


# --------------------------------------------------------------------------- back to JSON
def _json_value(value: Value) -> Any:
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_json(node: Node) -> dict[str, Any]:
    """The canonical JSON form of a parsed tree (what is stored)."""
    if isinstance(node, All):
        return {"and": [to_json(c) for c in node.children]}
    if isinstance(node, AnyOf):
        return {"or": [to_json(c) for c in node.children]}
    if isinstance(node, Not):
        return {"not": to_json(node.child)}
    if isinstance(node, FieldCondition):
        data: dict[str, Any] = {"field": node.field.key, "op": node.op.value}
        if node.op not in NO_VALUE_OPS:
            data["value"] = _json_value(node.value)
        return data
    if isinstance(node, EventCondition):
        event: dict[str, Any] = {"type": node.type}
        if node.name is not None:
            event["name"] = node.name
        if node.properties:
            event["properties"] = [
                {
                    "key": p.key,
                    "op": p.op.value,
                    **({} if p.op in NO_VALUE_OPS else {"value": _json_value(p.value)}),
                }
                for p in node.properties
            ]
        data = {"event": event, "op": node.op.value, "count": node.count}
        if node.within_days is not None:
            data["within_days"] = node.within_days
        return data
    if isinstance(node, CampaignTouched):
        data = {"campaign_touched": node.campaign_id}
        if node.within_days is not None:
            data["within_days"] = node.within_days
        return data
    return {"in_segment": node.segment_id}
