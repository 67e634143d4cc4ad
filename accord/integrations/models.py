"""CSV imports: one :class:`ImportJob` per uploaded file, updated after every committed batch."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse


def upload_path(job: ImportJob, filename: str) -> str:
    # The stored name never uses the user's file name (kept in ``original_filename``).
    return f"imports/{uuid.uuid4().hex}.csv"


class ImportJob(models.Model):
    class ObjectType(models.TextChoices):
        CONTACT = "contact", "Contacts"
        COMPANY = "company", "Companies"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"  # waiting for its column mapping
        MAPPED = "mapped", "Queued"  # mapped, waiting for the worker
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class OnDuplicate(models.TextChoices):
        UPDATE = "update", "Update the existing record"
        SKIP = "skip", "Skip the row"

    object_type = models.CharField(max_length=20, choices=ObjectType.choices)
    file = models.FileField(upload_to=upload_path, max_length=200)
    original_filename = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20, help_text="Python codec the file is read with.")
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list, help_text="The header row, as read.")
    mapping = models.JSONField(
        default=list, blank=True, help_text="Per column: a target (e.g. 'email', 'property:plan') or ''."
    )
    on_duplicate = models.CharField(max_length=10, choices=OnDuplicate.choices, default=OnDuplicate.UPDATE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED, db_index=True)
    total_rows = models.BigIntegerField(
        null=True, blank=True, help_text="Estimated from the line count; exact once done."
    )
    processed_rows = models.BigIntegerField(default=0)
    created_count = models.BigIntegerField(default=0)
    updated_count = models.BigIntegerField(default=0)
    skipped_count = models.BigIntegerField(default=0)
    error_count = models.BigIntegerField(default=0)
    error_file = models.FileField(max_length=200, blank=True)
    error_file_bytes = models.BigIntegerField(
        default=0, help_text="Size of the error report as of the last committed batch."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Also the runner's heartbeat.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    run_token = models.CharField(
        max_length=32, blank=True, help_text="The runner that owns the job; a resumed run takes over."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_object_type_display()} from {self.original_filename}"

    def get_absolute_url(self) -> str:
        return reverse("integrations:import_detail", args=[self.pk])

    @property
    def owner_id(self) -> Any:
        """The uploader owns the job (for the permission module's ownership test)."""
        return self.uploaded_by_id

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.MAPPED, self.Status.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)
