"""Segments (dynamic filters and static lists) and their materialised membership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from accord.core.models import TimeStampedModel


class Segment(TimeStampedModel):
    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", "Dynamic segment"
        STATIC = "static", "Static list"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DYNAMIC)
    filter = models.JSONField(
        default=dict,
        blank=True,
        help_text="The filter tree (see accord/segments/filters.py); empty for static lists.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="segments"
    )
    filter_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the filter last changed; membership is stale until a later rebuild.",
    )
    last_rebuilt_at = models.DateTimeField(null=True, blank=True)
    member_count = models.PositiveIntegerField(default=0)
    rebuild_error = models.TextField(
        blank=True,
        help_text="Why the last rebuild or refresh of this segment failed, for people (never SQL); "
        "empty once a rebuild succeeds.",
    )
    rebuild_failed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the failure in rebuild_error was first seen (it is not moved while it repeats).",
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("name"), name="segment_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("segments:segment_detail", args=[self.pk])

    @property
    def is_dynamic(self) -> bool:
        return self.kind == self.Kind.DYNAMIC

    @property
    def is_stale(self) -> bool:
        """A dynamic segment whose membership has not been rebuilt since its filter changed."""
        if not self.is_dynamic:
            return False
        if self.last_rebuilt_at is None:
            return True
        return self.filter_changed_at is not None and self.last_rebuilt_at < self.filter_changed_at

    @property
    def needs_attention(self) -> bool:
        """The last rebuild or refresh failed: membership is not being kept current."""
        return bool(self.rebuild_error)


class SegmentMembership(models.Model):
    """One contact in one segment. Written only by set-based statements (accord/segments/membership.py).

    A derived table, so its foreign keys have no database constraint (``db_constraint=False``):
    PostgreSQL checks a deferred constraint row by row at commit, locking each referenced contact,
    which made a 33k-member rebuild spend 1.2 s in COMMIT (0.004 s without). Deletes still cascade
    (Django's collector does that, not the constraint), and a row left behind by a raw SQL delete
    is removed by the next rebuild or refresh of its segment.
    """

    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="memberships", db_index=False, db_constraint=False
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="segment_memberships", db_constraint=False
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the index for "members of a segment" (segment_id first).
            models.UniqueConstraint(fields=["segment", "contact"], name="segment_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.segment_id}"
