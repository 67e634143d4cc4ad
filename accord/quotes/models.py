"""Quotes on deals: priced lines from the catalog, discount approvals and the negotiation log.

Money is ``Decimal`` throughout. A line's total is ``quantity × unit price × (1 − discount/100)``
rounded half-up to cents; a quote's total is the sum of its line totals (see :mod:`accord.quotes.pricing`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accord.core.models import TimeStampedModel

DEFAULT_THRESHOLD = Decimal("15.00")


class QuoteSettings(models.Model):
    """Workspace-wide quote settings: one row (pk 1), edited by admins and sales managers."""

    discount_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="A line discount above this percentage needs a manager's approval.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "quote settings"

    def __str__(self) -> str:
        return f"Discounts above {self.discount_threshold}% need approval"

    @classmethod
    def current(cls) -> QuoteSettings:
        return cls.objects.get_or_create(pk=1)[0]


class Quote(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending_approval", "Pending approval"
        APPROVED = "approved", "Approved"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, related_name="quotes")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    price_list = models.ForeignKey(
        "catalog.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    valid_until = models.DateField(null=True, blank=True)
    terms = models.TextField(blank=True, help_text="Printed under the lines: payment terms, notes.")
    subtotal = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    discount_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    max_discount = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When accepted or declined.")
    decline_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["deal", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="quote_total_not_negative"),
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="quote_subtotal_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("quotes:quote_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"Q-{self.pk:05d}" if self.pk else "Q-new"

    @property
    def team_id(self) -> int | None:
        """The owner's team, for TEAM-scoped permission grants."""
        owner = self.owner
        return owner.team_id if owner is not None else None

    @property
    def lines_locked(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.ACCEPTED, self.Status.DECLINED)


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="quote_lines")
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    line_total = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quote_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="quote_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="quote_line_discount_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} @ {self.unit_price}"


class Approval(models.Model):
    """One request for a manager's approval of a quote's discount, and its decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        WITHDRAWN = "withdrawn", "Withdrawn (lines changed)"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="approvals")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    note = models.TextField(blank=True)
    discount_percent = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="Largest line discount asked."
    )
    threshold = models.DecimalField(max_digits=5, decimal_places=2, help_text="The threshold at the time.")
    total = models.DecimalField(max_digits=16, decimal_places=2, help_text="Quote total at the time.")
    decision = models.CharField(
        max_length=20, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote"], condition=Q(decision="pending"), name="one_pending_approval_per_quote"
            )
        ]

    def __str__(self) -> str:
        return f"Approval of {self.quote_id}: {self.decision}"


class NegotiationEntry(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="negotiation")
    at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField()
    counter_offer = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The customer's counter-offer (total).",
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "negotiation entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(counter_offer__isnull=True) | Q(counter_offer__gte=0),
                name="counter_offer_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d}: {self.note[:40]}"
