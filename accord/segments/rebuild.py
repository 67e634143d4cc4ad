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

A failure is also kept for people: ``Segment.rebuild_error`` gets a short reason (the validation
message of a filter that no longer parses; for anything else only the kind of error, never SQL or
values) and ``rebuild_failed_at`` the time it was first seen, so the pages show "Needs attention"
instead of "updating…". That note is a separate one-row ``UPDATE`` written after the segment's
own work has been rolled back and outside every transaction this module opens (a refresh writes
it after its batch), so it is never undone with that work. It is recorded only against the filter
that failed (``filter_changed_at`` unchanged): a segment edited meanwhile is being rebuilt anyway.
Only a successful full rebuild clears it; a refresh succeeding later does not, since the contacts
of the failed refresh are still not reflected in the membership.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import DatabaseError, transaction
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
# The longest reason kept in ``Segment.rebuild_error``.
MAX_REASON = 500


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


def failure_reason(exc: BaseException) -> str:
    """What the pages and the API say about a failed rebuild or refresh.

    The message of a filter that no longer parses; otherwise only the kind of error: a database
    error's text may quote the statement or its values, which are not for the segment's readers.
    """
    if isinstance(exc, Invalid):
        message = exc.message
        return message if len(message) <= MAX_REASON else message[: MAX_REASON - 1] + "…"
    if isinstance(exc, DatabaseError):
        return f"The database refused this segment's query ({type(exc).__name__})."
    return f"This segment could not be updated ({type(exc).__name__})."


def record_failure(
    segment_id: int, reason: str, *, filter_changed_at: dt.datetime | None, at: dt.datetime
) -> None:
    """Note on the segment why it failed: one ``UPDATE`` in its own small transaction.

    Call it only once the segment's own work has been rolled back and outside any transaction
    that may still roll back. Nothing is written when the filter changed since the failing one
    was loaded, or when the same reason is already there (its first time is kept). A failure to
    write the note is logged, never raised over the failure it describes.
    """
    try:
        with transaction.atomic():
            Segment.objects.filter(pk=segment_id, filter_changed_at=filter_changed_at).exclude(
                rebuild_error=reason
            ).update(rebuild_error=reason, rebuild_failed_at=at)
    except DatabaseError:
        logger.exception("segment %s: could not record why it failed", segment_id)


def rebuild_segment(segment: Segment, *, now: dt.datetime | None = None) -> RebuildResult:
    """Recompute a segment's membership from scratch, set-based, in one transaction.

    Static lists are only recounted. ``segment`` is updated in place. Success clears a recorded
    failure; a failure is rolled back, recorded on the segment (:func:`record_failure`) and raised.
    """
    now = now or timezone.now()
    filter_version = segment.filter_changed_at
    try:
        with transaction.atomic():
            locked = Segment.objects.select_for_update().get(pk=segment.pk)
            filter_version = locked.filter_changed_at
            added = removed = 0
            if locked.is_dynamic:
                matching = compile_segment(segment_tree(locked), now=now)
                added, removed = replace_members(locked.pk, matching, at=now)
            total = count_members(locked.pk)
            Segment.objects.filter(pk=locked.pk).update(
                member_count=total, last_rebuilt_at=now, rebuild_error="", rebuild_failed_at=None
            )
    except Exception as exc:
        # The atomic block above is closed (rolled back): this note is not undone with it.
        record_failure(segment.pk, failure_reason(exc), filter_changed_at=filter_version, at=now)
        raise
    segment.member_count, segment.last_rebuilt_at = total, now
    segment.rebuild_error, segment.rebuild_failed_at = "", None
    logger.info("segment %s rebuilt: +%s -%s = %s members", segment.pk, added, removed, total)
    return RebuildResult(segment.pk, added, removed, total, now)


def _rebuild_isolated(segment: Segment, now: dt.datetime | None) -> RebuildResult | None:
    """:func:`rebuild_segment`, or None (logged; the reason recorded on the segment) when it fails;
    its own atomic block is a savepoint inside a wider transaction, so a failure leaves nothing
    half-written and the caller goes on."""
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
    """Rebuild the dynamic segments whose membership moves with the clock, and the segments using them.

    A filter that no longer parses is recorded on its segment (this hourly pass sees every one).
    """
    now = now or timezone.now()
    catalog = load_catalog()
    timed: set[int] = set()
    dynamic = Segment.objects.filter(kind=Segment.Kind.DYNAMIC).only(
        "pk", "filter", "kind", "filter_changed_at"
    )
    for segment in dynamic:
        try:
            if depends_on_time(segment_tree(segment, catalog)):
                timed.add(segment.pk)
        except Invalid as exc:
            record_failure(
                segment.pk,
                failure_reason(exc),
                filter_changed_at=segment.filter_changed_at,
                at=now,
            )
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
    Each segment runs in its own savepoint: one that fails is logged, rolled back, recorded on the
    segment once its batch's transaction is over, and left out of the remaining batches; the other
    segments' changes still commit. Returns the number of memberships added or removed.
    """
    ids = sorted({int(i) for i in contact_ids})
    if not ids:
        return 0
    now = now or timezone.now()
    segments = list(
        Segment.objects.filter(kind=Segment.Kind.DYNAMIC).only("pk", "filter", "kind", "filter_changed_at")
    )
    if not segments:
        return 0
    catalog = load_catalog()
    versions = {s.pk: s.filter_changed_at for s in segments}
    trees: dict[int, Node] = {}
    for segment in segments:
        try:
            trees[segment.pk] = segment_tree(segment, catalog)
        except Invalid as exc:
            logger.warning("segment %s skipped in refresh: %s", segment.pk, exc.message)
            record_failure(segment.pk, failure_reason(exc), filter_changed_at=versions[segment.pk], at=now)
    edges = {s.pk: graph.raw_references(s.filter) for s in segments}
    order = [i for i in graph.dependency_order(trees, edges) if i in trees]
    changed = 0
    failed: set[int] = set()
    for batch in _batches(ids, REFRESH_BATCH):
        reasons: dict[int, str] = {}
        try:
            with transaction.atomic():
                for segment_id in order:
                    if segment_id in failed:
                        continue
                    try:
                        changed += _refresh_one(segment_id, trees[segment_id], batch, now)
                    except Exception as exc:
                        logger.exception("segment %s skipped in refresh", segment_id)
                        failed.add(segment_id)
                        reasons[segment_id] = failure_reason(exc)
        finally:
            # After the batch's transaction, even one rolled back as a whole: a note written
            # inside it would be undone with it.
            for segment_id, reason in reasons.items():
                record_failure(segment_id, reason, filter_changed_at=versions[segment_id], at=now)
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
