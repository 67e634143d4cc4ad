"""Storing a checked batch: campaign mapping, identity resolution, one bulk insert, after-commit signal.

:func:`store_events` is the whole write path of one request, in one transaction:

0. before the transaction: campaign mapping (one query for every UTM campaign name in the batch)
   and serialising the JSON columns;
1. identity resolution (:func:`accord.tracking.identity.resolve`): a fixed number of queries;
2. one ``INSERT … ON CONFLICT (message_id) DO NOTHING RETURNING message_id`` (per 500 events on
   SQLite; on PostgreSQL one statement over ``UNNEST`` of an array per column, bound server-side),
   so a replayed ``messageId`` is stored once by the unique constraint (no lookup, no race);
3. touchpoints stored earlier under ids linked now get their contact (one UPDATE per id kind);
4. after commit, one ``touchpoints_ingested`` signal for everything downstream.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from django.db import connection, transaction

from accord.campaigns.utm import resolve_campaigns
from accord.core.db import driver_cursor, is_postgresql, unnest_insert_sql
from accord.tracking.identity import attach_earlier_touchpoints, resolve
from accord.tracking.ingest.parse import Event
from accord.tracking.models import Touchpoint
from accord.tracking.signals import touchpoints_ingested

COLUMNS = (
    "message_id", "type", "name", "contact_id", "anonymous_id", "user_id", "campaign_id",
    "write_key_id", "properties", "context", "notes", "occurred_at", "received_at",
)  # fmt: skip
JSON_COLUMNS = frozenset({"properties", "context", "notes"})
ROWS_PER_STATEMENT = 500


@dataclass(frozen=True)
class StoreResult:
    stored: int
    duplicates: int
    contact_ids: list[int]


# ---------------------------------------------------------------- campaigns
def _text(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def utm_of(context: dict[str, Any]) -> tuple[str, str, str] | None:
    """(name, source, medium) from ``context.campaign``, else from the page URL's utm_ parameters."""
    campaign = context.get("campaign")
    if isinstance(campaign, dict):
        utm = (_text(campaign.get("name")), _text(campaign.get("source")), _text(campaign.get("medium")))
        if any(utm):
            return utm
    page = context.get("page")
    url = page.get("url") if isinstance(page, dict) else None
    if isinstance(url, str) and "utm_" in url:
        query = parse_qs(urlsplit(url[:4000]).query)
        name, source, medium = (
            _text((query.get(f"utm_{k}") or [""])[0]) for k in ("campaign", "source", "medium")
        )
        if name or source or medium:
            return name, source, medium
    return None


def map_campaigns(events: Sequence[Event]) -> None:
    """Set ``campaign_id`` from UTM codes through the campaigns' UTM mapping rules
    (:func:`accord.campaigns.utm.resolve_campaigns`: one query for the whole batch; a campaign's own
    codes and its rules, the most specific match wins)."""
    wanted: dict[int, tuple[str, str, str]] = {}
    for e in events:
        utm = utm_of(e.context)
        if utm:
            name, source, medium = utm
            wanted[e.index] = (source, medium, name)
    if not wanted:
        return
    resolved = resolve_campaigns(wanted.values())
    for e in events:
        triple = wanted.get(e.index)
        if triple is not None and resolved.get(triple):
            e.campaign_id = resolved[triple]


# ---------------------------------------------------------------- insert
def _insert_sql(count: int) -> str:
    qn = connection.ops.quote_name
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    one = "(" + ", ".join(f"%s{json_cast}" if c in JSON_COLUMNS else "%s" for c in COLUMNS) + ")"
    # Only identifiers from the model and placeholders go into the text; values are parameters.
    return (
        f"INSERT INTO {qn(Touchpoint._meta.db_table)} ({', '.join(qn(c) for c in COLUMNS)}) "  # noqa: S608
        f"VALUES {', '.join([one] * count)} "
        f"ON CONFLICT ({qn('message_id')}) DO NOTHING RETURNING {qn('message_id')}"
    )


def encode(events: Sequence[Event]) -> None:
    """Serialise the JSON and datetime columns ahead of the write transaction (CPU work that need
    not hold the database's write lock)."""
    adapt = connection.ops.adapt_datetimefield_value
    for e in events:
        e.encoded = (
            orjson.dumps(e.properties).decode(),
            orjson.dumps(e.context).decode(),
            orjson.dumps(e.notes).decode(),
            adapt(e.occurred_at),
        )


@functools.cache
def _unnest_sql() -> str:
    """PostgreSQL: the whole batch as one array per column (JSON columns as the text :func:`encode`
    made), skipping known ``message_id``s."""
    qn = connection.ops.quote_name
    insert = unnest_insert_sql(Touchpoint, COLUMNS, json_as_text=True)
    return f"{insert} ON CONFLICT ({qn('message_id')}) DO NOTHING RETURNING {qn('message_id')}"


def _rows(events: Sequence[Event], write_key_id: int | None, received: Any) -> Iterator[tuple[Any, ...]]:
    for e in events:
        properties, context, notes, occurred_at = e.encoded
        yield (
            e.message_id, e.type, e.name, e.contact_id, e.anonymous_id, e.user_id, e.campaign_id,
            write_key_id, properties, context, notes, occurred_at, received,
        )  # fmt: skip


def insert_touchpoints(events: Sequence[Event], *, write_key_id: int | None, received_at: datetime) -> int:
    """Insert the (encoded) events; those whose ``message_id`` exists already are skipped.
    Returns how many were inserted."""
    if not events:
        return 0
    received = connection.ops.adapt_datetimefield_value(received_at)
    if is_postgresql():
        columns = [list(column) for column in zip(*_rows(events, write_key_id, received), strict=True)]
        with driver_cursor() as cursor:
            cursor.execute(_unnest_sql(), columns)
            return len(cursor.fetchall())
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(events), ROWS_PER_STATEMENT):
            chunk = events[start : start + ROWS_PER_STATEMENT]
            params = [value for row in _rows(chunk, write_key_id, received) for value in row]
            cursor.execute(_insert_sql(len(chunk)), params)
            inserted += len(cursor.fetchall())
    return inserted


# ---------------------------------------------------------------- the write path
def store_events(
    events: list[Event], *, write_key_id: int | None, received_at: datetime, may_merge: bool = False
) -> StoreResult:
    """Resolve, map and insert ``events`` in one transaction; signal downstream after commit."""
    unique: dict[str, Event] = {}
    for e in events:
        unique.setdefault(e.message_id, e)  # a messageId repeated within one batch: first wins
    batch = list(unique.values())
    if not batch:
        return StoreResult(0, len(events), [])
    # Reads and CPU work first: on SQLite a transaction holds the one write lock from its start.
    # (Campaigns change rarely; a campaign created meanwhile is simply not matched by this batch.)
    map_campaigns(batch)
    encode(batch)
    with transaction.atomic():
        resolution = resolve(batch, may_merge=may_merge)
        stored = insert_touchpoints(batch, write_key_id=write_key_id, received_at=received_at)
        attach_earlier_touchpoints(resolution)
    contact_ids = sorted(resolution.touched | {e.contact_id for e in batch if e.contact_id})
    if stored or contact_ids:
        types = sorted({e.type for e in batch})
        transaction.on_commit(
            lambda: touchpoints_ingested.send(
                sender=Touchpoint, contact_ids=contact_ids, event_types=types, stored=stored
            )
        )
    return StoreResult(stored=stored, duplicates=len(events) - stored, contact_ids=contact_ids)
