"""Fixtures for the segment tests.

``world`` is built once per test module inside a transaction that is rolled back afterwards;
each test runs in a savepoint inside it (pytest-django supports tests nested in a wider
transaction), so tests may write freely and the next test sees the world unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

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
