"""A filter tree in words, for the segment page ("Lifecycle stage is any of Lead, MQL")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.accounts.models import User
from accord.campaigns.models import Campaign
from accord.core.errors import Invalid
from accord.segments.fields import Catalog, Kind, Op, op_label
from accord.segments.filters import (
    All,
    AnyOf,
    CampaignTouched,
    EventCondition,
    FieldCondition,
    InSegment,
    Node,
    Not,
    parse_filter,
    referenced_campaigns,
    referenced_segments,
    walk,
)
from accord.segments.models import Segment
from accord.tracking.models import EventType

_COUNT_WORDS = {Op.GTE: "at least", Op.LTE: "at most", Op.EQ: "exactly"}


@dataclass
class Line:
    text: str
    children: list[Line] = field(default_factory=list)


class _Describer:
    def __init__(self, tree: Node) -> None:
        self.campaigns = dict(
            Campaign.objects.filter(pk__in=referenced_campaigns(tree)).values_list("pk", "name")
        )
        self.segments = dict(
            Segment.objects.filter(pk__in=referenced_segments(tree)).values_list("pk", "name")
        )
        owner_ids = {
            v
            for n in walk(tree)
            if isinstance(n, FieldCondition) and n.field.kind is Kind.USER
            for v in (n.value if isinstance(n.value, tuple) else (n.value,))
        }
        self.users = {
            u.pk: str(u) for u in User.objects.filter(pk__in=[i for i in owner_ids if isinstance(i, int)])
        }

    def value(self, condition: FieldCondition, value: Any) -> str:
        if isinstance(value, tuple):
            joiner = " and " if condition.op is Op.BETWEEN else ", "
            return joiner.join(self.value(condition, v) for v in value)
        spec = condition.field
        if spec.kind is Kind.CHOICE:
            return dict(spec.choices).get(value, str(value))
        if spec.kind is Kind.USER:
            return self.users.get(value, f"user {value}")
        if spec.kind is Kind.BOOLEAN:
            return "yes" if value else "no"
        if condition.op is Op.WITHIN_LAST_DAYS:
            return f"{value} day{'s' if value != 1 else ''}"
        if hasattr(value, "isoformat"):
            return str(value.isoformat())
        return f"“{value}”" if isinstance(value, str) else str(value)

    def line(self, node: Node) -> Line:
        if isinstance(node, All):
            if not node.children:
                return Line("Every contact")
            return Line("All of these:", [self.line(c) for c in node.children])
        if isinstance(node, AnyOf):
            return Line("Any of these:", [self.line(c) for c in node.children])
        if isinstance(node, Not):
            child = node.child
            if isinstance(child, AnyOf):
                return Line("None of these:", [self.line(c) for c in child.children])
            if isinstance(child, InSegment):
                return Line(f"Is not in segment {self.segment(child.segment_id)}")
            return Line("Not:", [self.line(child)])
        if isinstance(node, FieldCondition):
            text = f"{node.field.label} {op_label(node.field.kind, node.op).replace(' … days', '')}"
            if node.value is not None:
                text += f" {self.value(node, node.value)}"
            return Line(text)
        if isinstance(node, EventCondition):
            return Line(self.event(node))
        if isinstance(node, CampaignTouched):
            name = self.campaigns.get(node.campaign_id, f"#{node.campaign_id}")
            return Line(f"Touched campaign “{name}”{_window(node.within_days)}")
        return Line(f"Is in segment {self.segment(node.segment_id)}")

    def segment(self, segment_id: int) -> str:
        return f"“{self.segments.get(segment_id, f'#{segment_id}')}”"

    def event(self, node: EventCondition) -> str:
        label = dict(EventType.choices).get(node.type, node.type)
        text = f"Did “{label}”"
        if node.name:
            text += f" named “{node.name}”"
        for prop in node.properties:
            words = op_label(prop.kind, prop.op)
            value = "" if prop.value is None else f" {_words(prop.value)}"
            text += f" where {prop.key} {words}{value}"
        times = "time" if node.count == 1 else "times"
        return f"{text} {_COUNT_WORDS[node.op]} {node.count} {times}{_window(node.within_days)}"


def _words(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(_words(v) for v in value)
    return (
        f"“{value}”"
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def _window(days: int | None) -> str:
    if days is None:
        return ""
    return f" in the last {days} day{'s' if days != 1 else ''}"


def describe(tree: Node) -> Line:
    return _Describer(tree).line(tree)


def describe_json(data: Mapping[str, Any], catalog: Catalog) -> Line | None:
    """Words for a stored filter; None if it no longer parses (e.g. a property was deleted)."""
    try:
        return describe(parse_filter(data, catalog))
    except Invalid:
        return None
