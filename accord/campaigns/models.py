"""Campaigns across the ten marketing channel types."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accord.core.models import TimeStampedModel


class Channel(models.TextChoices):
    DIGITAL = "digital", "Digital (paid search & display)"
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    CONTENT = "content", "Content"
    SOCIAL = "social", "Social media"
    EMAIL = "email", "Email"
    AFFILIATE = "affiliate", "Affiliate"
    EVENT = "event", "Event"
    PR = "pr", "PR"
    PRODUCT = "product", "Product marketing"


class Campaign(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        PAUSED = "paused", "Paused"

    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True, db_index=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name
