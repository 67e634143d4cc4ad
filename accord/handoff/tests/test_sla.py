"""SLA clocks in working hours with frozen time; escalation fires once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accord.accounts.models import Notification
from accord.handoff import actions
from accord.handoff.models import LeadAssignment, RepProfile, SlaBreach
from accord.handoff.routing import route_contacts
from accord.handoff.sla import clocks, evaluate_breaches
from accord.handoff.workhours import Calendar, add_working_minutes, is_available, working_minutes_between
from accord.sales.actions import log_activity

pytestmark = pytest.mark.django_db

FRIDAY_3PM = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
MONDAY = datetime(2026, 3, 9, tzinfo=UTC)


def test_working_time_skips_nights_weekends_and_time_off():
    cal = Calendar()
    assert add_working_minutes(cal, FRIDAY_3PM, 240) == MONDAY.replace(hour=11)
    assert add_working_minutes(cal, datetime(2026, 3, 6, 20, 0, tzinfo=UTC), 60) == MONDAY.replace(hour=10)
    off = Calendar(time_off=((MONDAY, MONDAY + timedelta(days=1)),))
    assert add_working_minutes(off, FRIDAY_3PM, 240) == MONDAY.replace(day=10, hour=11)
    assert working_minutes_between(cal, FRIDAY_3PM, MONDAY.replace(hour=10)) == 180
    paris = Calendar(tz="Europe/Paris")  # 9–17 Paris is 8–16 UTC in March (CET)
    assert is_available(paris, MONDAY.replace(hour=8, minute=30)) and not is_available(
        paris, MONDAY.replace(hour=16, minute=30)
    )


def test_due_times_follow_the_reps_calendar(rules, staff, make_mql):
    lead = make_mql("FR")
    actions.save_rep_profile(staff["noah"], weight=1, capacity=0)  # all to Sofia
    route_contacts([lead.pk], now=FRIDAY_3PM)
    a = LeadAssignment.objects.get()
    assert a.first_touch_due == MONDAY.replace(hour=11)
    assert a.verdict_due == MONDAY.replace(day=10, hour=15)  # 16 working hours: 2 Fri + 8 Mon + 6 Tue
    # time off added later moves the clocks
    actions.add_time_off(
        RepProfile.objects.get(user=staff["sofia"]), starts_at=MONDAY, ends_at=MONDAY + timedelta(days=1)
    )
    a.refresh_from_db()
    assert a.first_touch_due == MONDAY.replace(day=10, hour=11)
    with time_machine.travel(MONDAY.replace(hour=20), tick=False):
        clock = clocks([a])[a.pk]
    assert clock.label == "First touch" and clock.minutes_left == 120 and clock.state == "ok"


def test_breach_escalates_to_the_manager_once(
    rules, staff, make_mql, smtp, django_capture_on_commit_callbacks
):
    actions.save_rep_profile(staff["noah"], weight=1, capacity=0)
    route_contacts([make_mql("FR").pk], now=FRIDAY_3PM)
    henrik = staff["henrik"]
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluate_breaches(MONDAY.replace(hour=10, minute=59)).detected == 0  # Monday morning: not yet
    for _ in range(2):  # the periodic check runs again: nothing new
        with (
            time_machine.travel(MONDAY.replace(hour=11, minute=1), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            evaluate_breaches()
    breach = SlaBreach.objects.get()
    assert breach.kind == SlaBreach.Kind.FIRST_TOUCH and breach.escalated_to == henrik and breach.escalated_at
    assert Notification.objects.filter(user=henrik, kind="sla_breach").count() == 1
    mails = smtp.to(henrik.email)
    assert len(mails) == 1 and "SLA breached" in mails[0]["Subject"]
    # Tuesday 15:01: the verdict SLA is breached too, escalated once more (once)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            evaluate_breaches(MONDAY.replace(day=10, hour=15, minute=1))
    assert SlaBreach.objects.count() == 2 and len(smtp.to(henrik.email)) == 2


def test_a_logged_call_stops_the_first_touch_clock(
    rules, staff, make_mql, django_capture_on_commit_callbacks
):
    actions.save_rep_profile(staff["noah"], weight=1, capacity=0)
    contact = make_mql("FR")
    route_contacts([contact.pk], now=FRIDAY_3PM)
    with django_capture_on_commit_callbacks(execute=True):
        log_activity(
            kind="call", subject="Intro call", owner=staff["sofia"], contact=contact, done_at=FRIDAY_3PM
        )
    a = LeadAssignment.objects.get()
    assert a.first_touch_at is not None
    evaluate_breaches(MONDAY.replace(hour=12))
    assert not SlaBreach.objects.exists()
    assert clocks([a], MONDAY.replace(hour=12))[a.pk].label == "Verdict"
    # a note is not a touch
    other = make_mql("FR")
    route_contacts([other.pk], now=FRIDAY_3PM)
    with django_capture_on_commit_callbacks(execute=True):
        log_activity(kind="note", subject="Looked them up", owner=staff["sofia"], contact=other)
    assert LeadAssignment.objects.get(contact=other).first_touch_at is None
