"""Event campaigns: sessions, registrations within capacity (also under concurrency), check-in."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections

from accord.campaigns import actions, reports
from accord.campaigns.models import EventRegistration, EventSession
from accord.campaigns.signals import attendee_checked_in
from accord.contacts.actions import create_contact
from accord.core.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def session(event_campaign):
    return actions.add_session(
        event_campaign, name="Keynote", starts_at=STARTS, ends_at=STARTS + timedelta(hours=1),
        location="Hall A", online_url="https://stream.accord.test/keynote", capacity=2,
    )  # fmt: skip


def test_add_a_session(session, event_campaign):
    session.refresh_from_db()
    assert (session.campaign, session.name, session.capacity, session.location) == (
        event_campaign, "Keynote", 2, "Hall A",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": datetime(2026, 6, 10, 9)}, "starts_at"),  # noqa: DTZ001 - naive on purpose
        ({"ends_at": STARTS - timedelta(minutes=1)}, "ends_at"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": True}, "capacity"),
    ],
)
def test_session_input_is_checked(event_campaign, kwargs, field):
    fields = {"name": "Talk", "starts_at": STARTS, **kwargs}
    with pytest.raises(Invalid) as caught:
        actions.add_session(event_campaign, **fields)
    assert field in caught.value.field_errors
    assert not EventSession.objects.exists()


def test_sessions_belong_to_event_campaigns(campaign):
    with pytest.raises(Invalid) as caught:
        actions.add_session(campaign, name="Talk", starts_at=STARTS)
    assert "campaign" in caught.value.field_errors


def test_register_a_contact_or_a_person_by_email(session):
    contact = create_contact(email="ada@example.test", first_name="Ada")
    by_contact = actions.register(session, contact_id=contact.pk)
    by_email = actions.register(session, email=" Grace@Example.TEST ", name="Grace Hopper")
    assert (by_contact.contact_id, by_contact.email) == (contact.pk, "")
    assert (by_email.contact_id, by_email.email, by_email.name) == (
        None,
        "grace@example.test",
        "Grace Hopper",
    )
    assert not by_email.attended and by_email.registered_at is not None


def test_registering_twice_returns_the_registration(session):
    first = actions.register(session, email="grace@example.test")
    again = actions.register(session, email="GRACE@example.test", name="Grace")
    assert again.pk == first.pk and EventRegistration.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({}, "email"), ({"email": "not-an-email"}, "email"), ({"contact_id": 999999}, "contact_id")],
)
def test_registration_input_is_checked(session, kwargs, field):
    with pytest.raises(Invalid) as caught:
        actions.register(session, **kwargs)
    assert field in caught.value.field_errors


def test_capacity_is_enforced_and_cancelling_frees_a_seat(session):
    first = actions.register(session, email="a@example.test")
    actions.register(session, email="b@example.test")
    with pytest.raises(Conflict) as caught:
        actions.register(session, email="c@example.test")
    assert caught.value.code == "session_full"
    assert actions.register(session, email="a@example.test").pk == first.pk  # already in: no seat needed
    actions.cancel_registration(first)
    assert actions.register(session, email="c@example.test").email == "c@example.test"
    assert EventRegistration.objects.filter(session=session).count() == 2


def test_a_session_without_capacity_has_no_limit(event_campaign):
    open_session = actions.add_session(event_campaign, name="Expo floor", starts_at=STARTS)
    for i in range(30):
        actions.register(open_session, email=f"p{i}@example.test")
    assert open_session.registrations.count() == 30


def test_capacity_cannot_drop_below_the_registrations(session):
    actions.register(session, email="a@example.test")
    actions.register(session, email="b@example.test")
    with pytest.raises(Invalid):
        actions.set_session_capacity(session, 1)
    assert actions.set_session_capacity(session, 5).capacity == 5
    assert actions.set_session_capacity(session, None).capacity is None


def test_check_in_keeps_the_first_time_and_can_be_undone(session):
    registration = actions.register(session, email="a@example.test")
    at = STARTS + timedelta(minutes=3)
    checked = actions.check_in(registration, at=at)
    assert (checked.attended, checked.checked_in_at) == (True, at)
    assert actions.check_in(registration, at=at + timedelta(hours=1)).checked_in_at == at
    undone = actions.undo_check_in(registration)
    assert (undone.attended, undone.checked_in_at) == (False, None)


def test_check_in_announces_attendance_after_commit(session, django_capture_on_commit_callbacks):
    contact = create_contact(email="ada@example.test")
    registration = actions.register(session, contact_id=contact.pk)
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    attendee_checked_in.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.check_in(registration, at=STARTS)
            actions.check_in(registration, at=STARTS)  # already in: not announced again
    finally:
        attendee_checked_in.disconnect(receiver)
    assert received == [
        {
            "signal": attendee_checked_in, "sender": EventRegistration, "registration_id": registration.pk,
            "session_id": session.pk, "campaign_id": session.campaign_id, "contact_id": contact.pk,
            "checked_in_at": STARTS,
        }
    ]  # fmt: skip


def test_attendance_rate(session, event_campaign):
    second = actions.add_session(event_campaign, name="Workshop", starts_at=STARTS + timedelta(hours=2))
    regs = [actions.register(session, email=f"{n}@example.test") for n in "ab"]
    regs += [actions.register(second, email=f"{n}@example.test") for n in "cdef"]
    for registration in regs[:1] + regs[2:4]:
        actions.check_in(registration)
    assert reports.attendance(event_campaign.pk) == (6, 3, 50)
    sessions = reports.sessions_with_attendance(event_campaign.pk)
    columns = sessions.values_list("name", "registered", "attended")  # type: ignore[misc]  # annotations
    rows = {name: (registered, attended) for name, registered, attended in columns}
    assert rows == {"Keynote": (2, 1), "Workshop": (4, 2)}


def test_attendance_rate_without_registrations_is_none(event_campaign):
    assert reports.attendance(event_campaign.pk) == (0, 0, None)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_seat_cannot_both_get_it(event_campaign):
    """Several connections register at the same instant for a session with one seat left."""
    session = actions.add_session(event_campaign, name="Masterclass", starts_at=STARTS, capacity=3)
    for n in range(2):
        actions.register(session, email=f"early{n}@example.test")
    racers = 6
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []

    def race(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            actions.register(session, email=f"racer{n}@example.test")
            outcomes.append("registered")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["registered"] + ["session_full"] * (racers - 1)
    assert EventRegistration.objects.filter(session=session).count() == 3
