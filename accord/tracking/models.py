"""Touchpoint events (the append-only record of everything a visitor or contact did) and the
write keys that website snippets and Segment libraries send them with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class EventType(models.TextChoices):
    PAGE = "page", "Page view"
    SCREEN = "screen", "Screen view"
    TRACK = "track", "Custom event"
    IDENTIFY = "identify", "Identify"
    GROUP = "group", "Group"
    ALIAS = "alias", "Alias"
    FORM_SUBMIT = "form_submit", "Form submitted"
    EMAIL_OPEN = "email_open", "Email opened"
    EMAIL_CLICK = "email_click", "Email link clicked"
    AD_CLICK = "ad_click", "Ad clicked"
    EVENT_ATTENDED = "event_attended", "Attended event"
    CONTENT_DOWNLOAD = "content_download", "Downloaded content"


class WriteKey(models.Model):
    """A key that lets a source (a website snippet, a server library) send events.

    Only a SHA-256 hash of the secret is stored, and keys are looked up by that hash. A write key
    used in a web page is public by nature (Segment's are too); it allows sending events, nothing else.
    """

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters of the key, to recognise it.")
    hashed_secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    may_merge = models.BooleanField(
        default=False,
        help_text="Server-side keys only: identify/alias calls sent with this key may merge two existing "
        "contacts. A key used in a web page is public, so it must not.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Touchpoint(models.Model):
    # Unique through a constraint and indexed through Meta, not ``unique=True``/``db_index=True``:
    # on PostgreSQL those add a second ``varchar_pattern_ops`` index per column for prefix LIKE,
    # which nothing here runs, and every index costs ingest.
    message_id = models.CharField(max_length=100, help_text="Idempotency key (Segment messageId).")
    type = models.CharField(max_length=20, choices=EventType.choices)
    name = models.CharField(max_length=200, blank=True, help_text="Event name for track, page name for page.")
    # No single-column indexes on contact and campaign: the (contact, occurred_at) and
    # (campaign, occurred_at) indexes below serve those lookups, and every index costs ingest.
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="touchpoints",
        db_index=False,
    )
    anonymous_id = models.CharField(max_length=200, blank=True)
    user_id = models.CharField(max_length=200, blank=True, help_text="Segment userId, as sent.")
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="touchpoints",
        db_index=False,
    )
    write_key = models.ForeignKey(
        WriteKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    properties = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(
        default=dict,
        blank=True,
        help_text="What ingest corrected or flagged (clamped timestamp, stale event).",
    )
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "occurred_at"]),
            models.Index(fields=["campaign", "occurred_at"]),
            models.Index(fields=["type", "occurred_at"]),
            models.Index(fields=["anonymous_id"], name="touchpoint_anonymous_id"),
            # Finds a user id's touchpoints (identity backfill); anonymous-only rows stay out of it.
            models.Index(fields=["user_id"], condition=~Q(user_id=""), name="touchpoint_user_id"),
        ]
        constraints = [models.UniqueConstraint(fields=["message_id"], name="touchpoint_message_id_unique")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.name}".strip()
