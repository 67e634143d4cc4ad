"""One condition on one value (a column, a JSON key or a score) as a Django ``Q``.

Every ``Q`` built here is *strictly* true or false for every row, never SQL NULL: a comparison is
ANDed with "the value is known" (the relation exists, the JSON key holds a value of the right
type). That is what lets the compiler negate any condition with plain ``NOT`` and get the
two-valued logic people expect: a contact with no company *is not* in company "Acme".

Values always travel as bound parameters: lookups are built from fixed lookup names on allow-listed
paths or on aliases the compiler names itself (``_seg0``), never from filter text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Coalesce

from accord.segments.expressions import JsonType, JsonValue
from accord.segments.fields import NEGATIONS, Column, JsonKey, Kind, Op, Score, Source
from accord.segments.filters import Value as FilterValue

# Always true / always false, as conditions that need no join and are never NULL.
TRUE = Q(pk__isnull=False)
FALSE = Q(pk__isnull=True)

_JSON_TYPES: dict[Kind, JsonType] = {
    Kind.TEXT: "string",
    Kind.CHOICE: "string",
    Kind.DATE: "string",
    Kind.NUMBER: "number",
    Kind.BOOLEAN: "boolean",
}
_COMPARISONS = {Op.GT: "gt", Op.GTE: "gte", Op.LT: "lt", Op.LTE: "lte"}


@dataclass
class Scope:
    """The annotations (``alias()``) one queryset needs; names are generated, never user text."""

    prefix: str
    aliases: dict[str, Any] = field(default_factory=dict)

    def alias(self, expression: Any) -> str:
        name = f"{self.prefix}{len(self.aliases)}"
        self.aliases[name] = expression
        return name


@dataclass(frozen=True)
class _Target:
    ref: str  # a lookup path or an alias name
    known: Q | None  # strictly true when the value is present and of the right type; None: always
    missing: Q  # strictly true when the value is absent or empty ("is empty")


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _column(source: Column, kind: Kind) -> _Target:
    path, via = source.path, source.via
    if kind is Kind.USER:
        return _Target(path, Q(**{f"{path}__isnull": False}), Q(**{f"{path}__isnull": True}))
    known = Q(**{f"{via}__isnull": False}) if via else None
    empty = Q(**{path: ""})
    missing = (Q(**{f"{via}__isnull": True}) | empty) if via else empty
    return _Target(path, known, missing)


def _json(scope: Scope, column: str, key: str, kind: Kind) -> _Target:
    json_type = _JSON_TYPES[kind]
    value = scope.alias(JsonValue(column, key, json_type))
    missing = Q(**{f"{value}__isnull": True})
    if json_type == "string":
        missing |= Q(**{value: ""})
    return _Target(value, Q(**{f"{value}__isnull": False}), missing)


def _score(scope: Scope, source: Score) -> _Target:
    value = scope.alias(Coalesce(F(source.path), Value(0), output_field=FloatField()))
    return _Target(value, None, FALSE)


def _target(scope: Scope, source: Source, kind: Kind) -> _Target:
    if isinstance(source, Column):
        return _column(source, kind)
    if isinstance(source, JsonKey):
        return _json(scope, source.column, source.key, kind)
    return _score(scope, source)


def _pair(value: FilterValue) -> tuple[Any, Any]:
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError(f"expected a (low, high) pair, got {value!r}")
    return value[0], value[1]


def _days(value: FilterValue) -> dt.timedelta:
    if not isinstance(value, int):
        raise TypeError(f"expected a number of days, got {value!r}")
    return dt.timedelta(days=value)


def _day(value: Any) -> dt.date:
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {value!r}")
    return value


def _datetime_lookups(op: Op, value: FilterValue, now: dt.datetime) -> dict[str, Any]:
    """A timestamp column against UTC calendar days."""
    one_day = dt.timedelta(days=1)
    if op is Op.WITHIN_LAST_DAYS:
        return {"gte": now - _days(value), "lte": now}
    if op is Op.BETWEEN:
        low, high = _pair(value)
        return {"gte": day_start(_day(low)), "lt": day_start(_day(high) + one_day)}
    day = _day(value)
    if op is Op.BEFORE:
        return {"lt": day_start(day)}
    if op is Op.AFTER:
        return {"gte": day_start(day + one_day)}
    return {"gte": day_start(day), "lt": day_start(day + one_day)}  # EQ: on that day


def _date_lookups(op: Op, value: FilterValue, now: dt.datetime) -> dict[str, Any]:
    """An ISO date string in a JSON document; ISO strings sort in date order."""
    if op is Op.WITHIN_LAST_DAYS:
        today = now.astimezone(dt.UTC).date()
        return {"gte": (today - _days(value)).isoformat(), "lte": today.isoformat()}
    if op is Op.BETWEEN:
        low, high = _pair(value)
        return {"gte": _iso(low), "lte": _iso(high)}
    return {{Op.BEFORE: "lt", Op.AFTER: "gt"}.get(op, "exact"): _iso(value)}


def _lookups(kind: Kind, op: Op, value: FilterValue, now: dt.datetime) -> dict[str, Any]:
    """The Django lookups (ANDed) for a positive operator, with values in the target's terms."""
    if kind is Kind.DATETIME:
        return _datetime_lookups(op, value, now)
    if kind is Kind.DATE:
        return _date_lookups(op, value, now)
    if op is Op.BETWEEN:
        low, high = _pair(value)
        return {"gte": low, "lte": high}
    if op is Op.IN:
        return {"in": list(value) if isinstance(value, tuple) else [value]}
    if op is Op.CONTAINS:
        return {"icontains": value}
    if op is Op.STARTS_WITH:
        return {"istartswith": value}
    if op in _COMPARISONS:
        return {_COMPARISONS[op]: value}
    return {"exact": value}


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def value_condition(
    scope: Scope,
    source: Source,
    kind: Kind,
    op: Op,
    value: FilterValue,
    now: dt.datetime,
    *,
    strict: bool = True,
) -> Q:
    """``source op value`` as a ``Q``.

    With ``strict`` (the caller will negate it) the ``Q`` is never NULL. Without, it may be NULL
    where the value is unknown, which a WHERE clause reads as false: the compiler only leaves out
    the guard for conditions that are not negated, where true-or-not is all that matters.
    """
    positive = NEGATIONS.get(op)
    if positive is not None:
        return ~value_condition(scope, source, kind, positive, value, now, strict=True)
    target = _target(scope, source, kind)
    if op is Op.IS_NULL:
        return target.missing
    condition = Q(**{f"{target.ref}__{lookup}": v for lookup, v in _lookups(kind, op, value, now).items()})
    if strict and target.known is not None:
        condition &= target.known
    return condition
