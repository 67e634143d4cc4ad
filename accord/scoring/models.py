"""Lead scoring: the rules, the stored score of every contact, recompute runs and the win model.

- :class:`ScoringSettings` (one row): the MQL threshold.
- :class:`FitRule`: who the contact is — a segment filter tree over contact/company fields → points.
- :class:`EngagementRule`: what the contact did — matching touchpoints → points per occurrence,
  halving every ``half_life_days``, counted within ``window_days``, capped at ``cap`` per rule.
- :class:`ContactScore`: fit + engagement = total per contact (what segments and the MQL rule read).
- :class:`ScoreRun`: a full recompute requested from the settings page or the API, with its progress.
- :class:`WinModel`: a trained predictive model (naive Bayes) with its held-out calibration.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accord.core.models import TimeStampedModel
from accord.tracking.models import EventType

DEFAULT_MQL_THRESHOLD = 60
MAX_POINTS = 1000
MAX_DAYS = 3650


class ScoringSettings(models.Model):
    """The one row of workspace-wide scoring settings (primary key 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    mql_threshold = models.PositiveIntegerField(
        default=DEFAULT_MQL_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text="A contact whose total score reaches this becomes a marketing qualified lead.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "scoring settings"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="scoring_settings_singleton")]

    def __str__(self) -> str:
        return f"MQL threshold {self.mql_threshold}"

    @classmethod
    def load(cls) -> ScoringSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class FitRule(TimeStampedModel):
    name = models.CharField(max_length=120)
    condition = models.JSONField(
        default=dict, help_text="A segment filter tree over contact and company fields (no events or scores)."
    )
    points = models.SmallIntegerField(
        validators=[MinValueValidator(-MAX_POINTS), MaxValueValidator(MAX_POINTS)],
        help_text="Added when the condition holds; may be negative.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=-MAX_POINTS, points__lte=MAX_POINTS), name="fit_rule_points_range"
            )
        ]

    def __str__(self) -> str:
        return self.name


class EngagementRule(TimeStampedModel):
    name = models.CharField(max_length=120, help_text="Reads as an action: 'Visited the pricing page'.")
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    event_name = models.CharField(
        max_length=200, blank=True, help_text="Only events with exactly this name (empty: any name)."
    )
    property_conditions = models.JSONField(
        default=list,
        blank=True,
        help_text='Conditions on the event\'s properties, e.g. [{"key": "url", "op": "contains", "value": "/pricing"}].',
    )
    points = models.SmallIntegerField(
        validators=[MinValueValidator(-MAX_POINTS), MaxValueValidator(MAX_POINTS)],
        help_text="Per occurrence, when it just happened; may be negative.",
    )
    cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100 * MAX_POINTS)],
        help_text="The most this rule can add (or, for negative points, take away). Empty: no cap.",
    )
    half_life_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
        help_text="An occurrence counts half as much after this many days.",
    )
    window_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
        help_text="Occurrences older than this are not counted at all.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=-MAX_POINTS, points__lte=MAX_POINTS),
                name="engagement_rule_points_range",
            ),
            models.CheckConstraint(condition=Q(half_life_days__gte=1), name="engagement_rule_half_life"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="engagement_rule_window"),
            models.CheckConstraint(condition=Q(cap__isnull=True) | Q(cap__gte=1), name="engagement_rule_cap"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactScore(models.Model):
    """The stored score of one contact. Written only by :mod:`accord.scoring.recompute`."""

    contact = models.OneToOneField(
        "contacts.Contact", primary_key=True, on_delete=models.CASCADE, related_name="score"
    )
    fit = models.IntegerField(default=0)
    engagement = models.FloatField(default=0, help_text="Decayed and capped, as of computed_at.")
    total = models.IntegerField(default=0, db_index=True, help_text="fit + engagement, rounded.")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-total", "contact_id"]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.total}"


class ScoreRun(models.Model):
    """A full recompute: queued by a person (or the nightly task), run by a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    chunks_done = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    contacts_scored = models.PositiveIntegerField(default=0)
    promoted = models.PositiveIntegerField(default=0, help_text="Contacts moved to MQL by this run.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Recompute {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.chunks_done / self.chunks_total) if self.chunks_total else 0

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class WinModel(models.Model):
    """A predictive model of winning a deal, trained from closed deals (see docs/scoring.md)."""

    trained_at = models.DateTimeField(db_index=True)
    algorithm = models.CharField(max_length=40, default="naive_bayes")
    features = models.JSONField(default=list, help_text="Feature names, in order.")
    params = models.JSONField(default=dict, help_text="Class counts and per-feature value counts.")
    metrics = models.JSONField(default=dict, help_text="Held-out calibration: Brier, log loss, AUC, bins.")
    closed_deals = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    enough_data = models.BooleanField(default=False)

    class Meta:
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"{self.algorithm} trained {self.trained_at:%Y-%m-%d %H:%M} on {self.closed_deals} deals"

    @property
    def base_rate(self) -> float | None:
        return self.won / self.closed_deals if self.closed_deals else None
