"""Products and competitors: what sales sells and whom it sells against.

Below ``sales`` in the layers: a deal names the competitor it is up against (``Deal.competitor``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accord.core.models import TimeStampedModel


class Product(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    sku = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, help_text="List price per unit.")
    currency = models.CharField(max_length=3, default="USD")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="product_price_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class Competitor(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
