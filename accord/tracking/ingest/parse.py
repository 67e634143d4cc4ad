"""Reading Segment HTTP Tracking API requests: size limits, JSON, and the checks on each event.

Limits follow Segment's: a request to a single-event endpoint may be at most 32 KB, a batch at
most 500 KB, and each event in a batch at most 32 KB (its compact JSON serialisation). Sizes are
checked on the raw body *before* it is parsed. A batch is all-or-nothing only for problems with
the request as a whole (size, JSON, shape); a bad event inside a well-formed batch is rejected on
its own and reported with its index, while the others are stored.

Everything an event carries (ids, names, properties, context) is kept as data: it is never
interpreted as markup, SQL or a URL to fetch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from accord.tracking.ingest.clock import BadTimestamp, Clock, parse_timestamp

MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_ID_LENGTH = 200
MAX_MESSAGE_ID_LENGTH = 100
MAX_NAME_LENGTH = 200
EVENT_TYPES = ("identify", "track", "page", "screen", "group", "alias")


class RequestError(Exception):
    """The request as a whole is refused (HTTP 4xx); nothing in it is stored."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class EventError(ValueError):
    """One event is refused; the message says why."""


@dataclass(slots=True)
class Event:
    """One checked event, ready to resolve and store."""

    index: int
    type: str
    message_id: str
    anonymous_id: str
    user_id: str
    name: str
    properties: dict[str, Any]
    context: dict[str, Any]
    occurred_at: datetime
    notes: dict[str, Any]
    traits: dict[str, Any] = field(default_factory=dict)
    previous_id: str = ""
    contact_id: int | None = None
    campaign_id: int | None = None
    encoded: tuple[Any, ...] = ()  # JSON and datetime columns, prepared before the write transaction


@dataclass(frozen=True, slots=True)
class Rejection:
    index: int
    message_id: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "messageId": self.message_id, "reason": self.reason}


# ---------------------------------------------------------------- JSON
def load_json(body: bytes) -> Any:
    """Standard JSON only (no NaN/Infinity, no number beyond a double's range, no lone surrogate);
    :class:`RequestError` with a clear message otherwise. orjson: the body is parsed (and each event
    re-encoded for its size check and its columns) several times faster than with ``json``; an
    integer beyond 64 bits becomes a float, as in most JSON parsers."""
    try:
        return orjson.loads(body)
    except (ValueError, RecursionError) as exc:  # orjson.JSONDecodeError is a ValueError
        raise RequestError(400, "malformed_json", f"The request body is not valid JSON ({exc}).") from exc


def check_size(size: int, limit: int, what: str) -> None:
    if size > limit:
        raise RequestError(
            400,
            "too_large",
            f"{what} is {size:,} bytes; the limit is {limit:,} bytes ({limit // 1024} KB).",
        )


def compact_size(raw: Any) -> int:
    """Bytes of ``raw`` as compact UTF-8 JSON (the event size limit's measure)."""
    return len(orjson.dumps(raw))


# ---------------------------------------------------------------- one event
def _id(raw: dict[str, Any], key: str, limit: int = MAX_ID_LENGTH) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        if len(value) > limit:
            raise EventError(f"{key} is longer than {limit} characters")
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise EventError(f"{key} must be a string")


