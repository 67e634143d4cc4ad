"""Web forms: their fields, consent wording versions, submissions, consent evidence and the
per-IP submission counter that rate-limits public posts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from accord.core.models import TimeStampedModel


class FieldType(models.TextChoices):
    TEXT = "text", "Text"
    EMAIL = "email", "Email"
    TEL = "tel", "Phone"
    SELECT = "select", "Drop-down"
    CHECKBOX = "checkbox", "Checkbox"
    TEXTAREA = "textarea", "Long text"


class Form(TimeStampedModel):
    name = models.CharField(max_length=200, help_text="Internal name, shown to your team.")
    slug = models.SlugField(max_length=80, unique=True, help_text="Part of the public URL /forms/f/<slug>/.")
    title = models.CharField(max_length=200, blank=True, help_text="Heading visitors see.")
    description = models.TextField(blank=True, help_text="Text under the heading (plain text).")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="webforms"
    )
    submit_label = models.CharField(max_length=60, default="Submit")
    consent_required = models.BooleanField(
        default=False, help_text="Show a consent checkbox that must be ticked to submit."
    )
    newsletter_only = models.BooleanField(
        default=False, help_text="Submitters become subscribers, not leads (a newsletter sign-up)."
    )
    double_opt_in = models.BooleanField(
        default=False, help_text="Email a confirmation link; nothing counts until it is clicked."
    )
    default_campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    success_message = models.TextField(blank=True, default="Thank you! We received your details.")
    redirect_url = models.URLField(max_length=500, blank=True)
    asset_file = models.FileField(upload_to="webforms/assets/", blank=True, max_length=300)
    asset_url = models.URLField(max_length=500, blank=True)
    asset_name = models.CharField(
        max_length=200, blank=True, help_text="e.g. “The 2026 RevOps report (PDF)”."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive forms refuse new submissions.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("webforms:form_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("webforms:public_form", args=[self.slug])

    @property
    def has_asset(self) -> bool:
        return bool(self.asset_file or self.asset_url)


class FormField(models.Model):
    """One input of a form, mapped to a contact field (``email``, ``first_name``…) or to a custom
    contact property (``property:<key>``)."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="fields")
    target = models.CharField(max_length=80)
    label = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "target"], name="webforms_unique_field_target")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        """The input's HTML name."""
        return self.target.replace(":", "__")


class ConsentWording(models.Model):
    """A version of a form's consent text. Versions are never edited: a change makes a new one."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="consent_versions")
    version = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="webforms_unique_consent_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed"


class Submission(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="submissions")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=SubmissionStatus.choices)
    email = models.EmailField(max_length=254)
    data = models.JSONField(default=dict, help_text="The values as submitted, by field target.")
    utm = models.JSONField(default=dict, blank=True)
    page_url = models.CharField(max_length=2000, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    anonymous_id = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_emails_requested = models.PositiveIntegerField(default=0)
    confirmation_emails_sent = models.PositiveIntegerField(default=0)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["form", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.form} · {self.email}"


class ConsentStatus(models.TextChoices):
    PENDING = "pending", "Pending confirmation"
    CONFIRMED = "confirmed", "Given"


class ConsentRecord(models.Model):
    """Evidence of one consent: who, when, where, to which wording, from which IP and browser."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="consents")
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="+")
    wording = models.ForeignKey(ConsentWording, on_delete=models.PROTECT, related_name="records")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    given_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    source_url = models.CharField(max_length=2000, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} · {self.wording}"


class SubmissionAttempt(models.Model):
    """One accepted (or honeypot-caught) post from an IP to a form, counted by the rate limit.

    In the database, not in process memory: several web processes serve the same forms."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="+")
    ip = models.CharField(max_length=45)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["form", "ip", "at"])]

    def __str__(self) -> str:
        return f"{self.ip} → {self.form_id} at {self.at:%Y-%m-%d %H:%M}"
