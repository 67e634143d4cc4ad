"""Products and competitors: what sales sells and whom it sells against.

Below ``sales`` in the layers: a deal names the competitor it is up against (``Deal.competitor``),
and quotes (above ``sales``) price their lines from a product's list price or a price list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accord.core.models import TimeStampedModel


class ProductKind(models.TextChoices):
    SUBSCRIPTION = "subscription", "Subscription (per year)"
    ONE_OFF = "one_off", "One-off"
    SERVICE = "service", "Professional service"


class Product(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    sku = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, help_text="List price per unit.")
    currency = models.CharField(max_length=3, default="USD")
    active = models.BooleanField(default=True)
    kind = models.CharField(max_length=20, choices=ProductKind.choices, default=ProductKind.SUBSCRIPTION)
    category = models.CharField(max_length=100, blank=True, help_text="e.g. Platform, Add-on, Services.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="product_price_not_negative")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.pk])


class PriceList(TimeStampedModel):
    """A named set of prices in one currency; a product without a price here sells at list price."""

    name = models.CharField(max_length=100, unique=True)
    currency = models.CharField(max_length=3, default="USD")
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_price_list"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:pricelist_detail", args=[self.pk])


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_list_items")
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["product__name"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="one_price_per_list_product"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_list_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} in {self.price_list}: {self.unit_price}"


class Positioning(models.Model):
    """The marketing mix ("7 Ps") of one product: how it is sold, written by marketing."""

    FIELDS = (
        ("product_text", "Product", "What it is and the problem it solves."),
        ("price", "Price", "Pricing model, anchors, discount policy."),
        ("place", "Place", "Where and through which channels it is sold."),
        ("promotion", "Promotion", "Messages, campaigns and proof points."),
        ("people", "People", "Who sells, onboards and supports it."),
        ("process", "Process", "How a customer buys and starts using it."),
        ("physical_evidence", "Physical evidence", "What makes it tangible: demos, case studies, reviews."),
    )

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="positioning")
    product_text = models.TextField("product", blank=True)
    price = models.TextField(blank=True)
    place = models.TextField(blank=True)
    promotion = models.TextField(blank=True)
    people = models.TextField(blank=True)
    process = models.TextField(blank=True)
    physical_evidence = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Positioning of {self.product}"

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        """(label, help, text) for each of the seven Ps, in order."""
        return [(label, help_text, getattr(self, name)) for name, label, help_text in self.FIELDS]


class Competitor(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    website = models.URLField(blank=True)
    summary = models.TextField(blank=True, help_text="Who they are, whom they sell to.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:competitor_detail", args=[self.pk])


class BattleCard(models.Model):
    """How to sell against one competitor. ``objections`` is a list of {"objection", "answer"}."""

    competitor = models.OneToOneField(Competitor, on_delete=models.CASCADE, related_name="battle_card")
    strengths = models.TextField(blank=True)
    weaknesses = models.TextField(blank=True)
    how_to_win = models.TextField(blank=True)
    objections = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Battle card: {self.competitor}"

    @property
    def objection_pairs(self) -> list[tuple[str, str]]:
        return [(str(o.get("objection", "")), str(o.get("answer", ""))) for o in self.objections or []]

    @property
    def is_empty(self) -> bool:
        return not (self.strengths or self.weaknesses or self.how_to_win or self.objections)


def search_products(qs: models.QuerySet[Product], q: str) -> models.QuerySet[Product]:
    """Products whose name, SKU or category contains ``q`` (case-insensitive)."""
    q = q.strip()
    if not q:
        return qs
    return qs.filter(Q(name__icontains=q) | Q(sku__icontains=q) | Q(category__icontains=q))
