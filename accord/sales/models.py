"""Pipelines, deals and activities."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accord.core.models import TimeStampedModel


class Pipeline(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class PipelineStage(models.Model):
    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    probability = models.PositiveSmallIntegerField(help_text="Win probability in percent (0–100).")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    rotting_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days without activity before a deal in this stage is highlighted."
    )
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the stage was retired: it leaves the board and the stage pickers, its history stays.",
    )

    class Meta:
        ordering = ["pipeline", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="unique_stage_position"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline}: {self.name}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Deal(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    name = models.CharField(max_length=200)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(PipelineStage, on_delete=models.PROTECT, related_name="deals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    expected_close = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    company = models.ForeignKey(
        "contacts.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    source_campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="sourced_deals"
    )
    lost_reason = models.CharField(max_length=200, blank=True)
    won_reason = models.CharField(max_length=200, blank=True, db_default="")
    competitor = models.ForeignKey(
        "catalog.Competitor", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["stage", "status"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:deal_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status != self.Status.OPEN


class DealStageChange(models.Model):
    """One move of a deal between stages (append-only); time in stage is computed from these rows."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        PipelineStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(PipelineStage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True, db_default="")

    class Meta:
        ordering = ["deal", "changed_at", "id"]
        indexes = [models.Index(fields=["deal", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class OnboardingTemplate(models.Model):
    """Tasks created for the owner when a deal is won, each due ``day_offset`` days after the win."""

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)
    follow_up_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days after the win for the post-sale follow-up task."
    )

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class OnboardingTaskItem(models.Model):
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="items")
    subject = models.CharField(max_length=200)
    day_offset = models.PositiveSmallIntegerField(help_text="Days after the win the task is due.")

    class Meta:
        ordering = ["template", "day_offset", "id"]

    def __str__(self) -> str:
        return f"+{self.day_offset}d {self.subject}"


class Activity(TimeStampedModel):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        DEMO = "demo", "Demo"
        TASK = "task", "Task"
        NOTE = "note", "Note"
        EMAIL = "email", "Email"
        DISCOVERY = "discovery", "Discovery notes"
        OBJECTION = "objection", "Objection"
        FEATURE_REQUEST = "feature_request", "Feature request"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    company = models.ForeignKey(
        "contacts.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="activities")
    details = models.JSONField(default=dict, blank=True, help_text="Kind-specific: call outcome, duration, …")
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the owner was told it is due.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["contact", "created_at"]),
            models.Index(fields=["owner", "done_at", "due_at"]),
            models.Index(fields=["deal", "created_at"]),
            models.Index(
                fields=["due_at"], name="activity_reminder_due", condition=Q(done_at=None, reminded_at=None)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    def get_absolute_url(self) -> str:
        if self.contact_id:
            return reverse("contacts:contact_detail", args=[self.contact_id])
        return reverse("sales:deal_detail", args=[self.deal_id]) if self.deal_id else "#"

    @property
    def happened_at(self) -> datetime:
        return self.done_at or self.due_at or self.created_at
