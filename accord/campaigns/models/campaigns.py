"""Campaigns across the ten marketing channel types, their dated costs and UTM mapping rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

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

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign_detail", args=[self.pk])

    @property
    def is_affiliate(self) -> bool:
        return self.channel == Channel.AFFILIATE

    @property
    def is_event(self) -> bool:
        return self.channel == Channel.EVENT


class CostCategory(models.TextChoices):
    MEDIA = "media", "Media (ads, placements)"
    AGENCY = "agency", "Agency and freelancers"
    TOOLS = "tools", "Tools and software"
    EVENT = "event", "Event (venue, booth, travel)"
    CONTENT = "content", "Content production"
    COMMISSION = "commission", "Affiliate commission"
    OTHER = "other", "Other"


class CampaignCost(models.Model):
    """Money spent on a campaign on a given day. Summed per campaign and period for CAC and ROI."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="costs")
    date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    category = models.CharField(max_length=20, choices=CostCategory.choices, default=CostCategory.MEDIA)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["campaign", "date"], name="campaign_cost_by_date"),
            models.Index(fields=["date"], name="campaign_cost_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="campaign_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.date} ({self.get_category_display()})"


class UtmRule(models.Model):
    """Maps UTM codes to a campaign. Each of ``source``, ``medium`` and ``name`` is matched exactly
    (stored lower-cased, compared case-insensitively) or, when blank, matches anything.

    When several rules match, the highest ``priority`` wins, then the most specific rule (more
    non-blank fields), then the oldest. Rules win over the campaigns' own UTM codes.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="utm_rules")
    source = models.CharField(max_length=100, blank=True, help_text="utm_source; blank matches any.")
    medium = models.CharField(max_length=100, blank=True, help_text="utm_medium; blank matches any.")
    name = models.CharField(max_length=100, blank=True, help_text="utm_campaign; blank matches any.")
    priority = models.IntegerField(default=0, help_text="Higher wins when several rules match.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "medium", "name"], name="utm_rule_unique_pattern"),
            models.CheckConstraint(
                condition=~Q(source="", medium="", name=""), name="utm_rule_not_catch_all"
            ),
        ]

    def __str__(self) -> str:
        parts = (
            f"source={self.source or '*'}",
            f"medium={self.medium or '*'}",
            f"campaign={self.name or '*'}",
        )
        return " · ".join(parts)

    @property
    def specificity(self) -> int:
        return bool(self.source) + bool(self.medium) + bool(self.name)
