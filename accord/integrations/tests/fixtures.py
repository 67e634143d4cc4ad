"""Helpers for the import/export tests (the fixtures themselves are in conftest.py)."""

from __future__ import annotations

import csv
import io
from typing import Any

from accord.integrations import runner
from accord.integrations.models import ImportJob


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def report_rows(job: ImportJob) -> list[list[str]]:
    """The error report's rows (header included), BOM removed."""
    path = runner.error_report_path(job)
    assert path is not None, "no error report"
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=job.delimiter))


def run_job(job_id: int, **kwargs: Any) -> ImportJob:
    """:func:`runner.run` for a job that exists."""
    job = runner.run(job_id, **kwargs)
    assert job is not None
    return job
