"""Background work for imports. ``run_import`` is idempotent: a rerun resumes after the last
committed batch and stops at once for a job that is done or cancelled."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from accord.integrations import runner


@db_task()
def run_import(job_id: int) -> None:
    runner.run(job_id)
