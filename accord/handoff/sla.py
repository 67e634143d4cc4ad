"""SLA clocks: breach detection and escalation (set-based, once), and the time left for the inbox.

Due times are computed when a lead is assigned, in the rep's working calendar (see
:mod:`accord.handoff.workhours`), and recomputed when the rep's hours or time off change, so the
periodic check is a plain indexed comparison with ``now``.

A breach is a :class:`SlaBreach` row, unique per (lead, kind): inserting it is idempotent. The
escalation claims un-escalated rows under ``FOR UPDATE SKIP LOCKED`` and stamps them in the same
transaction, so each breach notifies the team's manager once, however often (and however many
workers) the check runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.accounts.notifications import notify
from accord.handoff.models import LeadAssignment, RepProfile, SlaBreach
from accord.handoff.routing import calendars_for
from accord.handoff.workhours import Calendar, calendar_for, describe_minutes, working_minutes_between


@dataclass(frozen=True)
class Breaches:
    detected: int
    escalated: int


def evaluate_breaches(now: datetime | None = None) -> Breaches:
    """Record new breaches and escalate un-escalated ones to each team's manager (in-app + email)."""
    now = now or timezone.now()
    active = LeadAssignment.objects.filter(status__in=LeadAssignment.ACTIVE)
    first_touch = (
        active.filter(first_touch_at=None, first_touch_due__lte=now)
        .exclude(breaches__kind=SlaBreach.Kind.FIRST_TOUCH)
        .values_list("pk", "first_touch_due", "team__manager_id")
    )
    verdict = (
        active.filter(status=LeadAssignment.Status.NEW, verdict_due__lte=now)
        .exclude(breaches__kind=SlaBreach.Kind.VERDICT)
        .values_list("pk", "verdict_due", "team__manager_id")
    )
    rows = [
        SlaBreach(assignment_id=pk, kind=kind, due_at=due, detected_at=now, escalated_to_id=manager)
        for kind, qs in ((SlaBreach.Kind.FIRST_TOUCH, first_touch), (SlaBreach.Kind.VERDICT, verdict))
        for pk, due, manager in qs
    ]
    with transaction.atomic():
        SlaBreach.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Breaches(detected=len(rows), escalated=escalate(now))


def escalate(now: datetime) -> int:
    with transaction.atomic():
        claimed = list(
            SlaBreach.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(escalated_at=None)
            .select_related("assignment__contact", "assignment__owner", "assignment__team__manager")
            .order_by("pk")[:5000]
        )
        if not claimed:
            return 0
        SlaBreach.objects.filter(pk__in=[b.pk for b in claimed]).update(escalated_at=now)
        by_manager: dict[int, list[SlaBreach]] = defaultdict(list)
        managers: dict[int, User] = {}
        for breach in claimed:
            team = breach.assignment.team
            if team is not None and team.manager is not None:
                by_manager[team.manager.pk].append(breach)
                managers[team.manager.pk] = team.manager
        for manager_id, breaches in by_manager.items():
            first = breaches[0]
            lead = first.assignment
            if len(breaches) == 1:
                title = f"SLA breached: {first.get_kind_display().lower()} for {lead.contact} ({lead.owner})"
                url = lead.get_absolute_url()
            else:
                title = f"{len(breaches)} lead SLAs breached in your team"
                url = "/leads/team/?sla=breached"
            body = "\n".join(
                f"- {b.get_kind_display()} due {b.due_at:%Y-%m-%d %H:%M} UTC: {b.assignment.contact} "
                f"(assigned to {b.assignment.owner})"
                for b in breaches[:30]
            )
            notify(
                [managers[manager_id]], kind="sla_breach", title=title, body=body, url=url,
                key=f"sla_breach:{first.pk}:{len(breaches)}",
            )  # fmt: skip
    return len(claimed)


# ------------------------------------------------------------------ time left, for pages and the API
@dataclass(frozen=True)
class Clock:
    label: str  # "First touch" / "Verdict" / ""
    minutes_left: int | None  # working minutes; negative when overdue
    state: str  # "ok", "soon", "breached", "done"

    @property
    def text(self) -> str:
        if self.minutes_left is None:
            return "Done"
        if self.minutes_left < 0:
            return f"{describe_minutes(-self.minutes_left)} overdue"
        return f"{describe_minutes(self.minutes_left)} left"


def owner_calendars(owner_ids: Sequence[int | None], now: datetime) -> dict[int, Calendar]:
    profiles = {p.pk: p for p in RepProfile.objects.filter(user_id__in=[o for o in owner_ids if o])}
    cals = calendars_for(profiles, profiles, now)
    return {p.user_id: cals[p.pk] for p in profiles.values()}


def clock_for(lead: LeadAssignment, cal: Calendar, now: datetime) -> Clock:
    """The clock that runs now: first touch until a call/email is logged, then the verdict."""
    if lead.status not in LeadAssignment.ACTIVE:
        return Clock("", None, "done")
    if lead.first_touch_at is None:
        label, due = "First touch", lead.first_touch_due
    elif lead.status == LeadAssignment.Status.NEW:
        label, due = "Verdict", lead.verdict_due
    else:
        return Clock("", None, "done")
    left = (
        working_minutes_between(cal, now, due)
        if due > now
        else -max(1, working_minutes_between(cal, due, now))
    )
    state = "breached" if due <= now else "soon" if left <= 60 else "ok"
    return Clock(label, left, state)


def clocks(leads: Sequence[LeadAssignment], now: datetime | None = None) -> dict[int, Clock]:
    """Clocks for a page of leads (one query for the owners' calendars)."""
    now = now or timezone.now()
    cals = owner_calendars([lead.owner_id for lead in leads], now)
    return {
        lead.pk: clock_for(lead, cals.get(lead.owner_id or 0) or calendar_for(None), now) for lead in leads
    }
