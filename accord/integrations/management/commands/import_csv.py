"""``python -m django import_csv PATH --type contact|company``: import a CSV file now, in this process.

The same code as an upload on the Import page (the file is copied under MEDIA_ROOT/imports/ and an
import job records the run), but synchronous, with a progress bar on stderr and the counts on
stdout. A failed or interrupted import can be resumed with ``--resume JOB_ID``.

Exit status: 0 when the import ran to its end (rows with errors are in the error report), 1 when
the file or the options cannot be used, or when the import stopped.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from accord.accounts.models import User
from accord.core.errors import ActionError
from accord.integrations import actions, runner
from accord.integrations.mapping import mapping_from_names, targets_for
from accord.integrations.models import ImportJob
from accord.integrations.runner import error_report_path


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class ProgressBar:
    """``[#####-----]  45%  450,000/1,000,000 rows · 9,800 rows/s · 12 errors`` rewritten in place
    on a terminal; on a pipe or a log file, one line every 10 %."""

    WIDTH = 30

    def __init__(self, stream: TextIO | OutputWrapper, total: int | None) -> None:
        self.stream = stream
        self.total = total or 0
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.last_shown = 0.0
        self.last_decile = -1

    def __call__(self, job: ImportJob, *, final: bool = False) -> None:
        now = time.monotonic()
        total = max(self.total, job.processed_rows)
        fraction = job.processed_rows / total if total else 0.0
        if final:
            total = job.processed_rows
            fraction = 1.0 if job.status == ImportJob.Status.DONE else fraction
        elif self.tty:
            if now - self.last_shown < 0.2:
                return
        else:
            decile = int(fraction * 10)
            if decile == self.last_decile:
                return
            self.last_decile = decile
        self.last_shown = now
        filled = int(self.WIDTH * fraction)
        rate = job.processed_rows / max(now - self.started, 1e-9)
        line = (
            f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {fraction:4.0%}  "
            f"{job.processed_rows:,}/{total:,} rows · {rate:,.0f} rows/s · {job.error_count:,} errors"
        )
        self._write(("\r" + line) if self.tty else line + "\n")

    def finish(self, job: ImportJob) -> None:
        if self.tty or self.last_decile < 10 or job.status != ImportJob.Status.DONE:
            self(job, final=True)
        if self.tty:
            self._write("\n")

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()


class Command(BaseCommand):
    help = "Import contacts or companies from a CSV file (synchronously, with a progress bar)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", nargs="?", help="The CSV file.")
        parser.add_argument(
            "--type", choices=ImportJob.ObjectType.values, default="contact", dest="object_type"
        )
        parser.add_argument(
            "--mapping",
            default="auto",
            help='"auto" (by header names, as the upload page suggests) or JSON {"Header": "field", …}; '
            "fields: email, first_name, last_name, full_name, phone, title, company, domain, country, "
            'lifecycle_stage, owner_email, property:<key>, or "ignore". Columns not named are ignored.',
        )
        parser.add_argument("--on-duplicate", choices=ImportJob.OnDuplicate.values, default="update")
        parser.add_argument("--user", help="Username the import is recorded under (default: none).")
        parser.add_argument("--batch-size", type=int, default=runner.BATCH_SIZE)
        parser.add_argument(
            "--resume", type=int, metavar="JOB_ID", help="Resume a failed or interrupted import."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        by = self._user(options["user"])
        job = self._resume(options["resume"]) if options["resume"] else self._create(options, by)
        bar = ProgressBar(self.stderr, job.total_rows)
        ended = runner.run(job.pk, batch_size=options["batch_size"], progress=bar)
        if ended is None:  # pragma: no cover - deleted while running
            raise CommandError(f"Import {job.pk} disappeared.")
        bar.finish(ended)
        self._report(ended, time.perf_counter() - started)
        if ended.status != ImportJob.Status.DONE:
            raise CommandError(
                f"Import {ended.pk} {ended.get_status_display().lower()}: {ended.last_error}".strip()
            )

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"There is no active user {username!r}.")
        return user

    def _create(self, options: dict[str, Any], by: User | None) -> ImportJob:
        if not options["path"]:
            raise CommandError("Give the CSV file to import (or --resume JOB_ID).")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        object_type = options["object_type"]
        try:
            with path.open("rb") as upload:
                job = actions.create_import(
                    upload=upload, filename=path.name, object_type=object_type, by=by, max_bytes=None
                )
        except ActionError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        try:
            mapping = self._mapping(job, options["mapping"])
            actions.start_import(
                job, mapping=mapping, on_duplicate=options["on_duplicate"], by=by, queue=False
            )
        except (ActionError, CommandError) as exc:
            actions.cancel_import(job, by=by)
            detail = "; ".join(m for ms in getattr(exc, "field_errors", {}).values() for m in ms)
            message = getattr(exc, "message", str(exc))
            raise CommandError(
                f"{path}: {message}{f' ({detail})' if detail and detail != message else ''}"
            ) from exc
        labels = {t.key: t.label for t in targets_for(object_type)}
        self.stderr.write(
            f"Import {job.pk}: {path.name} ({job.get_object_type_display().lower()}, about {job.total_rows:,} rows)"
        )
        for header, key in zip(job.headers, mapping, strict=True):
            self.stderr.write(f"  {header} → {labels.get(key, key) if key else '(not imported)'}")
        return job

    def _mapping(self, job: ImportJob, option: str) -> list[str]:
        if option == "auto":
            return list(job.mapping)
        try:
            names = json.loads(option)
        except ValueError as exc:
            raise CommandError(f"--mapping is not valid JSON: {exc}") from exc
        if not isinstance(names, dict):
            raise CommandError('--mapping must be "auto" or a JSON object {"Header": "field", …}.')
        return mapping_from_names(job.headers, names)

    def _resume(self, job_id: int) -> ImportJob:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"There is no import {job_id}.")
        try:
            return actions.resume_import(job, queue=False, force=True)
        except ActionError as exc:
            raise CommandError(exc.message) from exc

    def _report(self, job: ImportJob, elapsed: float) -> None:
        write = self.stdout.write
        write(f"Import {job.pk} {job.get_status_display().lower()}: {job.processed_rows:,} rows read")
        write(f"  created: {job.created_count:,}")
        write(f"  updated: {job.updated_count:,}")
        write(f"  skipped: {job.skipped_count:,}")
        write(f"  errors:  {job.error_count:,}")
        report = error_report_path(job)
        if report is not None:
            write(f"  error report: {report}")
        write(f"elapsed: {elapsed:.2f} s ({job.processed_rows / max(elapsed, 1e-9):,.0f} rows/s)")
        write(f"peak RSS: {peak_rss_mib():.1f} MiB")
