"""When an event happened: Segment timestamps corrected for the sender's clock.

A sender stamps each event with ``timestamp`` (its clock, when the event happened) and the
request with ``sentAt`` (its clock, when it was sent). Accord knows ``received_at`` (its own
clock). Like Segment, the event's time is ``timestamp + (received_at − sentAt)``: a sender whose
clock is off by an hour still gets its events placed correctly. Then:

- a corrected time more than ``ACCORD_TRACKING_FUTURE_TOLERANCE`` (default 5 minutes) after
  ``received_at`` cannot be true: the event is stored at ``received_at`` and
  ``notes.timestamp_clamped_from`` keeps the time it claimed;
- a corrected time older than ``ACCORD_TRACKING_STALE_AFTER`` (default 730 days) is accepted
  (imports of history are legitimate) and flagged with ``notes.stale = true``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings

DEFAULT_FUTURE_TOLERANCE = timedelta(minutes=5)
DEFAULT_STALE_AFTER = timedelta(days=730)


class BadTimestamp(ValueError):
    pass


def future_tolerance() -> timedelta:
    return getattr(settings, "ACCORD_TRACKING_FUTURE_TOLERANCE", DEFAULT_FUTURE_TOLERANCE)


def stale_after() -> timedelta:
    return getattr(settings, "ACCORD_TRACKING_STALE_AFTER", DEFAULT_STALE_AFTER)


def parse_timestamp(value: Any, field: str) -> datetime | None:
    """An ISO-8601 date-time string as an aware datetime (naive ones are UTC); None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise BadTimestamp(f"{field} must be an ISO-8601 date-time string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadTimestamp(f"{field} is not an ISO-8601 date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)
    except OverflowError as exc:
        raise BadTimestamp(f"{field} is out of range: {value!r}") from exc
    return parsed


class Clock:
    """Corrects the timestamps of one request; ``received_at`` is the same for all its events."""

    __slots__ = ("future_limit", "received_at", "stale_before")

    def __init__(self, received_at: datetime) -> None:
        self.received_at = received_at
        self.future_limit = received_at + future_tolerance()
        self.stale_before = received_at - stale_after()

    def occurred_at(
        self, timestamp: datetime | None, sent_at: datetime | None, notes: dict[str, Any]
    ) -> datetime:
        if timestamp is None:
            return self.received_at
        try:
            when = timestamp + (self.received_at - sent_at) if sent_at is not None else timestamp
        except OverflowError:
            when = timestamp
        if when > self.future_limit:
            notes["timestamp_clamped_from"] = when.isoformat()
            return self.received_at
        if when < self.stale_before:
            notes["stale"] = True
        return when
