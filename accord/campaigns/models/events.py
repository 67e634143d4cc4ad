"""Event campaigns: sessions (a webinar, a booth day, a talk) with registrations and attendance."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from accord.campaigns.models.campaigns import Campaign
from accord.campaigns.models.links import MAX_DESTINATION_LENGTH


class EventSession(models.Model):
    """One session of an event campaign.

    Registering locks the session row (``SELECT … FOR UPDATE``) and counts its registrations before
    adding one, so the last seat cannot be given twice, whatever the number of web processes.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sessions")
    name = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    online_url = models.CharField(max_length=MAX_DESTINATION_LENGTH, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="event_session_times_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EventRegistration(models.Model):
    """Someone registered for a session: a contact, or a name and email (a walk-in, an import)."""

    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="registrations")
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    email = models.EmailField(max_length=254, blank=True, help_text="Stored lower-cased.")
    name = models.CharField(max_length=200, blank=True)
    registered_at = models.DateTimeField()
    attended = models.BooleanField(default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "id"]
        indexes = [models.Index(fields=["session", "attended"], name="event_reg_attendance")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "contact"],
                condition=Q(contact__isnull=False),
                name="event_registration_one_per_contact",
            ),
            models.UniqueConstraint(
                Lower("email"), "session", condition=~Q(email=""), name="event_registration_one_per_email"
            ),
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | ~Q(email=""), name="event_registration_has_person"
            ),
            models.CheckConstraint(
                condition=Q(attended=False, checked_in_at__isnull=True)
                | Q(attended=True, checked_in_at__isnull=False),
                name="event_registration_check_in_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"contact {self.contact_id}"
