"""Database access below the ORM, for the few hot paths that need it (bulk imports, ingest).

:func:`driver_cursor` is the driver's own cursor on Django's connection: the same transaction, and
errors still raised as ``django.db`` exceptions. On PostgreSQL it binds parameters server-side;
Django's psycopg cursor binds them client-side, and composing a statement with thousands of values
(or one per row of an ``executemany``) costs more than running it. Statements given to it are built
from model metadata and placeholders only; values are always bound parameters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection


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
