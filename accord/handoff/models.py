"""The handoff from marketing to sales: routing rules, rep capacity and availability, SLA policies,
lead assignments (one open assignment per contact), BANT qualification, SLA breaches and the
campaigns a lead is attributed to.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ConditionField(models.TextChoices):
    """What a routing rule may test. ``company_*`` read the contact's company."""

    COUNTRY = "country", "Contact country"
    COMPANY_COUNTRY = "company_country", "Company country"
    COMPANY_SIZE = "company_size", "Company size"
    COMPANY_INDUSTRY = "company_industry", "Company industry"
    COMPANY_REVENUE = "company_revenue", "Company revenue band"


class RoutingRule(models.Model):
    """Rules are tried in ``position`` order; the first whose every condition holds picks the team.

    ``conditions`` is a list of ``{"field": ConditionField, "values": [..]}``: the field's value must
    be one of ``values`` (case-insensitive). A rule with no conditions (and no segment) matches every
    lead: a catch-all at the end.
    """

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    conditions = models.JSONField(default=list, blank=True)
    segment = models.ForeignKey(
        "segments.Segment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optionally: the contact must also be a member of this segment.",
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="routing_rules")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


def default_work_days() -> list[int]:
    return [1, 2, 3, 4, 5]


class RepProfile(models.Model):
    """A rep's share of routed leads (``weight``), their ceiling of open leads (``capacity``) and
    their working hours in their own timezone. ``rr_current`` is the smooth weighted round-robin
    state (nginx's algorithm), kept so proportions hold across batches."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rep_profile"
    )
    active = models.BooleanField(default=True, help_text="Receives routed leads.")
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    capacity = models.PositiveIntegerField(
        default=50, validators=[MaxValueValidator(100_000)], help_text="Most open leads at once."
    )
    timezone = models.CharField(max_length=64, default="UTC")
    work_days = models.JSONField(default=default_work_days, help_text="ISO weekdays, 1 = Monday.")
    work_start = models.TimeField(default=time(9, 0))
    work_end = models.TimeField(default=time(17, 0))
    rr_current = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="rep_weight_positive"),
            models.CheckConstraint(
                condition=Q(work_end__gt=models.F("work_start")), name="rep_work_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Rep profile of {self.user}"


class TimeOff(models.Model):
    rep = models.ForeignKey(RepProfile, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="time_off_order")
        ]

    def __str__(self) -> str:
        return f"{self.rep.user} off {self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d}"


DEFAULT_FIRST_TOUCH_MINUTES = 4 * 60
DEFAULT_VERDICT_MINUTES = 2 * 8 * 60


class SlaPolicy(models.Model):
    """Per team: working minutes (in the rep's calendar) to the first touch and to the verdict."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="sla_policy")
    first_touch_minutes = models.PositiveIntegerField(
        default=DEFAULT_FIRST_TOUCH_MINUTES, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    verdict_minutes = models.PositiveIntegerField(
        default=DEFAULT_VERDICT_MINUTES, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )

    class Meta:
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return f"SLA of {self.team}"


class RejectReason(models.TextChoices):
    NO_BUDGET = "no_budget", "No budget"
    NO_AUTHORITY = "no_authority", "No authority"
    NO_NEED = "no_need", "No need"
    BAD_TIMING = "bad_timing", "Bad timing"
    BAD_DATA = "bad_data", "Bad data"
    COMPETITOR_CUSTOMER = "competitor_customer", "Competitor's customer"
    STUDENT = "student", "Student / job seeker"
    DUPLICATE = "duplicate", "Duplicate"
    NOT_OUR_MARKET = "not_our_market", "Not our market"
    OTHER = "other", "Other"


class Method(models.TextChoices):
    RULE = "rule", "Routing rule"
    ACCOUNT_OWNER = "account_owner", "Existing account owner"
    MANUAL = "manual", "Manual assignment"


class LeadAssignment(models.Model):
    """An MQL handed to a rep. ``owner``/``team`` drive the permission scope (LEAD: TEAM)."""

    class Status(models.TextChoices):
        NEW = "new", "Awaiting verdict"
        ACCEPTED = "accepted", "Accepted (SAL)"
        CONVERTED = "converted", "Converted (SQL)"
        REJECTED = "rejected", "Rejected"
        REASSIGNED = "reassigned", "Reassigned"

    ACTIVE = (Status.NEW, Status.ACCEPTED)

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="lead_assignments")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="lead_assignments"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, on_delete=models.SET_NULL, related_name="lead_assignments"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    method = models.CharField(max_length=20, choices=Method.choices)
    rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.CharField(max_length=200, help_text="What decided the assignment, in words.")
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_touch_due = models.DateTimeField()
    verdict_due = models.DateTimeField()
    first_touch_at = models.DateTimeField(null=True, blank=True)
    verdict_at = models.DateTimeField(null=True, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reject_reason = models.CharField(max_length=30, choices=RejectReason.choices, blank=True)
    reject_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    deal = models.ForeignKey("sales.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(status__in=["new", "accepted"]),
                name="one_open_lead_per_contact",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["status", "first_touch_due"]),
            models.Index(fields=["status", "verdict_due"]),
        ]

    def __str__(self) -> str:
        return f"Lead {self.contact_id} → {self.owner_id}"

    def get_absolute_url(self) -> str:
        return reverse("handoff:lead_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class LeadCampaign(models.Model):
    """A campaign a routed lead touched (its touchpoints' campaigns and its deal's source)."""

    assignment = models.ForeignKey(LeadAssignment, on_delete=models.CASCADE, related_name="campaign_links")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "assignment"], name="lead_campaign_once")]

    def __str__(self) -> str:
        return f"{self.assignment_id} ← {self.campaign_id}"


class Qualification(models.Model):
    """BANT for a contact (kept across reassignments)."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE, related_name="qualification")
    budget_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    budget_range = models.CharField(max_length=100, blank=True)
    budget_evidence = models.TextField(blank=True)
    authority_role = models.CharField(
        max_length=150, blank=True, help_text="The contact's role in the decision."
    )
    decision_makers = models.TextField(blank=True)
    need = models.TextField(blank=True, help_text="Pain points from discovery.")
    timeline = models.DateField(null=True, blank=True, help_text="Target date.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"BANT of {self.contact_id}"


class SlaBreach(models.Model):
    class Kind(models.TextChoices):
        FIRST_TOUCH = "first_touch", "First touch"
        VERDICT = "verdict", "Verdict"

    assignment = models.ForeignKey(LeadAssignment, on_delete=models.CASCADE, related_name="breaches")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_at = models.DateTimeField()
    detected_at = models.DateTimeField()
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "kind"], name="sla_breach_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} SLA breached on lead {self.assignment_id}"
