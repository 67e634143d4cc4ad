"""Database access below the ORM, for the few hot paths that need it (bulk imports, ingest).

:func:`driver_cursor` is the driver's own cursor on Django's connection: the same transaction, and
errors still raised as ``django.db`` exceptions. On PostgreSQL it binds parameters server-side;
Django's psycopg cursor binds them client-side, and composing a statement with thousands of values
(or one per row of an ``executemany``) costs more than running it. Statements given to it are built
from model metadata and placeholders only; values are always bound parameters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def is_postgresql() -> bool:
    """PostgreSQL through psycopg 3 (the only PostgreSQL driver Accord installs)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return bool(is_psycopg3)


@contextlib.contextmanager
def driver_cursor() -> Iterator[Any]:
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if is_postgresql():
            import psycopg

            with psycopg.Cursor(connection.connection) as cursor:
                yield cursor
        else:
            with connection.cursor() as wrapper:
                yield wrapper.cursor


def unnest_insert_sql(model: type[Model], columns: Sequence[str], *, json_as_text: bool = False) -> str:
    """PostgreSQL: ``INSERT INTO <table> (columns) SELECT … FROM UNNEST(%b::type[], …)``, one array
    parameter per column, bound in binary (``%b``: psycopg's text format escapes every array element
    with a regular expression). The statement text is the same whatever the number of rows, so the
    server prepares it after a few uses. ``json_as_text``: JSON columns arrive as already-encoded text
    and are cast to ``jsonb``. Add ``ON CONFLICT …``/``RETURNING …`` to the result as needed."""
    qn = connection.ops.quote_name
    fields = {f.column: f for f in model._meta.concrete_fields}

    def array_type(column: str) -> str:
        field = fields[column]
        if json_as_text and field.get_internal_type() == "JSONField":
            return "text"
        return str(field.db_type(connection)).split("(")[0]

    names = ", ".join(qn(c) for c in columns)
    arrays = ", ".join(f"%b::{array_type(c)}[]" for c in columns)
    values = ", ".join(
        f"{qn(c)}::jsonb" if json_as_text and fields[c].get_internal_type() == "JSONField" else qn(c)
        for c in columns
    )
    # Only identifiers from the model's meta and placeholders go into the text.
    return f"INSERT INTO {qn(model._meta.db_table)} ({names}) SELECT {values} FROM UNNEST({arrays}) AS u({names})"  # noqa: S608
