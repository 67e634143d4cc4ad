"""Parsing and validating a filter tree from JSON (the format is in :mod:`accord.segments.filters`).

Every problem is collected with the path of the offending part (``filter.and.2.value``) and
reported together in one :class:`~accord.core.errors.Invalid`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from accord.core.dates import EARLIEST_DATE, LATEST_DATE
from accord.core.errors import Invalid
from accord.segments.fields import LIST_OPS, NO_VALUE_OPS, Catalog, FieldSpec, Kind, Op
from accord.segments.nodes import (
    EVENT_COUNT_OPS,
    EVENT_PROPERTY_OPS,
    All,
    AnyOf,
    CampaignTouched,
    EventCondition,
    FieldCondition,
    InSegment,
    Node,
    Not,
    PropertyFilter,
    Scalar,
    Value,
)
from accord.tracking.models import EventType

MAX_DEPTH = 10
MAX_CONDITIONS = 200
MAX_LIST = 500
MAX_TEXT = 1000
MAX_KEY = 100
MAX_DAYS = 36_500  # a window ("in the last N days") reaches back at most 100 years
# The compiler compares timestamps with the start of the *next* day (``after``, ``on``, ``between``):
# core.dates keeps the last year Python can represent free so that step can never overflow.
MIN_DATE = EARLIEST_DATE
MAX_DATE = LATEST_DATE
MAX_COUNT = 1_000_000
MAX_NUMBER = 2**53  # exact in a double, within every database's integer range
MAX_ID = 2**63 - 1
MAX_ERRORS = 50


class _Errors:
    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        if len(self.by_path) < MAX_ERRORS:
            self.by_path.setdefault(path, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_path)


class _Bad(Exception):
    """One part of the tree is not valid; recorded, and parsing goes on with its siblings."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any, path: str, errors: _Errors, *, max_length: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        errors.add(path, "Must be text.")
        raise _Bad
    if value.strip() == "":
        errors.add(path, "Must not be empty.")
        raise _Bad
    if len(value) > max_length:
        errors.add(path, f"Must be at most {max_length} characters.")
        raise _Bad
    if "\x00" in value:
        errors.add(path, "Must not contain NUL characters.")
        raise _Bad
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors.add(path, "Must be valid Unicode text.")
        raise _Bad from None
    return value


def _number(value: Any, path: str, errors: _Errors) -> int | float:
    if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        errors.add(path, "Must be a number.")
        raise _Bad
    if abs(value) > MAX_NUMBER:
        errors.add(path, f"Must be between -{MAX_NUMBER} and {MAX_NUMBER}.")
        raise _Bad
    return value


def _int(value: Any, path: str, errors: _Errors, *, low: int, high: int, what: str = "a whole number") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.add(path, f"Must be {what} from {low} to {high}.")
        raise _Bad
    return value


def _date(value: Any, path: str, errors: _Errors) -> dt.date:
    day = None
    if isinstance(value, str) and len(value) == 10:
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(value)
    if day is None:
        errors.add(path, "Must be a date like 2026-01-31.")
        raise _Bad
    if not MIN_DATE <= day <= MAX_DATE:
        errors.add(path, f"Must be a date from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}.")
        raise _Bad
    return day


def _scalar(spec_kind: Kind, value: Any, path: str, errors: _Errors, spec: FieldSpec | None = None) -> Scalar:
    if spec_kind is Kind.TEXT:
        text = _text(value, path, errors)
        return spec.normalise(text) if spec is not None and spec.normalise else text
    if spec_kind is Kind.CHOICE:
        allowed = spec.choice_values if spec is not None else frozenset()
        if not isinstance(value, str) or value not in allowed:
            errors.add(path, f"Must be one of: {', '.join(sorted(allowed))}.")
            raise _Bad
        return value
    if spec_kind is Kind.NUMBER:
        return _number(value, path, errors)
    if spec_kind in (Kind.DATE, Kind.DATETIME):
        return _date(value, path, errors)
    if spec_kind is Kind.BOOLEAN:
        if not isinstance(value, bool):
            errors.add(path, "Must be true or false.")
            raise _Bad
        return value
    return _int(value, path, errors, low=1, high=MAX_ID, what="a user id")  # Kind.USER


