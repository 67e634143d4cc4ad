"""Segments that reference other segments (``{"in_segment": id}``): cycles and rebuild order.

The graph is read from the stored filters of dynamic segments, so it never drifts from them.
Edges point from a segment to the segments its filter uses (its dependencies).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from accord.segments.models import Segment

Graph = dict[int, set[int]]


def raw_references(data: Any) -> set[int]:
    """Segment ids a stored (JSON) filter refers to; tolerant of filters that no longer parse."""
    found: set[int] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            ref = item.get("in_segment")
            if isinstance(ref, int) and not isinstance(ref, bool):
                found.add(ref)
            stack.extend(v for k, v in item.items() if k in ("and", "or", "not"))
        elif isinstance(item, list):
            stack.extend(item)
    return found


def load_graph() -> Graph:
    rows = Segment.objects.filter(kind=Segment.Kind.DYNAMIC).values_list("pk", "filter")
    return {pk: raw_references(data) for pk, data in rows}


def find_cycle(segment_id: int, references: Iterable[int], graph: Graph) -> list[int] | None:
    """The path ``segment_id → … → segment_id`` if giving it ``references`` closes a loop."""
    edges = {**graph, segment_id: set(references)}
    path: list[int] = [segment_id]
    on_path = {segment_id}
    done: set[int] = set()

    def visit(node: int) -> list[int] | None:
        for nxt in sorted(edges.get(node, ())):
            if nxt == segment_id:
                return [*path, segment_id]
            if nxt in on_path or nxt in done:
                continue
            path.append(nxt)
            on_path.add(nxt)
            found = visit(nxt)
            if found:
                return found
            on_path.discard(path.pop())
            done.add(nxt)
        return None

    return visit(segment_id)


def dependency_order(ids: Iterable[int], graph: Graph) -> list[int]:
    """``ids`` ordered so every segment comes after the segments it uses (a stable topological sort).

    Only edges among ``ids`` count. A cycle cannot be saved, but should one exist in old data its
    members are appended in id order rather than looping.
    """
    wanted = set(ids)
    pending = {i: {d for d in graph.get(i, ()) if d in wanted and d != i} for i in wanted}
    order: list[int] = []
    while pending:
        ready = sorted(i for i, deps in pending.items() if not deps)
        if not ready:
            ready = [min(pending)]
        for i in ready:
            order.append(i)
            del pending[i]
        for deps in pending.values():
            deps.difference_update(ready)
    return order


def dependents(segment_id: int, graph: Graph) -> list[int]:
    """Segments that use ``segment_id`` directly or through others, in rebuild order."""
    users: dict[int, set[int]] = {}
    for node, deps in graph.items():
        for dep in deps:
            users.setdefault(dep, set()).add(node)
    found: set[int] = set()
    stack = [segment_id]
    while stack:
        for user in users.get(stack.pop(), ()):
            if user not in found and user != segment_id:
                found.add(user)
                stack.append(user)
    return dependency_order(found, graph)