def _object(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EventError(f"{key} must be a JSON object")
    return value


def parse_event(
    raw: Any,
    *,
    index: int,
    kind: str | None,
    clock: Clock,
    sent_at: datetime | None,
    defaults: dict[str, Any] | None = None,
) -> Event:
    """Check one event; ``kind`` is the endpoint's type (None in a batch: the event's ``type``)."""
    if not isinstance(raw, dict):
        raise EventError("an event must be a JSON object")
    if kind is None:
        kind = raw.get("type")
        if kind not in EVENT_TYPES:
            raise EventError(f"type must be one of {', '.join(EVENT_TYPES)}")
    anonymous_id = _id(raw, "anonymousId")
    user_id = _id(raw, "userId")
    previous_id = ""
    if kind == "alias":
        previous_id = _id(raw, "previousId")
        if not previous_id or not user_id:
            raise EventError("alias needs both previousId and userId")
    elif not anonymous_id and not user_id:
        raise EventError("anonymousId or userId is required")
    notes: dict[str, Any] = {}
    message_id = _id(raw, "messageId", MAX_MESSAGE_ID_LENGTH)
    if not message_id:
        message_id = uuid.uuid4().hex
        notes["message_id_generated"] = True

    name = ""
    if kind == "track":
        event_name = raw.get("event")
        if not isinstance(event_name, str) or not event_name.strip():
            raise EventError("track needs an event name (the 'event' field)")
        name = event_name
    elif kind in ("page", "screen"):
        page_name = raw.get("name")
        if page_name is not None and not isinstance(page_name, str):
            raise EventError("name must be a string")
        name = page_name or ""
    if len(name) > MAX_NAME_LENGTH:
        notes["name_truncated"] = True
        name = name[:MAX_NAME_LENGTH]

    properties = _object(raw, "properties")
    context = _object(raw, "context")
    if defaults:
        context = {**defaults, **context}
    traits = _object(raw, "traits")
    if kind == "identify":
        properties = traits
    elif kind == "group":
        properties = {"groupId": _id(raw, "groupId"), "traits": traits}
        if not properties["groupId"]:
            raise EventError("group needs a groupId")
    elif kind == "alias":
        properties = {"previousId": previous_id}
    elif kind == "page" and isinstance(raw.get("category"), str):
        properties = {**properties, "category": raw["category"]}

    try:
        timestamp = parse_timestamp(raw.get("timestamp") or raw.get("originalTimestamp"), "timestamp")
        own_sent_at = parse_timestamp(raw.get("sentAt"), "sentAt")
    except BadTimestamp as exc:
        raise EventError(str(exc)) from exc
    occurred_at = clock.occurred_at(timestamp, own_sent_at or sent_at, notes)
    return Event(
        index=index,
        type=kind,
        message_id=message_id,
        anonymous_id=anonymous_id,
        user_id=user_id,
        name=name,
        properties=properties,
        context=context,
        occurred_at=occurred_at,
        notes=notes,
        traits=traits,
        previous_id=previous_id,
    )


def message_id_of(raw: Any) -> str | None:
    value = raw.get("messageId") if isinstance(raw, dict) else None
    return value[:MAX_MESSAGE_ID_LENGTH] if isinstance(value, str) else None


# ---------------------------------------------------------------- requests
def parse_single(payload: Any, *, kind: str, clock: Clock) -> Event:
    """A single-event endpoint's body; any problem refuses the request (400)."""
    if not isinstance(payload, dict):
        raise RequestError(400, "invalid_event", "The request body must be a JSON object.")
    try:
        sent_at = parse_timestamp(payload.get("sentAt"), "sentAt")
        return parse_event(payload, index=0, kind=kind, clock=clock, sent_at=sent_at)
    except (EventError, BadTimestamp) as exc:
        raise RequestError(400, "invalid_event", f"The event is not valid: {exc}.") from exc


def parse_batch(
    payload: Any, *, clock: Clock, body_may_hold_nul: bool
) -> tuple[list[Event], list[Rejection]]:
    """A batch body: ``{"batch": [...], "sentAt"?, "context"?}``. Bad events are returned as
    rejections with their index; the good ones are returned to be stored."""
    if not isinstance(payload, dict) or not isinstance(payload.get("batch"), list):
        raise RequestError(
            400, "invalid_batch", "The request body must be a JSON object with a 'batch' list."
        )
    try:
        sent_at = parse_timestamp(payload.get("sentAt"), "sentAt")
    except BadTimestamp as exc:
        raise RequestError(400, "invalid_batch", f"The batch is not valid: {exc}.") from exc
    defaults = payload.get("context")
    if defaults is not None and not isinstance(defaults, dict):
        raise RequestError(400, "invalid_batch", "The batch's context must be a JSON object.")
    events: list[Event] = []
    rejected: list[Rejection] = []
    for index, raw in enumerate(payload["batch"]):
        try:
            size = compact_size(raw)
            if size > MAX_EVENT_BYTES:
                raise EventError(
                    f"the event is {size:,} bytes; the limit is {MAX_EVENT_BYTES:,} bytes (32 KB)"
                )
            if body_may_hold_nul and b"\\u0000" in orjson.dumps(raw):
                raise EventError("the event contains a NUL character (\\u0000), which cannot be stored")
            events.append(
                parse_event(raw, index=index, kind=None, clock=clock, sent_at=sent_at, defaults=defaults)
            )
        except EventError as exc:
            rejected.append(Rejection(index, message_id_of(raw), str(exc)))
    return events, rejected


def holds_nul(event: Event) -> bool:
    blob = orjson.dumps([event.properties, event.context, event.name, event.anonymous_id, event.user_id])
    return b"\\u0000" in blob