def _operand(
    kind: Kind, op: Op, raw: Any, has_value: bool, path: str, errors: _Errors, spec: FieldSpec | None
) -> Value:
    """Check and normalise the value ``op`` takes on a field of ``kind``."""
    if op in NO_VALUE_OPS:
        if has_value and raw is not None:
            errors.add(path, "This operator takes no value.")
            raise _Bad
        return None
    if not has_value:
        errors.add(path, "This field is required.")
        raise _Bad
    if op in LIST_OPS:
        if not isinstance(raw, list) or not raw:
            errors.add(path, "Must be a non-empty list.")
            raise _Bad
        if len(raw) > MAX_LIST:
            errors.add(path, f"Must have at most {MAX_LIST} values.")
            raise _Bad
        items = [_scalar(kind, item, f"{path}.{i}", errors, spec) for i, item in enumerate(raw)]
        return tuple(dict.fromkeys(items))
    if op is Op.BETWEEN:
        if not isinstance(raw, list) or len(raw) != 2:
            errors.add(path, "Must be a list of two values: [from, to].")
            raise _Bad
        low, high = (_scalar(kind, item, f"{path}.{i}", errors, spec) for i, item in enumerate(raw))
        if low > high:  # type: ignore[operator]
            errors.add(path, "The first value must not be greater than the second.")
            raise _Bad
        return (low, high)
    if op is Op.WITHIN_LAST_DAYS:
        return _int(raw, path, errors, low=0, high=MAX_DAYS)
    return _scalar(kind, raw, path, errors, spec)


def _keys(data: Mapping[str, Any], allowed: set[str], path: str, errors: _Errors) -> None:
    unknown = sorted(set(data) - allowed)
    for key in unknown:
        errors.add(f"{path}.{key}", "Unknown key.")
    if unknown:
        raise _Bad


def _op(raw: Any, allowed: tuple[Op, ...], path: str, errors: _Errors) -> Op:
    try:
        op = Op(raw)
    except (ValueError, TypeError):
        op = None
    if op is None or op not in allowed:
        errors.add(path, f"Unknown operator {raw!r} here; use one of: {', '.join(allowed)}.")
        raise _Bad
    return op


