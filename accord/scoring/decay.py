"""Exponential decay of engagement points, in Python and in SQL — the same formula both ways.

An occurrence worth ``points`` when it happened is worth ``points × 0.5 ** (age_days / half_life_days)``
now. A rule adds the decayed points of its occurrences and caps the sum at ``cap`` (for a rule with
negative points: at ``-cap``). Because every occurrence of a rule halves at the same pace, the
*uncapped* sum halves every half-life too, which gives the explanation its dates in closed form
(:func:`days_until`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, F, FloatField
from django.db.models.sql.compiler import SQLCompiler

SECONDS_PER_DAY = 86_400.0
# 1970-01-01T00:00:00Z as a Julian day number (SQLite's julianday()).
UNIX_EPOCH_JULIAN_DAY = 2_440_587.5


def decay_factor(age_days: float, half_life_days: float) -> float:
    """``0.5 ** (age / half-life)``: 1 for a fresh occurrence, ½ after one half-life."""
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    return 0.5 ** (max(age_days, 0.0) / half_life_days)


def age_days(occurred_at: datetime, now: datetime) -> float:
    return (now - occurred_at).total_seconds() / SECONDS_PER_DAY


def capped(raw: float, cap: int | None) -> float:
    """The rule's contribution: ``raw`` limited to ``[-cap, cap]`` (no limit without a cap)."""
    if cap is None:
        return raw
    return max(-float(cap), min(float(cap), raw))


def rule_points(
    points: int, occurred: list[datetime], now: datetime, *, half_life_days: float, cap: int | None
) -> float:
    """The capped, decayed contribution of one rule's occurrences (the Python reference)."""
    raw = sum(points * decay_factor(age_days(at, now), half_life_days) for at in occurred)
    return capped(raw, cap)


def round_score(value: float) -> int:
    """Nearest integer, halves away from zero — what SQLite's ROUND and PostgreSQL's numeric
    ROUND do, so Python, SQLite and PostgreSQL agree on the stored total."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def days_until(raw: float, cap: int | None, target: float, half_life_days: float) -> float:
    """Days from now until the rule's contribution has decayed to ``target`` (same sign, smaller).

    The contribution is ``capped(raw × 0.5^(t/h))``; it reaches ``|target| < cap`` when the
    uncapped sum does: ``t = h × log2(|raw| / |target|)``. 0 if it is already there.
    """
    if target == 0:
        return math.inf
    if abs(raw) <= abs(target):
        return 0.0
    return half_life_days * math.log2(abs(raw) / abs(target))


def when(now: datetime, days: float) -> datetime:
    return now + timedelta(days=days)


def julian_day(moment: datetime) -> float:
    """``moment`` as SQLite's ``julianday()`` number (UTC)."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC).timestamp() / SECONDS_PER_DAY + UNIX_EPOCH_JULIAN_DAY


class DecayedPoints(Expression):
    """``points × 0.5 ^ (age in days / half_life_days)`` of a row's timestamp column, in SQL.

    ``now`` and the numbers are bound parameters. SQLite: ``julianday()`` of the stored text
    (millisecond precision) and the built-in ``POWER`` (SQLite ≥ 3.35 with math functions; Django
    registers a Python ``POWER`` otherwise). PostgreSQL: ``date_part('epoch', now - column)``.
    """

    output_field = FloatField()

    def __init__(self, column: str, *, points: int, half_life_days: float, now: datetime) -> None:
        super().__init__(output_field=FloatField())
        self.column: Any = F(column)
        self.points = float(points)
        self.half_life_days = float(half_life_days)
        self.now = now

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        raise NotImplementedError(f"Score decay is not implemented for {connection.vendor}")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        sql = f"(%s * POWER(0.5, (%s - julianday({column})) / %s))"
        return sql, (self.points, julian_day(self.now), *params, self.half_life_days)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        sql = (
            "(CAST(%s AS double precision) * POWER(CAST(0.5 AS double precision), "
            f"date_part('epoch', CAST(%s AS timestamptz) - {column}) / 86400.0 / %s))"
        )
        return sql, (self.points, self.now, *params, self.half_life_days)
