"""Lifecycle stage history. Funnel conversion and time-in-stage are computed from these rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accord.lifecycle.stages import LifecycleStage


class StageChange(models.Model):
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="stage_changes",
        db_index=False,  # the (contact, changed_at) index serves contact lookups
    )
    from_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=LifecycleStage.choices)
    changed_at = models.DateTimeField()
    # Not indexed: nothing looks history up by its author, and only deleting a user (rare) would
    # scan for it; the index would cost every stage change, bulk imports included.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    rule = models.CharField(
        max_length=100, blank=True, help_text="Automation rule that made the change, if any."
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "changed_at"]),
            models.Index(fields=["to_stage", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage} at {self.changed_at:%Y-%m-%d}"
