"""Two SQL expressions the compiler needs that Django does not ship. Both render only fixed SQL
text; everything that comes from a filter (JSON keys, the sets' own conditions) is a bound parameter.

- :class:`JsonValue`: the value at a key of a JSON column *if it has the expected JSON type*, else
  NULL: the same on SQLite and PostgreSQL, one type test and one extraction per row, and a
  condition never compares a number with a string (which the two databases order differently).
- :class:`Unindexed`: a column SQLite's planner must not pick an index for (see its docstring).
- :class:`InContactSet`: "the contact is in this set of contact ids" (a subquery), or its
  complement. The complement is the reason it exists: Django writes ``NOT (id IN (subquery))``,
  which PostgreSQL can only run as a hashed subplan when the set fits in ``work_mem`` and
  otherwise rescans the set for every contact. On PostgreSQL the complement is written as
  ``NOT EXISTS`` over the set, which the planner turns into an anti-join at any size.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    Expression,
    F,
    Field,
    FloatField,
    Func,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.sql.compiler import SQLCompiler

_Sql = tuple[str, tuple[Any, ...]]


def json_path(key: str) -> str:
    """SQLite's JSON path to an object key (as Django writes it): ``$."the key"``."""
    return "$." + json.dumps(key)


JsonType = Literal["string", "number", "boolean"]

_OUTPUT: dict[str, type[Field[Any, Any]]] = {
    "string": TextField,
    "number": FloatField,
    "boolean": BooleanField,
}
_SQLITE = {
    "string": "CASE WHEN JSON_TYPE({c}, %s) = 'text' THEN JSON_EXTRACT({c}, %s) END",
    "number": "CASE WHEN JSON_TYPE({c}, %s) IN ('integer', 'real') THEN JSON_EXTRACT({c}, %s) END",
    "boolean": "CASE JSON_TYPE({c}, %s) WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE NULL END",
}
_POSTGRES = {
    "string": "CASE WHEN jsonb_typeof({c} -> %s) = 'string' THEN ({c} ->> %s) END",
    "number": "CASE WHEN jsonb_typeof({c} -> %s) = 'number' THEN ({c} ->> %s)::double precision END",
    "boolean": "CASE WHEN jsonb_typeof({c} -> %s) = 'boolean' THEN ({c} ->> %s)::boolean END",
}


class JsonValue(Expression):
    """``column[key]`` when it holds a JSON ``json_type`` value; NULL when absent, null or another type."""

    def __init__(self, column: str, key: str, json_type: JsonType) -> None:
        super().__init__(output_field=_OUTPUT[json_type]())
        self.column: Any = F(column)
        self.key = key
        self.json_type = json_type

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _Sql:
        raise NotImplementedError(f"JSON conditions are not supported on {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _Sql:
        column, params = compiler.compile(self.column)
        path = json_path(self.key)
        sql = _SQLITE[self.json_type].format(c=column)
        if self.json_type == "boolean":
            return sql, (*params, path)
        return sql, (*params, path, *params, path)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _Sql:
        column, params = compiler.compile(self.column)
        return _POSTGRES[self.json_type].format(c=column), (*params, self.key, *params, self.key)


class Unindexed(Func):
    """A column, written ``+column`` on SQLite: SQLite's documented way to keep the planner from
    using an index for that term. PostgreSQL sees the plain column and plans from its statistics.

    Used when a set is restricted to a small batch of contacts: ``contact_id IN (…500 ids…) AND
    type = 'page' AND occurred_at >= …`` must read the (contact_id, occurred_at) index, but SQLite,
    which keeps no statistics unless ANALYZE runs, would rather scan every page view of the window
    through (type, occurred_at).
    """

    template = "%(expressions)s"
    arity = 1

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _Sql:
        sql, params = super().as_sql(compiler, connection, **extra)
        return f"+{sql}", tuple(params)


class InContactSet(Expression):
    """``contact.id IN (<ids>)`` or, with ``negated``, its complement (strictly true or false).

    ``ids`` is a queryset selecting one column of non-null contact ids.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, ids: QuerySet[Any, Any], *, negated: bool = False, outer: str = "pk") -> None:
        super().__init__(output_field=BooleanField())
        self.outer: Any = F(outer)
        self.ids: Any = Subquery(ids)
        self.negated = negated

    def get_source_expressions(self) -> list[Any]:
        return [self.outer, self.ids]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.outer, self.ids = exprs

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _Sql:
        outer, outer_params = compiler.compile(self.outer)
        ids, ids_params = compiler.compile(self.ids)
        sql = f"{outer} IN {ids}"
        if self.negated:
            sql = f"NOT ({sql})"
        return sql, (*outer_params, *ids_params)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _Sql:
        if not self.negated:
            return self.as_sql(compiler, connection, **extra)
        outer, outer_params = compiler.compile(self.outer)
        ids, ids_params = compiler.compile(self.ids)
        # Fixed text around compiled SQL; every value in ``ids`` is a bound parameter.
        sql = f"NOT EXISTS (SELECT 1 FROM {ids} AS segment_set (contact_id) WHERE segment_set.contact_id = {outer})"  # noqa: S608
        return sql, (*ids_params, *outer_params)
