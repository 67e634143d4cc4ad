"""Raw SQL building blocks of :mod:`accord.contacts.bulk`: statements per table, driver-level cursors,
batch lookups and the retry on a lost race. Split out of ``bulk.py`` to keep each module to one concept."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, models, transaction

from accord.core.db import driver_cursor, is_postgresql, unnest_insert_sql

_T = TypeVar("_T")


class _Table:
    """``INSERT`` and ``UPDATE`` statements for a model, fed with plain Python values.

    Values go through the backend's adapters (datetimes, JSON) as the ORM's would; columns the
    caller does not give get their field default, so a field added later with a default does not
    break bulk writes.
    """

    def __init__(
        self,
        model: type[models.Model],
        insert: Sequence[str],
        update: Sequence[str] = (),
        *,
        ignore_conflicts: bool = False,
    ) -> None:
        ops, qn = connection.ops, connection.ops.quote_name
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.insert_names = tuple(insert)
        self.update_names = tuple(update)
        self._adapters: dict[str, Callable[[Any], Any]] = {}
        self._positions: dict[tuple[str, ...], list[tuple[int, Callable[[Any], Any]]]] = {}
        self._datetimes: dict[datetime, Any] = {}
        for name in {*insert, *update}:
            f = fields[name]
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                self._adapters[name] = ops.adapt_datetimefield_value
            elif kind == "JSONField":
                self._adapters[name] = _json_adapter(getattr(f, "encoder", None))
        extra = [f for a, f in fields.items() if insert and a not in insert and not f.primary_key]
        defaults = [f.get_default() for f in extra]
        for f, default in zip(extra, defaults, strict=True):
            if default is None and not f.null:
                raise ImproperlyConfigured(f"Bulk writes do not fill {model.__name__}.{f.attname}.")
        self._constants = tuple(
            f.get_db_prep_save(d, connection) for f, d in zip(extra, defaults, strict=True)
        )
        self.ignore_conflicts = ignore_conflicts
        table = qn(model._meta.db_table)
        columns = [str(fields[n].column) for n in insert] + [str(f.column) for f in extra]
        column_sql = ", ".join(qn(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        # Identifiers come from the model's meta, quoted; values are always bound parameters.
        self.insert_sql = f"INSERT INTO {table} ({column_sql}) VALUES ({marks})"  # noqa: S608
        # PostgreSQL: one statement with an array per column (as Django's bulk_create does there).
        self.unnest_sql = unnest_insert_sql(model, columns)
        if ignore_conflicts:
            self.insert_sql += " ON CONFLICT DO NOTHING"
            self.unnest_sql += " ON CONFLICT DO NOTHING"
        self.copy_sql = f"COPY {table} ({column_sql}) FROM STDIN"
        sets = ", ".join(f"{qn(str(fields[n].column))} = %s" for n in update)
        pk = qn(str(model._meta.pk.column)) if model._meta.pk else "id"
        self.update_sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608 - as above

    def _adapt(self, names: tuple[str, ...], values: Sequence[Any]) -> list[Any]:
        out = list(values)
        positions = self._positions.get(names)
        if positions is None:
            positions = self._positions[names] = [
                (i, self._adapters[n]) for i, n in enumerate(names) if n in self._adapters
            ]
        for i, adapt in positions:
            value = out[i]
            if value is None:
                continue
            if isinstance(value, datetime):  # one timestamp per batch: adapt it once
                cached = self._datetimes.get(value)
                if cached is None:
                    cached = self._datetimes[value] = adapt(value)
                out[i] = cached
            else:
                out[i] = adapt(value)
        return out

    def insert(self, rows: Iterable[Sequence[Any]]) -> None:
        adapted = [(*self._adapt(self.insert_names, r), *self._constants) for r in rows]
        if not adapted:
            return
        with driver_cursor() as cursor:
            if not is_postgresql():
                cursor.executemany(self.insert_sql, adapted)
            elif self.ignore_conflicts:  # COPY cannot skip conflicts
                cursor.execute(self.unnest_sql, [list(column) for column in zip(*adapted, strict=True)])
            else:
                with cursor.copy(self.copy_sql) as copy:
                    for values in adapted:
                        copy.write_row(values)

    def update(self, rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
        """``rows``: (primary key, values in ``update`` order)."""
        adapted = [(*self._adapt(self.update_names, values), pk) for pk, values in rows]
        if adapted:
            with driver_cursor() as cursor:
                cursor.executemany(self.update_sql, adapted)


def _json_adapter(encoder: Any) -> Callable[[Any], Any]:
    empty = connection.ops.adapt_json_value({}, encoder)

    def adapt(value: Any) -> Any:
        return connection.ops.adapt_json_value(value, encoder) if value else empty

    return adapt


def _pairs(
    model: type[models.Model], key: str, value: str, keys: Iterable[str], **equal: str
) -> list[tuple[Any, Any]]:
    """``(key, value)`` of the rows whose ``key`` is one of ``keys`` (and whose fields in ``equal``
    have those values): ``filter(key__in=…).values_list(key, value)`` without the ORM's
    per-parameter preparation, which costs more than the query itself on batches of thousands."""
    wanted = list(keys)
    if not wanted:
        return []
    qn = connection.ops.quote_name
    meta = model._meta
    fields = {f.name: f for f in meta.concrete_fields}

    def column(name: str) -> str:
        return qn(str(fields[name].column))

    params: list[Any]
    if is_postgresql():  # one binary array parameter, not thousands of placeholders
        conditions, params = [f"{column(key)} = ANY(%b)"], [wanted]
    else:
        conditions, params = [f"{column(key)} IN ({', '.join(['%s'] * len(wanted))})"], list(wanted)
    conditions += [f"{column(name)} = %s" for name in equal]
    # Identifiers come from the model's meta, quoted; values are bound parameters.
    sql = f"SELECT {column(key)}, {column(value)} FROM {qn(meta.db_table)} WHERE {' AND '.join(conditions)}"  # noqa: S608
    with driver_cursor() as cursor:
        cursor.execute(sql, [*params, *equal.values()])
        return list(cursor.fetchall())


def _reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """On PostgreSQL, ``count`` new primary keys from the table's sequence in one round trip, so a
    ``COPY`` can carry its ids and need no lookup afterwards; None elsewhere (SQLite's lookups are
    in-process and cheap). Ids of a rolled-back batch are simply never used, as with ``INSERT``."""
    if not is_postgresql() or count <= 0:
        return None
    meta = model._meta
    pk = str(meta.pk.column) if meta.pk else "id"
    with driver_cursor() as cursor:
        cursor.execute(
            "SELECT nextval(s.name) FROM (SELECT pg_get_serial_sequence(%s, %s) AS name) AS s, "
            "generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), pk, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


_CONTACT_UPDATE = (
    "first_name", "last_name", "phone", "title", "company_id", "owner_id", "lifecycle_stage", "country",
    "properties", "updated_at",
)  # fmt: skip
_CONTACT_INSERT = ("email", *_CONTACT_UPDATE[:-1], "created_at", "updated_at")
_STAGE_INSERT = ("contact_id", "from_stage", "to_stage", "changed_at", "changed_by_id", "rule", "reason")
_COMPANY_UPDATE = (
    "name", "domain", "industry", "size", "revenue_band", "country", "lifecycle_stage", "owner_id",
    "properties", "updated_at",
)  # fmt: skip


def _with_retry(write: Callable[[], _T]) -> _T:
    """Run ``write`` in a savepoint; once more if a concurrent writer inserted one of our keys
    between our lookup and our insert (the second run finds it and updates or skips it)."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        with transaction.atomic():
            return write()
