"""Running a filter both ways: compiled to SQL and evaluated by the oracle."""

from __future__ import annotations

from typing import Any

from accord.contacts.models import Contact
from accord.segments.compiler import compile_segment
from accord.segments.fields import load_catalog
from accord.segments.filters import Node, parse_filter
from accord.segments.tests.fixtures import World
from accord.segments.tests.oracle import Row, matching_ids


def sql_ids(tree: Node | dict[str, Any], world: World, **kw: Any) -> set[int]:
    node = tree if not isinstance(tree, dict) else parse_filter(tree, load_catalog())
    return set(compile_segment(node, now=world.now, **kw).values_list("pk", flat=True))


def check(tree: dict[str, Any], world: World, rows: list[Row]) -> set[int]:
    """The contacts ``tree`` matches; fails unless SQL and the oracle agree, for it and its negation."""
    node = parse_filter(tree, load_catalog())
    got = sql_ids(node, world)
    assert got == matching_ids(node, rows, world.now), tree
    everyone = {row.id for row in rows}
    negated = parse_filter({"not": tree}, load_catalog())
    assert sql_ids(negated, world) == everyone - got, {"not": tree}
    return got


def ids_where(world: World, predicate: Any) -> set[int]:
    return {c.pk for c in Contact.objects.select_related("company") if predicate(c)} & {
        c.pk for c in world.contacts
    }
