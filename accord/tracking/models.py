"""Touchpoint events: the append-only record of everything a visitor or contact did."""

from __future__ import annotations

from django.db import models


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


class Touchpoint(models.Model):
    message_id = models.CharField(
        max_length=100, unique=True, help_text="Idempotency key (Segment messageId)."
    )
    type = models.CharField(max_length=20, choices=EventType.choices)
    name = models.CharField(max_length=200, blank=True, help_text="Event name for track, page name for page.")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="touchpoints"
    )
    anonymous_id = models.CharField(max_length=100, blank=True, db_index=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="touchpoints"
    )
    properties = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "occurred_at"]),
            models.Index(fields=["campaign", "occurred_at"]),
            models.Index(fields=["type", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.name}".strip()
