"""Affiliates, their tracking links, commission rules and attributed conversions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from accord.campaigns.models.campaigns import Campaign
from accord.campaigns.models.links import TrackingLink


class Affiliate(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        TERMINATED = "terminated", "Terminated"

    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True, help_text="Stored lower-cased; unique when set.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name"), "id"]
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="affiliate_unique_email"),
        ]

    def __str__(self) -> str:
        return self.name


class AffiliateLink(models.Model):
    """A tracking link handed to one affiliate: its clicks and conversions are theirs."""

    link = models.OneToOneField(TrackingLink, on_delete=models.CASCADE, related_name="affiliate_link")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="links")

    class Meta:
        ordering = ["-link_id"]

    def __str__(self) -> str:
        return f"{self.affiliate} · {self.link}"


class CommissionRule(models.Model):
    """What an affiliate earns per conversion of a campaign.

    A rule with an ``affiliate`` applies to that affiliate only and wins over the campaign's
    default rule (``affiliate`` empty). ``cap`` limits the commission of one conversion.
    """

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent of deal amount"
        FLAT = "flat", "Flat amount per conversion"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="commission_rules")
    affiliate = models.ForeignKey(
        Affiliate, null=True, blank=True, on_delete=models.CASCADE, related_name="commission_rules"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    flat_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    cap = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Most paid for one conversion."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign_id", "affiliate_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(affiliate__isnull=True), name="commission_rule_one_default"
            ),
            models.UniqueConstraint(
                fields=["campaign", "affiliate"],
                condition=Q(affiliate__isnull=False),
                name="commission_rule_one_per_affiliate",
            ),
            models.CheckConstraint(
                condition=Q(kind="percent", percent__gte=0, percent__lte=100, flat_amount__isnull=True)
                | Q(kind="flat", flat_amount__gte=0, percent__isnull=True),
                name="commission_rule_kind_value",
            ),
            models.CheckConstraint(condition=Q(cap__isnull=True) | Q(cap__gte=0), name="commission_cap_ok"),
        ]

    def __str__(self) -> str:
        value = f"{self.percent}%" if self.kind == self.Kind.PERCENT else f"{self.flat_amount} flat"
        return value + (f" (cap {self.cap})" if self.cap is not None else "")


class AffiliateConversion(models.Model):
    """A conversion (usually a won deal) attributed to an affiliate, with the commission owed.

    The commission is computed by the rule in force when the conversion is recorded and stored:
    changing a rule later does not change what was earned.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        REJECTED = "rejected", "Rejected"

    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="conversions")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="affiliate_conversions")
    link = models.ForeignKey(
        TrackingLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversions"
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="affiliate_conversions",
    )
    deal_amount = models.DecimalField(max_digits=14, decimal_places=2)
    commission = models.DecimalField(max_digits=14, decimal_places=2)
    rule = models.ForeignKey(
        CommissionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversions"
    )
    reference = models.CharField(
        max_length=100, blank=True, help_text="External id (e.g. deal:42); a conversion is recorded once."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["campaign", "occurred_at"], name="affiliate_conv_by_campaign")]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="affiliate_conversion_reference"
            ),
            models.CheckConstraint(
                condition=Q(deal_amount__gte=0, commission__gte=0), name="affiliate_conversion_amounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.affiliate} · {self.deal_amount} → {self.commission}"
