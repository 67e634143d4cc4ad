"""Fixtures for the segment tests.

``world`` is built once per test module inside a transaction that is rolled back afterwards;
each test runs in a savepoint inside it (pytest-django supports tests nested in a wider
transaction), so tests may write freely and the next test sees the world unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from accord.segments import rebuild
from accord.segments.tests.fixtures import World, build_world
from accord.segments.tests.oracle import Row, snapshot


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def rows(world: World, django_db_blocker: Any) -> list[Row]:
    with django_db_blocker.unblock():
        return snapshot()


SECRET = "secret-value-42"  # a bound value that must never reach a stored reason or a page


@pytest.fixture
def fails_in_the_database(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Make one segment's statements fail in the database after it has written (on PostgreSQL an
    error aborts the transaction up to the last savepoint), with SQL text and a bound value that
    must not reach the reason."""

    def fail() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM accord_no_such_table WHERE name = %s", [SECRET])

    def arm(segment_id: int) -> None:
        real_add, real_replace = rebuild.add_matching, rebuild.replace_members

        def add_matching(seg_id: int, *args: Any, **kwargs: Any) -> int:
            if seg_id == segment_id:
                fail()
            return real_add(seg_id, *args, **kwargs)

        def replace_members(seg_id: int, *args: Any, **kwargs: Any) -> tuple[int, int]:
            result = real_replace(seg_id, *args, **kwargs)
            if seg_id == segment_id:
                fail()
            return result

        monkeypatch.setattr(rebuild, "add_matching", add_matching)
        monkeypatch.setattr(rebuild, "replace_members", replace_members)

    return arm
