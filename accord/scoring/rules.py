"""Rule conditions: checking them when a rule is saved, and compiling them to SQL when scoring.

Both kinds of condition are written in the segments filter format and compiled by
:mod:`accord.segments`, so scoring and segments read contact fields and event properties the same way:

- a fit rule's ``condition`` is a segment filter tree restricted to contact and company fields
  (no events, campaigns, segments or scores: those would make fit depend on behaviour or on the
  score itself);
- an engagement rule's ``property_conditions`` are the ``properties`` list of a segment event
  condition (``[{"key": "url", "op": "contains", "value": "/pricing"}]``).

Everything that compiles a rule lives in this module, so a change of condition format touches one file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from accord.contacts.models import Contact
from accord.core.errors import Invalid
from accord.scoring.models import EngagementRule, FitRule
from accord.segments.compiler import compile_segment
from accord.segments.conditions import Scope, value_condition
from accord.segments.fields import Catalog, JsonKey, Score, load_catalog
from accord.segments.filters import (
    CampaignTouched,
    EventCondition,
    FieldCondition,
    InSegment,
    Node,
    PropertyFilter,
    parse_filter,
    walk_with_paths,
)
from accord.tracking.models import EventType

logger = logging.getLogger("accord.scoring")

NO_CATALOG = Catalog.of(())


# --------------------------------------------------------------------------- checking
def clean_fit_condition(data: Any, *, catalog: Catalog | None = None) -> Node:
    """Parse a fit rule's condition; :class:`Invalid` with errors keyed ``condition.…``."""
    if not isinstance(data, Mapping) or not data or data == {"and": []}:
        raise Invalid(
            "A fit rule needs a condition.",
            field_errors={"condition": ["Add at least one condition on contact or company fields."]},
        )
    tree = parse_filter(data, catalog or load_catalog(), path="condition")
    errors: dict[str, list[str]] = {}
    for path, node in walk_with_paths(tree, "condition"):
        if isinstance(node, EventCondition | CampaignTouched):
            errors.setdefault(path, []).append(
                "Fit rules look at who the contact is; score behaviour with an engagement rule."
            )
        elif isinstance(node, InSegment):
            errors.setdefault(path, []).append(
                "Fit rules cannot use segments (a segment may depend on the score)."
            )
        elif isinstance(node, FieldCondition) and isinstance(node.field.source, Score):
            errors.setdefault(path, []).append("A score cannot depend on the score.")
    if errors:
        first_path, messages = next(iter(errors.items()))
        raise Invalid(f"The condition is not valid: {first_path}: {messages[0]}", field_errors=errors)
    return tree


_EVENT_PATHS = (
    ("rule.event.properties", "property_conditions"),
    ("rule.event.name", "event_name"),
    ("rule.event.type", "event_type"),
    ("rule.event", "property_conditions"),
)


def _rule_path(path: str) -> str:
    for prefix, field in _EVENT_PATHS:
        if path == prefix or path.startswith(prefix + "."):
            return field + path[len(prefix) :]
    return "__all__"


def clean_event_condition(event_type: Any, event_name: Any, property_conditions: Any) -> EventCondition:
    """Parse an engagement rule's event filter; :class:`Invalid` keyed by the rule's fields."""
    if event_type not in EventType.values:
        raise Invalid(
            "Pick an event type.",
            field_errors={"event_type": [f"Must be one of: {', '.join(EventType.values)}."]},
        )
    event: dict[str, Any] = {"type": event_type}
    if event_name:
        event["name"] = event_name
    if property_conditions:
        event["properties"] = property_conditions
    try:
        node = parse_filter({"event": event}, NO_CATALOG, path="rule")
    except Invalid as exc:
        errors: dict[str, list[str]] = {}
        for path, messages in exc.field_errors.items():
            errors.setdefault(_rule_path(path), []).extend(messages)
        first_path, first = next(iter(errors.items()))
        raise Invalid(
            f"The event condition is not valid: {first_path}: {first[0]}", field_errors=errors
        ) from exc
    if not isinstance(node, EventCondition):  # pragma: no cover - an {"event": …} object parses to one
        raise Invalid("The event condition is not valid.")
    return node


# --------------------------------------------------------------------------- compiled rules
@dataclass(frozen=True)
class FitPart:
    rule: FitRule
    tree: Node


@dataclass(frozen=True)
class EngagementPart:
    rule: EngagementRule
    properties: tuple[PropertyFilter, ...]


@dataclass(frozen=True)
class RuleSet:
    """The active rules, parsed once per recompute. Rules whose condition no longer parses (a
    custom property was deleted) are left out and logged."""

    fit: tuple[FitPart, ...]
    engagement: tuple[EngagementPart, ...]
    skipped: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.fit and not self.engagement


def load_rules() -> RuleSet:
    catalog = load_catalog()
    fit: list[FitPart] = []
    engagement: list[EngagementPart] = []
    skipped: list[str] = []
    for rule in FitRule.objects.filter(active=True).order_by("pk"):
        try:
            fit.append(FitPart(rule, clean_fit_condition(rule.condition, catalog=catalog)))
        except Invalid as exc:
            logger.warning("Fit rule %s (%s) is skipped: %s", rule.pk, rule.name, exc.message)
            skipped.append(rule.name)
    for erule in EngagementRule.objects.filter(active=True).order_by("pk"):
        try:
            node = clean_event_condition(erule.event_type, erule.event_name, erule.property_conditions)
        except Invalid as exc:
            logger.warning("Engagement rule %s (%s) is skipped: %s", erule.pk, erule.name, exc.message)
            skipped.append(erule.name)
            continue
        engagement.append(EngagementPart(erule, node.properties))
    return RuleSet(tuple(fit), tuple(engagement), tuple(skipped))


def fit_contacts(
    part: FitPart, *, now: dt.datetime, contact_ids: Collection[int] | None = None
) -> QuerySet[Contact]:
    """The contacts the fit rule's condition matches (one SQL query, unordered)."""
    return compile_segment(part.tree, now=now, contact_ids=contact_ids).order_by()


def window_start(rule: EngagementRule, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=rule.window_days)


def engagement_condition(
    part: EngagementPart, *, now: dt.datetime, scope: Scope, within_window: int | None = None
) -> Q:
    """Which touchpoints count for the rule: type, name, window and property filters, as a ``Q``
    over ``Touchpoint`` (property filters add aliases to ``scope``).

    The caller has already kept only touchpoints up to ``now`` and, with ``within_window``, within
    that many days: the rule's window is then tested only if it is shorter.
    """
    rule = part.rule
    # Cheapest and most selective tests first: SQL evaluates AND left to right and stops early.
    condition = Q(type=rule.event_type)
    if rule.event_name:
        condition &= Q(name=rule.event_name)
    if not within_window or rule.window_days < within_window:
        condition &= Q(occurred_at__gte=window_start(rule, now))
    for prop in part.properties:
        source = JsonKey("properties", prop.key)
        # Used inside CASE WHEN, where unknown (NULL) reads as false, like a WHERE clause.
        condition &= value_condition(scope, source, prop.kind, prop.op, prop.value, now, strict=False)
    return condition
