from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from accord.demo.generator import WorkspaceSummary, generate_workspace
from accord.demo.tests.fixtures import NOW

SMALL = 300


@pytest.fixture(scope="module")
def workspace(django_db_setup: Any, django_db_blocker: Any) -> Iterator[WorkspaceSummary]:
    """One small workspace per test module, rolled back afterwards; each test runs inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate_workspace(contacts=SMALL, seed=7, batch_size=120, now=NOW)
        transaction.set_rollback(True)
