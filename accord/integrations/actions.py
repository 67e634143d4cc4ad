"""Write operations on imports: upload, map and start, cancel, resume.

The import itself runs in the worker (:func:`accord.integrations.tasks.run_import`, scheduled
after commit) or, from the command line, in the same process (:mod:`accord.integrations.runner`).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accord.accounts.models import User
from accord.core.errors import ActionError, Conflict, Invalid
from accord.integrations import parse, tasks
from accord.integrations.access import may_update_existing
from accord.integrations.mapping import check_mapping, suggest, targets_for
from accord.integrations.models import ImportJob, upload_path

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# A running import that has not committed a batch for this long is offered a "Resume" button.
STALLED_AFTER = timedelta(minutes=10)
Status = ImportJob.Status


class FileTooLarge(ActionError):
    status = 413
    code = "file_too_large"


def max_upload_bytes() -> int:
    """``settings.ACCORD_IMPORT_MAX_BYTES`` (default 200 MiB), read when asked."""
    return int(getattr(settings, "ACCORD_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large_message(limit: int) -> str:
    return (
        f"The file is larger than the {filesizeformat(limit)} an import accepts. "
        "Split it into several files and import them one after the other."
    )


def create_import(
    *, upload: IO[bytes], filename: str, object_type: str, by: User | None, max_bytes: int | None = -1
) -> ImportJob:
    """Store the uploaded file, read its format (encoding, delimiter, header) and create the job
    with suggested column mappings. A file that cannot be imported raises :class:`Invalid` with
    the reason (and nothing is kept).

    ``max_bytes``: the size limit; by default :func:`max_upload_bytes`, None for none (the
    command line imports files of any size).
    """
    if object_type not in ImportJob.ObjectType.values:
        raise Invalid(
            f"Choose what the file holds: {', '.join(ImportJob.ObjectType.values)}.",
            field_errors={"object_type": ["Choose contacts or companies."]},
        )
    size = _size(upload)
    limit = max_upload_bytes() if max_bytes == -1 else max_bytes
    if limit is not None and size > limit:
        raise FileTooLarge(too_large_message(limit), field_errors={"file": [too_large_message(limit)]})
    job = ImportJob(object_type=object_type, original_filename=Path(filename).name[:255] or "upload.csv")
    job.uploaded_by = by
    job.size_bytes = size
    name = default_storage.save(upload_path(job, filename), File(upload))
    try:
        inspection = parse.inspect(Path(default_storage.path(name)))
    except parse.CsvProblem as exc:
        default_storage.delete(name)
        raise Invalid(exc.message, field_errors={"file": [exc.message]}, code="unreadable_csv") from exc
    job.file.name = name
    job.encoding = inspection.format.encoding
    job.delimiter = inspection.format.delimiter
    job.headers = inspection.headers
    job.mapping = suggest(inspection.headers, targets_for(object_type))
    job.total_rows = inspection.estimated_rows
    try:
        job.save()
    except Exception:
        default_storage.delete(name)
        raise
    return job


def _size(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    position = upload.tell()
    upload.seek(0, 2)
    end = upload.tell()
    upload.seek(position)
    return end


def start_import(
    job: ImportJob, *, mapping: list[str], on_duplicate: str, by: User | None, queue: bool = True
) -> ImportJob:
    """Save the column mapping and queue the import (after commit). With ``queue=False`` the
    caller runs it (:func:`accord.integrations.runner.run`, as the command line does)."""
    if job.status != Status.UPLOADED:
        raise Conflict("This import has already been started.", code="already_started")
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise Invalid(
            "Choose what to do with rows for records that already exist: update or skip.",
            field_errors={"on_duplicate": ["Choose update or skip."]},
        )
    if (
        on_duplicate == ImportJob.OnDuplicate.UPDATE
        and by is not None
        and not may_update_existing(by, job.object_type)
    ):
        message = f"You may not change existing {job.get_object_type_display().lower()}; choose to skip them."
        raise Invalid(message, field_errors={"on_duplicate": [message]})
    check_mapping(job.object_type, job.headers, mapping, targets_for(job.object_type))
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=Status.UPLOADED).update(
            mapping=mapping, on_duplicate=on_duplicate, status=Status.MAPPED, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict("This import has already been started.", code="already_started")
        if queue:
            _queue(job.pk)
    job.refresh_from_db()
    return job


def _queue(job_id: int) -> None:
    transaction.on_commit(lambda: tasks.run_import(job_id))


def cancel_import(job: ImportJob, *, by: User | None = None) -> ImportJob:
    """Stop the import after the batch in progress; what was committed stays imported."""
    now = timezone.now()
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.UPLOADED, Status.MAPPED, Status.RUNNING]
    ).update(status=Status.CANCELLED, finished_at=now, updated_at=now)
    job.refresh_from_db()
    if not updated:
        raise Conflict(f"This import is {job.get_status_display().lower()}; it cannot be cancelled.")
    return job


def is_stalled(job: ImportJob) -> bool:
    return job.status == Status.RUNNING and timezone.now() - job.updated_at > STALLED_AFTER


def resume_import(
    job: ImportJob, *, by: User | None = None, queue: bool = True, force: bool = False
) -> ImportJob:
    """Queue a failed (or stalled) import again; it goes on after the last committed batch.

    ``force`` also takes over a job marked running (the command line's operator knows its worker
    is gone); the old run, if still alive, stops at its next batch.
    """
    resumable = job.status == Status.FAILED or is_stalled(job) or (force and job.status == Status.RUNNING)
    if not resumable:
        raise Conflict(
            f"This import is {job.get_status_display().lower()}; only a failed import can be resumed."
        )
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.MAPPED, last_error="", updated_at=timezone.now()
        )
        if queue:
            _queue(job.pk)
    job.refresh_from_db()
    return job


def describe_mapping(job: ImportJob) -> list[dict[str, Any]]:
    """Per column: header and the label of what it fills (for the job page)."""
    labels = {t.key: t.label for t in targets_for(job.object_type)}
    return [
        {"header": header, "target": labels.get(key, key) if key else ""}
        for header, key in zip(job.headers, job.mapping or [""] * len(job.headers), strict=False)
    ]
