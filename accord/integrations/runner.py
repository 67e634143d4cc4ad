"""Running an import: stream the file, convert and validate each row, write batches.

Each batch of valid rows goes through :mod:`accord.contacts.bulk` in one transaction, and in the
*same* transaction the job's counters (``processed_rows``, created/updated/skipped/error counts,
the error report's size) move forward. So what the job says is imported is exactly what is in the
database: a crash or a failure loses nothing already counted, and a rerun resumes after
``processed_rows`` without inserting anything twice.

A run first *claims* the job (a fresh ``run_token``). Every batch re-reads the job under a lock
and stops when it was cancelled or when another run claimed it since (a resumed job whose old
worker wakes up), so two runners never both write.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.contacts.bulk import (
    BulkResult,
    MayChange,
    bulk_upsert_companies,
    bulk_upsert_contacts,
)
from accord.contacts.models import Contact
from accord.integrations.access import may_change_for
from accord.integrations.mapping import ConverterSpec
from accord.integrations.models import ImportJob
from accord.integrations.parse import CsvFormat, CsvProblem, ReadError
from accord.integrations.reader import Batch, ReadPlan, read
from accord.integrations.report import ErrorReport, new_report_name
from accord.scoring.actions import schedule_rescore
from accord.segments.actions import schedule_refresh

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
Status = ImportJob.Status
Progress = Callable[[ImportJob], None]


class _Stopped(Exception):
    """The job was cancelled, or another run took it over."""


def claim(job_id: int) -> tuple[ImportJob, str] | None:
    """Mark the job running under a new token; None when there is nothing to run."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (Status.MAPPED, Status.RUNNING):
            return None
        token = uuid.uuid4().hex
        job.status = Status.RUNNING
        job.run_token = token
        job.started_at = job.started_at or timezone.now()
        job.finished_at = None
        job.last_error = ""
        if not job.error_file:
            job.error_file.name = new_report_name(job)
        job.save()
    return job, token


def run(job_id: int, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> ImportJob | None:
    """Run (or resume) the import ``job_id`` to its end; returns the job as it ended.

    Failures do not raise: the job is marked failed with the reason, and what was committed before
    stays. Running a job that is done, cancelled or failed does nothing (resume a failed job with
    :func:`accord.integrations.actions.resume_import`).
    """
    claimed = claim(job_id)
    if claimed is None:
        return ImportJob.objects.filter(pk=job_id).first()
    job, token = claimed
    try:
        _run(job, token, batch_size, progress)
    except _Stopped:
        pass
    except CsvProblem as exc:
        _end(job, token, Status.FAILED, f"{exc.message}. Rows before it were imported.")
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        first = job.processed_rows + 2
        _end(
            job,
            token,
            Status.FAILED,
            f"The import stopped at row {first:,} because of an unexpected error ({type(exc).__name__}: "
            f"{exc}). Everything before row {first:,} was imported; resume to try the rest again.",
        )
    job.refresh_from_db()
    return job


def _run(job: ImportJob, token: str, batch_size: int, progress: Progress | None) -> None:
    by = job.uploaded_by
    may_change = may_change_for(by, job.object_type)
    plan = ReadPlan(
        path=job.file.path,
        format=CsvFormat(job.encoding, job.delimiter),
        skip=job.processed_rows,
        batch_size=batch_size,
        converter=ConverterSpec.load(job.object_type, job.headers, job.mapping),
    )
    with ErrorReport(job) as report:
        for batch in read(plan):
            if batch.consumed:
                _commit(job, token, batch, report, by, may_change)
                if progress is not None:
                    progress(job)
            if batch.read_error is not None:
                raise ReadError(*batch.read_error)
    _end(job, token, Status.DONE)


def _write(job: ImportJob, rows: list[Any], by: User | None, may_change: MayChange | None) -> BulkResult:
    mode: Any = job.on_duplicate
    if job.object_type == ImportJob.ObjectType.COMPANY:
        return bulk_upsert_companies(rows, on_duplicate=mode, by=by, may_change=may_change)
    return bulk_upsert_contacts(rows, on_duplicate=mode, by=by, may_change=may_change)


def _commit(
    job: ImportJob,
    token: str,
    batch: Batch,
    report: ErrorReport,
    by: User | None,
    may_change: MayChange | None,
) -> None:
    with transaction.atomic():
        current = (
            ImportJob.objects.select_for_update().filter(pk=job.pk).values("status", "run_token").first()
        )
        if current is None or current["status"] != Status.RUNNING or current["run_token"] != token:
            raise _Stopped
        result = _write(job, batch.rows, by, may_change) if batch.rows else BulkResult()
        errors = sorted(batch.errors + [(e.ref, e.message) for e in result.errors])
        size = report.write((batch.cells[n], f"row {n}: {message}") for n, message in errors)
        counters = {
            "processed_rows": job.processed_rows + batch.consumed,
            "created_count": job.created_count + result.created,
            "updated_count": job.updated_count + result.updated,
            "skipped_count": job.skipped_count + result.skipped,
            "error_count": job.error_count + len(errors),
            "error_file_bytes": size,
            "updated_at": timezone.now(),
        }
        ImportJob.objects.filter(pk=job.pk).update(**counters)
        _after_commit(job, result)
    for name, value in counters.items():  # committed: the job in memory may say so too
        setattr(job, name, value)


def _after_commit(job: ImportJob, result: BulkResult) -> None:
    """Segments and scores of the contacts this batch touched are refreshed in the worker."""
    if job.object_type == ImportJob.ObjectType.CONTACT:
        ids = result.created_ids + result.updated_ids
    elif result.updated_ids:  # a company's contacts may match other segments or score differently now
        ids = list(Contact.objects.filter(company_id__in=result.updated_ids).values_list("pk", flat=True))
    else:
        ids = []
    if ids:
        schedule_refresh(ids)
        schedule_rescore(ids)


def _end(job: ImportJob, token: str, status: str, message: str = "") -> None:
    now = timezone.now()
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().filter(pk=job.pk, run_token=token).first()
        if current is None or current.status != Status.RUNNING:
            return  # cancelled meanwhile, or another run owns it
        fields: dict[str, Any] = {"status": status, "finished_at": now, "last_error": message[:4000]}
        if status == Status.DONE:
            fields["total_rows"] = current.processed_rows
        ImportJob.objects.filter(pk=job.pk).update(**fields, updated_at=now)


def error_report_path(job: ImportJob) -> Path | None:
    if not job.error_file or not job.error_count:
        return None
    path = Path(default_storage.path(str(job.error_file.name)))
    return path if path.exists() else None
