"""What each kind of activity records in ``Activity.details``, and the validation of it.

Every kind has a small schema: the keys it accepts, each with a type and (for choices) the allowed
values. :func:`clean_details` returns the cleaned dict or raises :class:`Invalid` with one message
per bad key, keyed ``details.<key>`` so the API and the forms can point at the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from accord.core.errors import Invalid


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", "Connected"
    LEFT_VOICEMAIL = "left_voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    MEETING_BOOKED = "meeting_booked", "Meeting booked"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    NO_SHOW = "no_show", "No-show"


class ObjectionCategory(models.TextChoices):
    PRICE = "price", "Price"
    TIMING = "timing", "Timing"
    COMPETITOR = "competitor", "Competitor"
    FEATURE_GAP = "feature_gap", "Feature gap"
    AUTHORITY = "authority", "Authority"
    TRUST = "trust", "Trust"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


MAX_TEXT = 5000
MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class Key:
    label: str
    clean: Callable[[Any], Any]  # returns the clean value or raises ValueError with the message
    required: bool = False


def _choice(choices: type[models.TextChoices]) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if value not in choices.values:
            allowed = ", ".join(choices.values)
            raise ValueError(f"{value!r} is not one of: {allowed}.")
        return str(value)

    return clean


def _minutes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Must be a whole number of minutes.")
    if value < 0:
        raise ValueError("Must be zero or more.")
    if value > MAX_MINUTES:
        raise ValueError(f"Must be at most {MAX_MINUTES} minutes.")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
        raise ValueError("Must be a whole number between 0 and 1000.")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Must be text.")
    if len(value) > MAX_TEXT:
        raise ValueError(f"Must be at most {MAX_TEXT} characters.")
    return value.strip()


def _required_text(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError("This field is required.")
    if len(text) > 100:
        raise ValueError("Must be at most 100 characters.")
    return text


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("Must be true or false.")
    return value


def _text_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 100 for v in value):
        raise ValueError("Must be a list of short texts.")
    return [v.strip() for v in value if v.strip()][:50]


_MEETING: dict[str, Key] = {
    "status": Key("Status", _choice(MeetingStatus)),
    "duration_minutes": Key("Duration (minutes)", _minutes),
    "location": Key("Location", _text),
    "attendees": Key("Attendees", _count),
    "product_areas": Key("Product areas", _text_list),
}

SCHEMAS: Mapping[str, Mapping[str, Key]] = {
    "call": {
        "outcome": Key("Outcome", _choice(CallOutcome)),
        "duration_minutes": Key("Duration (minutes)", _minutes),
        "direction": Key("Direction", _choice(Direction)),
    },
    "meeting": _MEETING,
    "demo": _MEETING,
    "task": {"priority": Key("Priority", _choice(Priority))},
    "note": {},
    "email": {"direction": Key("Direction", _choice(Direction))},
    "discovery": {
        "pain_points": Key("Pain points", _text),
        "goals": Key("Goals", _text),
        "budget": Key("Budget", _text),
        "authority": Key("Authority", _text),
        "need": Key("Need", _text),
        "timeline": Key("Timeline", _text),
    },
    "objection": {
        "category": Key("Category", _choice(ObjectionCategory), required=True),
        "handled": Key("Handled", _flag),
        "competitor": Key("Competitor", _text),
    },
    "feature_request": {"theme": Key("Theme", _required_text, required=True)},
}

# The keys shown on pages, in order, with their labels.
LABELS: dict[str, str] = {name: key.label for schema in SCHEMAS.values() for name, key in schema.items()}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "outcome": dict(CallOutcome.choices),
    "status": dict(MeetingStatus.choices),
    "category": dict(ObjectionCategory.choices),
    "direction": dict(Direction.choices),
    "priority": dict(Priority.choices),
}


def clean_details(kind: str, details: Mapping[str, Any] | None) -> dict[str, Any]:
    """The validated details for an activity of ``kind``; unknown keys and bad values are refused."""
    schema = SCHEMAS.get(kind, {})
    data = dict(details or {})
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in data:
        if name not in schema:
            errors[f"details.{name}"] = [f"A {kind.replace('_', ' ')} has no field {name!r}."]
    for name, key in schema.items():
        value = data.get(name)
        if value is None or value == "":
            if key.required:
                errors[f"details.{name}"] = ["This field is required."]
            continue
        try:
            clean[name] = key.clean(value)
        except ValueError as exc:
            errors[f"details.{name}"] = [str(exc)]
    if errors:
        raise Invalid(f"Some {kind.replace('_', ' ')} fields are not valid.", field_errors=errors)
    return clean


def describe(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs for a page; tolerant of details written before validation existed."""
    rows = []
    order = {name: i for i, name in enumerate(LABELS)}  # schema order: JSONB does not keep key order
    for name, value in sorted(details.items(), key=lambda item: (order.get(item[0], len(order)), item[0])):
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, bool):
            text = "Yes" if value else "No"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = CHOICE_LABELS.get(name, {}).get(str(value), str(value))
        rows.append((LABELS.get(name, name.replace("_", " ").capitalize()), text))
    return rows
