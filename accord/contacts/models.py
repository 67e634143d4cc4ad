"""Contacts, companies and custom property definitions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from accord.core.models import TimeStampedModel
from accord.lifecycle.stages import LifecycleStage


class CompanySize(models.TextChoices):
    S1_10 = "1-10", "1–10"
    S11_50 = "11-50", "11–50"
    S51_200 = "51-200", "51–200"
    S201_1000 = "201-1000", "201–1,000"
    S1001_5000 = "1001-5000", "1,001–5,000"
    S5001_PLUS = "5001+", "5,001+"


class RevenueBand(models.TextChoices):
    UNDER_1M = "<1M", "Under $1M"
    R1_10M = "1M-10M", "$1M–10M"
    R10_50M = "10M-50M", "$10M–50M"
    R50_250M = "50M-250M", "$50M–250M"
    R250M_1B = "250M-1B", "$250M–1B"
    OVER_1B = ">1B", "Over $1B"


class Company(TimeStampedModel):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, null=True, blank=True, unique=True)
    industry = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=20, choices=CompanySize.choices, blank=True)
    revenue_band = models.CharField(max_length=20, choices=RevenueBand.choices, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    lifecycle_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="companies"
    )
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"
        indexes = [models.Index(Lower("name"), name="company_name_lower")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:company_detail", args=[self.pk])


class Contact(TimeStampedModel):
    # Unique through a constraint, not ``unique=True``: on PostgreSQL that would add a second
    # ``varchar_pattern_ops`` index for prefix LIKE, which no query here uses (search is icontains)
    # and every insert pays for.
    email = models.EmailField(max_length=254, help_text="Stored lower-cased and trimmed.")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=150, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        db_index=False,  # the (owner, lifecycle_stage) index serves owner lookups
    )
    # Indexed through Meta, not ``db_index=True``, which on PostgreSQL adds an unused LIKE index.
    lifecycle_stage = models.CharField(
        max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.SUBSCRIBER
    )
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "lifecycle_stage"]),
            models.Index(Lower("last_name"), name="contact_last_name_lower"),
            models.Index(fields=["lifecycle_stage"], name="contact_lifecycle_stage"),
        ]
        constraints = [models.UniqueConstraint(fields=["email"], name="contact_email_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("contacts:contact_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PropertyDefinition(models.Model):
    """A custom property users may set on contacts or companies (stored in ``properties``)."""

    class ObjectType(models.TextChoices):
        CONTACT = "contact", "Contact"
        COMPANY = "company", "Company"

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        BOOLEAN = "boolean", "Yes/no"
        DATE = "date", "Date"
        CHOICE = "choice", "Choice"

    object_type = models.CharField(max_length=20, choices=ObjectType.choices)
    key = models.SlugField(max_length=64, help_text="Lower-case key used in the API and in segment filters.")
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["object_type", "label"]
        constraints = [models.UniqueConstraint(fields=["object_type", "key"], name="unique_property_key")]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.key}"


class IdentityKind(models.TextChoices):
    ANONYMOUS_ID = "anonymous_id", "Anonymous id"
    USER_ID = "user_id", "User id"
    EMAIL = "email", "Email"


class ContactIdentity(models.Model):
    """An id under which a contact has been seen: a browser's anonymous id, an app's user id, or an
    email the contact used before (the current one is :attr:`Contact.email`).

    ``(kind, value)`` is unique: one id belongs to one contact. The first contact to claim an id
    keeps it; a conflict between a user id and an email is resolved by merging the contacts.
    """

    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="identities",
        db_index=False,  # the (contact, kind) index serves contact lookups
    )
    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name_plural = "contact identities"
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="unique_contact_identity")]
        indexes = [models.Index(fields=["contact", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ContactMergeRecord(models.Model):
    """The audit trail of a merge: which contact disappeared into which, by whom, and what it held."""

    primary = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="merge_records"
    )
    primary_email = models.EmailField(max_length=254)
    duplicate_id = models.BigIntegerField(db_index=True)
    duplicate_email = models.EmailField(max_length=254)
    snapshot = models.JSONField(
        default=dict, help_text="The duplicate's fields as they were before the merge."
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(max_length=100, blank=True, help_text="Automation that merged, e.g. 'identify'.")
    merged_at = models.DateTimeField()

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.duplicate_email} → {self.primary_email}"