class _Parser:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.errors = _Errors()
        self.conditions = 0

    def node(self, data: Any, path: str, depth: int) -> Node:
        if depth > MAX_DEPTH:
            self.errors.add(path, f"The filter is nested too deeply (at most {MAX_DEPTH} levels).")
            raise _Bad
        if not isinstance(data, Mapping):
            self.errors.add(path, "Must be an object.")
            raise _Bad
        for group, cls in (("and", All), ("or", AnyOf)):
            if group in data:
                _keys(data, {group}, path, self.errors)
                return cls(self.children(data[group], f"{path}.{group}", depth, empty_ok=group == "and"))
        if "not" in data:
            _keys(data, {"not"}, path, self.errors)
            return Not(self.node(data["not"], f"{path}.not", depth + 1))
        self.conditions += 1
        if self.conditions == MAX_CONDITIONS + 1:
            self.errors.add(path, f"The filter has too many conditions (at most {MAX_CONDITIONS}).")
        if "field" in data:
            return self.field(data, path)
        if "event" in data:
            return self.event(data, path)
        if "campaign_touched" in data:
            _keys(data, {"campaign_touched", "within_days"}, path, self.errors)
            campaign = _int(
                data["campaign_touched"],
                f"{path}.campaign_touched",
                self.errors,
                low=1,
                high=MAX_ID,
                what="a campaign id",
            )
            return CampaignTouched(campaign, self.days(data, path))
        if "in_segment" in data:
            _keys(data, {"in_segment"}, path, self.errors)
            return InSegment(
                _int(
                    data["in_segment"],
                    f"{path}.in_segment",
                    self.errors,
                    low=1,
                    high=MAX_ID,
                    what="a segment id",
                )
            )
        self.errors.add(
            path,
            'Must be a group ("and", "or", "not") or a condition ("field", "event", "campaign_touched", "in_segment").',
        )
        raise _Bad

    def children(self, raw: Any, path: str, depth: int, *, empty_ok: bool) -> tuple[Node, ...]:
        if not isinstance(raw, list):
            self.errors.add(path, "Must be a list of conditions.")
            raise _Bad
        if not raw and not empty_ok:
            self.errors.add(path, "Needs at least one condition.")
            raise _Bad
        if len(raw) > MAX_CONDITIONS:
            self.errors.add(path, f"Has too many conditions (at most {MAX_CONDITIONS}).")
            raise _Bad
        children: list[Node] = []
        failed = False
        for i, item in enumerate(raw):
            try:
                children.append(self.node(item, f"{path}.{i}", depth + 1))
            except _Bad:
                failed = True
        if failed:
            raise _Bad
        return tuple(children)

    def days(self, data: Mapping[str, Any], path: str) -> int | None:
        raw = data.get("within_days")
        if raw is None:
            return None
        return _int(raw, f"{path}.within_days", self.errors, low=1, high=MAX_DAYS)

    def field(self, data: Mapping[str, Any], path: str) -> FieldCondition:
        _keys(data, {"field", "op", "value"}, path, self.errors)
        key = data["field"]
        spec = self.catalog.get(key) if isinstance(key, str) else None
        if spec is None:
            self.errors.add(f"{path}.field", f"Unknown field {key!r}.")
            raise _Bad
        op = _op(data.get("op"), spec.operators, f"{path}.op", self.errors)
        value = _operand(
            spec.kind, op, data.get("value"), "value" in data, f"{path}.value", self.errors, spec
        )
        return FieldCondition(spec, op, value)

    def event(self, data: Mapping[str, Any], path: str) -> EventCondition:
        _keys(data, {"event", "op", "count", "within_days"}, path, self.errors)
        spec = data["event"]
        epath = f"{path}.event"
        if not isinstance(spec, Mapping):
            self.errors.add(epath, "Must be an object.")
            raise _Bad
        _keys(spec, {"type", "name", "properties"}, epath, self.errors)
        event_type = spec.get("type")
        if event_type not in EventType.values:
            self.errors.add(f"{epath}.type", f"Must be one of: {', '.join(EventType.values)}.")
            raise _Bad
        name = spec.get("name")
        if name is not None:
            name = _text(name, f"{epath}.name", self.errors, max_length=200)
        raw_props = spec.get("properties") or []
        if not isinstance(raw_props, list) or len(raw_props) > 20:
            self.errors.add(f"{epath}.properties", "Must be a list of at most 20 property filters.")
            raise _Bad
        props = tuple(self.event_property(p, f"{epath}.properties.{i}") for i, p in enumerate(raw_props))
        op = _op(data.get("op", Op.GTE.value), EVENT_COUNT_OPS, f"{path}.op", self.errors)
        count = _int(data.get("count", 1), f"{path}.count", self.errors, low=0, high=MAX_COUNT)
        return EventCondition(str(event_type), name, props, op, count, self.days(data, path))

    def event_property(self, data: Any, path: str) -> PropertyFilter:
        if not isinstance(data, Mapping):
            self.errors.add(path, "Must be an object.")
            raise _Bad
        _keys(data, {"key", "op", "value"}, path, self.errors)
        key = _text(data.get("key"), f"{path}.key", self.errors, max_length=MAX_KEY)
        if '"' in key:  # SQLite's JSON paths cannot address such keys; PostgreSQL's could
            self.errors.add(f"{path}.key", "Property names with double quotes are not supported.")
            raise _Bad
        raw = data.get("value")
        sample = raw[0] if isinstance(raw, list) and raw else raw
        kind = Kind.BOOLEAN if isinstance(sample, bool) else Kind.NUMBER if _is_number(sample) else Kind.TEXT
        op = _op(data.get("op"), EVENT_PROPERTY_OPS[kind], f"{path}.op", self.errors)
        value = _operand(kind, op, raw, "value" in data, f"{path}.value", self.errors, None)
        return PropertyFilter(key, op, value, kind)


def parse_filter(data: Any, catalog: Catalog, *, path: str = "filter") -> Node:
    """Parse and validate a JSON filter tree; :class:`Invalid` lists every problem by path."""
    parser = _Parser(catalog)
    try:
        node = parser.node(data, path, 1)
    except _Bad:
        node = None
    if parser.errors or node is None:
        errors = parser.errors.by_path or {path: ["Not valid."]}
        first_path, messages = next(iter(errors.items()))
        raise Invalid(f"The segment filter is not valid: {first_path}: {messages[0]}", field_errors=errors)
    return node
