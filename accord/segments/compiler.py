"""Compile a filter tree into ONE parameterised SQL query over contacts.

:func:`compile_segment` returns a ``QuerySet[Contact]``; Django writes the SQL and binds every value.
The tree is first put in negation normal form (``not`` pushed down to the conditions with De
Morgan's laws), and each condition has a strictly two-valued positive and negative form
(:mod:`accord.segments.conditions`), so ``not`` never meets SQL's NULL logic.

Conditions over other tables become sets of contact ids, tested with
:class:`~accord.segments.expressions.InContactSet`:

- an event done at least *k* times: ``SELECT contact_id FROM touchpoint WHERE <type, name, window,
  property filters> GROUP BY contact_id HAVING COUNT(*) >= k`` (no grouping for *k* = 1); "at most"
  and "exactly" are combinations of "at least" and its complement;
- a campaign touched: the contact ids of its touchpoints (within the window);
- membership of another segment: that segment's materialised members.

With ``contact_ids`` every set is restricted to those contacts too, so the incremental refresh of
a small batch never aggregates the whole event table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accord.contacts.models import Contact
from accord.segments.conditions import FALSE, TRUE, Scope, value_condition
from accord.segments.expressions import InContactSet, Unindexed
from accord.segments.fields import JsonKey, Op
from accord.segments.filters import (
    All,
    AnyOf,
    CampaignTouched,
    EventCondition,
    FieldCondition,
    Node,
    Not,
)
from accord.segments.models import SegmentMembership
from accord.tracking.models import Touchpoint


class _Compiler:
    def __init__(self, now: dt.datetime, contact_ids: Collection[int] | None) -> None:
        self.now = now
        self.contact_ids = list(contact_ids) if contact_ids is not None else None
        self.scope = Scope("_seg")

    def node(self, node: Node, negated: bool = False) -> Q:
        if isinstance(node, All | AnyOf):
            parts = [self.node(child, negated) for child in node.children]
            conjunction = isinstance(node, All) != negated  # De Morgan
            if not parts:
                return TRUE if conjunction else FALSE
            result = parts[0]
            for part in parts[1:]:
                result = result & part if conjunction else result | part
            return result
        if isinstance(node, Not):
            return self.node(node.child, not negated)
        if isinstance(node, FieldCondition):
            spec = node.field
            condition = value_condition(
                self.scope, spec.source, spec.kind, node.op, node.value, self.now, strict=negated
            )
            return ~condition if negated else condition
        if isinstance(node, EventCondition):
            return self.event(node, negated)
        if isinstance(node, CampaignTouched):
            touches = self.touchpoints(campaign_id=node.campaign_id)
            if node.within_days is not None:
                touches = touches.filter(occurred_at__gte=self.now - dt.timedelta(days=node.within_days))
            return self.in_set(self.restrict(touches).values("contact_id"), negated)
        members = SegmentMembership.objects.filter(segment_id=node.segment_id)
        return self.in_set(self.restrict(members).values("contact_id"), negated)

    def touchpoints(self, **equal: Any) -> QuerySet[Touchpoint]:
        """Touchpoints of contacts where each ``column=value`` holds.

        For a batch of contacts the columns are :class:`Unindexed` so SQLite reads the batch through
        the (contact_id, occurred_at) index instead of the whole window through (type, …) or (campaign, …).
        """
        rows = Touchpoint.objects.filter(contact_id__isnull=False)
        if self.contact_ids is None:
            return rows.filter(**equal)
        names = {column: f"_batch_{column}" for column in equal}
        rows = rows.alias(**{names[column]: Unindexed(F(column)) for column in equal})
        return rows.filter(**{names[column]: value for column, value in equal.items()})

    def restrict(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        rows = rows.order_by()
        return rows if self.contact_ids is None else rows.filter(contact_id__in=self.contact_ids)

    def in_set(self, ids: QuerySet[Any], negated: bool) -> Q:
        return Q(InContactSet(ids, negated=negated))

    # ------------------------------------------------------------------ events
    def event(self, node: EventCondition, negated: bool) -> Q:
        """``count(matching events) op n`` from "at least k" sets: ≤ n is not ≥ n+1; = n is ≥ n and not ≥ n+1."""
        n = node.count
        if node.op is Op.GTE:
            return self.at_least(node, n, negated)
        if node.op is Op.LTE:
            return self.at_least(node, n + 1, not negated)
        if negated:
            return self.at_least(node, n, True) | self.at_least(node, n + 1, False)
        return self.at_least(node, n, False) & self.at_least(node, n + 1, True)

    def at_least(self, node: EventCondition, k: int, negated: bool) -> Q:
        if k <= 0:
            return FALSE if negated else TRUE
        scope = Scope("_ev")
        condition = Q()
        if node.name is not None:
            condition &= Q(name=node.name)
        if node.within_days is not None:
            condition &= Q(occurred_at__gte=self.now - dt.timedelta(days=node.within_days))
        for prop in node.properties:
            source = JsonKey("properties", prop.key)
            condition &= value_condition(
                scope, source, prop.kind, prop.op, prop.value, self.now, strict=False
            )
        events = self.restrict(self.touchpoints(type=node.type).alias(**scope.aliases).filter(condition))
        if k == 1:
            ids = events.values("contact_id")
        else:
            ids = (
                events.values("contact_id")
                .annotate(events=Count("*"))
                .filter(events__gte=k)
                .values("contact_id")
            )
        return self.in_set(ids, negated)


def _tree(tree: Node | Mapping[str, Any]) -> Node:
    if isinstance(tree, Mapping):
        from accord.segments.validation import clean_filter

        return clean_filter(tree)
    return tree


def compile_segment(
    tree: Node | Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    contact_ids: Collection[int] | None = None,
) -> QuerySet[Contact]:
    """The contacts ``tree`` matches (one SQL query); optionally only among ``contact_ids``.

    ``tree`` is a parsed :data:`~accord.segments.filters.Node` or its JSON form (parsed and
    checked here). ``now`` anchors time windows (default: the current time).
    """
    compiler = _Compiler(now or timezone.now(), contact_ids)
    condition = compiler.node(_tree(tree))
    contacts = Contact.objects.all()
    if compiler.scope.aliases:
        contacts = contacts.alias(**compiler.scope.aliases)
    contacts = contacts.filter(condition)
    if contact_ids is not None:
        contacts = contacts.filter(pk__in=list(contact_ids))
    return contacts


def count(tree: Node | Mapping[str, Any], *, now: dt.datetime | None = None) -> int:
    """How many contacts ``tree`` matches now (the live preview): one ``SELECT COUNT(*)``."""
    return compile_segment(tree, now=now).count()
