"""Tracking links (short code → a destination stored when the link was made) and their clicks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from accord.campaigns.models.campaigns import Campaign

MAX_DESTINATION_LENGTH = 2048
CODE_MAX_LENGTH = 16


class TrackingLink(models.Model):
    """A short link of a campaign. ``/l/<code>`` redirects to ``destination`` and nothing else:
    the destination is checked (http or https only) and stored when the link is created, with the
    campaign's UTM codes appended."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(max_length=CODE_MAX_LENGTH, unique=True)
    destination = models.CharField(max_length=MAX_DESTINATION_LENGTH)
    label = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or self.code

    def get_short_path(self) -> str:
        """The site-relative short URL, ``/l/<code>`` (mounted from ``links_urls``)."""
        return reverse("links:follow", args=[self.code])


class LinkClick(models.Model):
    """One click on a tracking link. Append-only; written by the redirect, one row per click."""

    link = models.ForeignKey(TrackingLink, on_delete=models.CASCADE, related_name="clicks", db_index=False)
    occurred_at = models.DateTimeField()
    ip_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash of the client IP (the IP itself is not stored)."
    )
    user_agent = models.CharField(max_length=400, blank=True)
    referrer = models.CharField(max_length=1000, blank=True)
    anonymous_id = models.CharField(max_length=200, blank=True, help_text="The accord_aid cookie, if sent.")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="link_clicks"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["link", "occurred_at"], name="link_click_by_time")]

    def __str__(self) -> str:
        return f"Click on {self.link_id} at {self.occurred_at:%Y-%m-%d %H:%M}"
