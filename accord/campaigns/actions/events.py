"""Event campaigns: sessions, registrations (capacity held under concurrency) and check-in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accord.campaigns.actions._checks import contact_exists, full_clean, invalid, text
from accord.campaigns.destinations import check_http_url
from accord.campaigns.models import Campaign, Channel, EventRegistration, EventSession
from accord.campaigns.signals import attendee_checked_in
from accord.core.errors import Conflict, Invalid

MAX_CAPACITY = 1_000_000


def _aware(value: datetime | None, field: str, *, required: bool) -> datetime | None:
    if value is None:
        if required:
            raise invalid(field, "This field is required.")
        return None
    if timezone.is_naive(value):
        raise invalid(field, "Give a time zone.")
    return value


def _capacity(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CAPACITY:
        raise invalid("capacity", f"Use a whole number from 1 to {MAX_CAPACITY:,}, or leave it empty.")
    return value


def _required_aware(value: datetime | None, field: str) -> datetime:
    moment = _aware(value, field, required=True)
    if moment is None:  # pragma: no cover - _aware refuses a missing required value
        raise invalid(field, "This field is required.")
    return moment


def _check_times(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at and ends_at and ends_at < starts_at:
        raise invalid("ends_at", "Must be after the start.")


def add_session(
    campaign: Campaign,
    *,
    name: str,
    starts_at: datetime | None,
    ends_at: datetime | None = None,
    location: str = "",
    online_url: str = "",
    capacity: int | None = None,
) -> EventSession:
    """A session of an event campaign (a webinar, a booth day, a talk)."""
    if campaign.channel != Channel.EVENT:
        raise invalid("campaign", "Sessions belong to event campaigns.")
    session = EventSession(
        campaign=campaign,
        name=text(name, "name", max_length=200, required=True),
        starts_at=_required_aware(starts_at, "starts_at"),
        ends_at=_aware(ends_at, "ends_at", required=False),
        location=text(location, "location", max_length=200),
        online_url=check_http_url(online_url, field="online_url", required=False),
        capacity=_capacity(capacity),
    )
    _check_times(session.starts_at, session.ends_at)
    full_clean(session, exclude=["campaign"])
    with transaction.atomic():
        session.save()
    return session


def set_session_capacity(session: EventSession, capacity: int | None) -> EventSession:
    """Change the number of seats; never below the registrations already taken."""
    capacity = _capacity(capacity)
    with transaction.atomic():
        locked = EventSession.objects.select_for_update().get(pk=session.pk)
        taken = locked.registrations.count()
        if capacity is not None and capacity < taken:
            raise invalid("capacity", f"{taken} people are registered already.")
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
    return locked


def delete_session(session: EventSession) -> None:
    with transaction.atomic():
        session.delete()


# ---------------------------------------------------------------- registrations
def _email(value: Any) -> str:
    email = text(value, "email", max_length=254, lower=True)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise invalid("email", "Enter a valid email address.") from exc
    return email


def register(
    session: EventSession,
    *,
    contact_id: int | None = None,
    email: str = "",
    name: str = "",
    at: datetime | None = None,
) -> EventRegistration:
    """Register a contact, or a person by email, for ``session``.

    Registering someone already registered returns their registration. A full session refuses
    with :class:`Conflict` ``session_full``: the session row is locked while seats are counted, so
    two people can never both get the last seat.
    """
    email = _email(email)
    name = text(name, "name", max_length=200)
    if contact_id is None and not email:
        raise Invalid(
            "Choose a contact or give an email address.",
            field_errors={"email": ["Give an email address (or choose a contact)."]},
        )
    if contact_id is not None and not contact_exists(EventRegistration, contact_id):
        raise invalid("contact_id", f"There is no contact with id {contact_id}.")
    same_person = (Q(contact_id=contact_id) if contact_id is not None else Q()) | (
        Q(email=email) if email else Q()
    )
    with transaction.atomic():
        locked = EventSession.objects.select_for_update().get(pk=session.pk)
        existing = locked.registrations.filter(same_person).first()
        if existing is not None:
            return existing
        if locked.capacity is not None and locked.registrations.count() >= locked.capacity:
            raise Conflict(
                f"“{locked.name}” is full ({locked.capacity} seats).",
                field_errors={"__all__": ["This session is full."]},
                code="session_full",
            )
        return EventRegistration.objects.create(
            session=locked,
            contact_id=contact_id,
            email=email,
            name=name,
            registered_at=at or timezone.now(),
        )


def cancel_registration(registration: EventRegistration) -> None:
    """Remove a registration, freeing its seat."""
    with transaction.atomic():
        registration.delete()


def check_in(registration: EventRegistration, *, at: datetime | None = None) -> EventRegistration:
    """Mark the registrant as attended. Checking in twice keeps the first time."""
    at = _aware(at, "checked_in_at", required=False) or timezone.now()
    with transaction.atomic():
        current = (
            EventRegistration.objects.select_for_update().select_related("session").get(pk=registration.pk)
        )
        if current.attended:
            return current
        current.attended = True
        current.checked_in_at = at
        current.save(update_fields=["attended", "checked_in_at"])
        transaction.on_commit(
            lambda: attendee_checked_in.send(
                sender=EventRegistration,
                registration_id=current.pk,
                session_id=current.session_id,
                campaign_id=current.session.campaign_id,
                contact_id=current.contact_id,
                checked_in_at=at,
            )
        )
    return current


def undo_check_in(registration: EventRegistration) -> EventRegistration:
    """Correct a check-in made by mistake."""
    with transaction.atomic():
        current = EventRegistration.objects.select_for_update().get(pk=registration.pk)
        if current.attended:
            current.attended = False
            current.checked_in_at = None
            current.save(update_fields=["attended", "checked_in_at"])
    return current
