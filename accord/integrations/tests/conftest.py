"""Fixtures for the import/export tests: an isolated MEDIA_ROOT and helpers to run imports."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from accord.integrations import actions, runner
from accord.integrations.models import ImportJob


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def upload(db) -> Callable[..., ImportJob]:
    """Create an import job from bytes, as the upload page does."""

    def make(
        data: bytes, *, object_type: str = "contact", by: Any = None, name: str = "people.csv"
    ) -> ImportJob:
        return actions.create_import(upload=io.BytesIO(data), filename=name, object_type=object_type, by=by)

    return make


@pytest.fixture
def run_import(upload) -> Callable[..., ImportJob]:
    """Upload, map (suggested mapping unless given), and run to the end in this process."""

    def run(
        data: bytes,
        *,
        object_type: str = "contact",
        by: Any = None,
        on_duplicate: str = "update",
        mapping: list[str] | None = None,
        batch_size: int = runner.BATCH_SIZE,
        **kw: Any,
    ) -> ImportJob:
        job = upload(data, object_type=object_type, by=by)
        actions.start_import(
            job,
            mapping=mapping if mapping is not None else job.mapping,
            on_duplicate=on_duplicate,
            by=by,
            queue=False,
        )
        ended = runner.run(job.pk, batch_size=batch_size, **kw)
        assert ended is not None
        return ended

    return run
