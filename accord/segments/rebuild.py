"""Keeping materialised membership current: full rebuilds and incremental refreshes.

- :func:`rebuild_segment`: one transaction; the filter evaluated once into a temporary table of
  contact ids, then one ``DELETE`` of members not in it and one ``INSERT … SELECT`` of new ones.
- :func:`refresh_for_contacts`: the same two statements per dynamic segment, restricted to a
  batch of changed contacts (ingest and property changes call it through a task).
- Segments using other segments (``in_segment``) are processed after them
  (:func:`accord.segments.graph.dependency_order`).

Whatever runs several segments in one go isolates them: a segment that fails (a stored filter that
no longer parses, a statement the database refuses) is logged with its id and skipped, its work
rolled back to a savepoint, and the others still commit. A skipped segment is not marked rebuilt,
so one whose filter changed stays stale (``Segment.is_stale``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accord.core.errors import Invalid
from accord.segments import graph
from accord.segments.compiler import compile_segment
from accord.segments.fields import Catalog, load_catalog
from accord.segments.filters import Node, depends_on_time, parse_filter
from accord.segments.membership import add_matching, count_members, remove_unmatched, replace_members
from accord.segments.models import Segment

logger = logging.getLogger(__name__)

# Contacts per incremental step: each id is a bound parameter (several times per statement).
REFRESH_BATCH = 500


@dataclass(frozen=True)
class RebuildResult:
    segment_id: int
    added: int
    removed: int
    member_count: int
    rebuilt_at: dt.datetime


def segment_tree(segment: Segment, catalog: Catalog | None = None) -> Node:
    """The parsed filter of a dynamic segment as stored."""
    return parse_filter(segment.filter or {"and": []}, catalog or load_catalog())


def rebuild_segment(segment: Segment, *, now: dt.datetime | None = None) -> RebuildResult:
    """Recompute a segment's membership from scratch, set-based, in one transaction.

    Static lists are only recounted. ``segment`` is updated in place.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Segment.objects.select_for_update().get(pk=segment.pk)
        added = removed = 0
        if locked.is_dynamic:
            matching = compile_segment(segment_tree(locked), now=now)
            added, removed = replace_members(locked.pk, matching, at=now)
        total = count_members(locked.pk)
        Segment.objects.filter(pk=locked.pk).update(member_count=total, last_rebuilt_at=now)
    segment.member_count, segment.last_rebuilt_at = total, now
    logger.info("segment %s rebuilt: +%s -%s = %s members", segment.pk, added, removed, total)
    return RebuildResult(segment.pk, added, removed, total, now)


def _rebuild_isolated(segment: Segment, now: dt.datetime | None) -> RebuildResult | None:
    """:func:`rebuild_segment`, or None (logged) when it fails; its own atomic block is a savepoint
    inside a wider transaction, so a failure leaves nothing half-written and the caller goes on."""
    try:
        return rebuild_segment(segment, now=now)
    except Invalid as exc:
        logger.warning("segment %s not rebuilt: %s", segment.pk, exc.message)
    except Exception:
        logger.exception("segment %s not rebuilt", segment.pk)
    return None


def rebuild_with_dependents(segment_id: int, *, now: dt.datetime | None = None) -> list[RebuildResult]:
    """Rebuild a segment, then every segment that uses it, in dependency order.

    A segment that fails is logged and skipped; the others are still rebuilt.
    """
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        return []
    results = [_rebuild_isolated(segment, now)]
    for dependent_id in graph.dependents(segment_id, graph.load_graph()):
        dependent = Segment.objects.filter(pk=dependent_id).first()
        if dependent is not None:
            results.append(_rebuild_isolated(dependent, now))
    return [r for r in results if r is not None]


def rebuild_many(segment_ids: Iterable[int], *, now: dt.datetime | None = None) -> list[RebuildResult]:
    """Rebuild these segments in dependency order; a segment that fails (e.g. its filter no longer
    parses) is logged and skipped, and the others are still rebuilt."""
    order = graph.dependency_order(segment_ids, graph.load_graph())
    segments = Segment.objects.in_bulk(order)
    results: list[RebuildResult] = []
    for segment_id in order:
        segment = segments.get(segment_id)
        if segment is not None:
            result = _rebuild_isolated(segment, now)
            if result is not None:
                results.append(result)
    return results


def rebuild_time_dependent(*, now: dt.datetime | None = None) -> list[RebuildResult]:
    """Rebuild the dynamic segments whose membership moves with the clock, and the segments using them."""
    catalog = load_catalog()
    timed: set[int] = set()
    for segment in Segment.objects.filter(kind=Segment.Kind.DYNAMIC).only("pk", "filter", "kind"):
        try:
            if depends_on_time(segment_tree(segment, catalog)):
                timed.add(segment.pk)
        except Invalid:
            continue
    edges = graph.load_graph()
    wanted = set(timed)
    for segment_id in timed:
        wanted.update(graph.dependents(segment_id, edges))
    return rebuild_many(wanted, now=now)


def _batches(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def refresh_for_contacts(contact_ids: Iterable[int], *, now: dt.datetime | None = None) -> int:
    """Bring every dynamic segment up to date for these contacts (those that changed).

    Per batch of :data:`REFRESH_BATCH` contacts and per segment: one ``DELETE`` and one
    ``INSERT … SELECT`` restricted to the batch, plus a counter update when something changed.
    Each segment runs in its own savepoint: one that fails is logged, rolled back and left out of
    the remaining batches, and the other segments' changes still commit.
    Returns the number of memberships added or removed.
    """
    ids = sorted({int(i) for i in contact_ids})
    if not ids:
        return 0
    now = now or timezone.now()
    segments = list(Segment.objects.filter(kind=Segment.Kind.DYNAMIC).only("pk", "filter", "kind"))
    if not segments:
        return 0
    catalog = load_catalog()
    trees: dict[int, Node] = {}
    for segment in segments:
        try:
            trees[segment.pk] = segment_tree(segment, catalog)
        except Invalid as exc:
            logger.warning("segment %s skipped in refresh: %s", segment.pk, exc.message)
    edges = {s.pk: graph.raw_references(s.filter) for s in segments}
    order = [i for i in graph.dependency_order(trees, edges) if i in trees]
    changed = 0
    failed: set[int] = set()
    for batch in _batches(ids, REFRESH_BATCH):
        with transaction.atomic():
            for segment_id in order:
                if segment_id in failed:
                    continue
                try:
                    changed += _refresh_one(segment_id, trees[segment_id], batch, now)
                except Exception:
                    logger.exception("segment %s skipped in refresh", segment_id)
                    failed.add(segment_id)
    return changed


def _refresh_one(segment_id: int, tree: Node, batch: list[int], now: dt.datetime) -> int:
    """One segment for one batch of contacts, in a savepoint; the memberships added or removed."""
    with transaction.atomic():
        matching = compile_segment(tree, now=now, contact_ids=batch)
        removed = remove_unmatched(segment_id, matching, contact_ids=batch)
        added = add_matching(segment_id, matching, at=now)
        if added or removed:
            Segment.objects.filter(pk=segment_id).update(member_count=F("member_count") + added - removed)
    return added + removed
