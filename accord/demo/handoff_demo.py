"""The demo's handoff: routing rules by region, rep profiles (weights, capacity, working hours, a
week of time off), SLA policies, the current MQLs routed, and a few verdicts with reasons.

Called by the generator after the contacts are written: ``seed_handoff(now)``. Deterministic: the
same workspace gives the same assignments and verdicts. Everything goes through the handoff's
actions and its batched router (one call for all MQLs).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from accord.accounts.models import Team, User
from accord.demo.catalog import COUNTRIES
from accord.demo.staff import AMERICAS_TEAM, EMEA_TEAM
from accord.handoff import actions
from accord.handoff.models import LeadAssignment, RejectReason, RepProfile
from accord.handoff.routing import pending_mqls, route_contacts
from accord.lifecycle.stages import LifecycleStage

# username → (timezone, weight, capacity)
REPS: dict[str, tuple[str, int, int]] = {
    "sofia": ("Europe/Paris", 2, 120),
    "noah": ("Europe/Berlin", 1, 80),
    "sam": ("America/New_York", 2, 120),
    "diego": ("America/New_York", 1, 80),
}
REJECTIONS: list[tuple[str, str, str]] = [
    (RejectReason.NO_BUDGET, "Budget frozen until next fiscal year.", LifecycleStage.RECYCLED),
    (RejectReason.STUDENT, "Writing a thesis on marketing automation.", LifecycleStage.DISQUALIFIED),
    (
        RejectReason.BAD_TIMING,
        "Just renewed with their current vendor for 12 months.",
        LifecycleStage.RECYCLED,
    ),
    (RejectReason.COMPETITOR_CUSTOMER, "Happy customer of a competitor, no pain.", LifecycleStage.RECYCLED),
    (
        RejectReason.OTHER,
        "Consultant collecting quotes for a client we cannot identify.",
        LifecycleStage.RECYCLED,
    ),
]


def routing_moment(now: datetime) -> datetime:
    """The latest weekday 14:00 UTC before ``now``: both teams are at work then (Paris/Berlin
    afternoon, New York morning), so the demo's MQLs can be routed whatever time the seed runs."""
    at = now.replace(hour=14, minute=0, second=0, microsecond=0)
    if at > now:
        at -= timedelta(days=1)
    while at.isoweekday() > 5:
        at -= timedelta(days=1)
    return at


def seed_handoff(now: datetime) -> dict[str, int]:
    """Create the demo's routing setup and route its current MQLs; returns counts for the summary."""
    teams = {t.name: t for t in Team.objects.filter(name__in=[EMEA_TEAM, AMERICAS_TEAM])}
    emea, americas = teams[EMEA_TEAM], teams[AMERICAS_TEAM]
    for team in (emea, americas):
        actions.save_sla_policy(team, first_touch_minutes=4 * 60, verdict_minutes=2 * 8 * 60)
    region_codes = {
        region: [c.code for c in COUNTRIES if c.region == region] for region in ("emea", "americas")
    }
    actions.save_rule(None, name="Europe, Middle East, Africa", team=emea,
                      conditions=[{"field": "country", "values": region_codes["emea"]}])  # fmt: skip
    actions.save_rule(None, name="Americas and Asia-Pacific", team=americas,
                      conditions=[{"field": "country", "values": region_codes["americas"]}])  # fmt: skip
    actions.save_rule(None, name="Everyone else", team=emea, conditions=[])

    users = {u.username: u for u in User.objects.filter(username__in=[*REPS, "james", "alex"])}
    for username, (tz, weight, capacity) in REPS.items():
        actions.save_rep_profile(
            users[username], weight=weight, capacity=capacity, timezone_name=tz,
            work_start=time(9, 0), work_end=time(17, 0),
        )  # fmt: skip
    noah = RepProfile.objects.get(user=users["noah"])
    holiday = (now + timedelta(days=7)).replace(hour=0, minute=0, second=0, microsecond=0)
    actions.add_time_off(noah, starts_at=holiday, ends_at=holiday + timedelta(days=5), note="Summer holiday")

    at = routing_moment(now)
    result = route_contacts(pending_mqls(limit=100_000), now=at)

    # A few verdicts, deterministic: the oldest routed leads of each SDR.
    leads = list(
        LeadAssignment.objects.filter(status=LeadAssignment.Status.NEW, owner__username__in=list(REPS))
        .select_related("owner", "contact")
        .order_by("pk")[:12]
    )
    accepted = rejected = converted = 0
    for i, lead in enumerate(leads):
        rep = lead.owner
        if rep is None:
            continue
        if i < len(REJECTIONS):
            reason, note, outcome = REJECTIONS[i]
            actions.reject_lead(
                lead, by=rep, reason=reason, note=note, outcome=outcome, now=at + timedelta(hours=2)
            )
            rejected += 1
        elif i < len(REJECTIONS) + 2:
            actions.accept_lead(lead, by=rep, now=at + timedelta(hours=1))
            actions.save_bant(
                lead, by=rep, budget_amount=Decimal("36000"), budget_range="30–50k USD",
                budget_evidence="Budget line approved for this year.", authority_role="Head of Marketing, co-signs",
                decision_makers="CFO signs above 25k.", need="Campaign attribution is done by hand in spreadsheets.",
                timeline=(now + timedelta(days=60)).date(),
            )  # fmt: skip
            ae = users["james"] if lead.team_id == emea.pk else users["alex"]
            actions.convert_lead(lead, by=rep, deal_owner=ae)
            converted += 1
        else:
            actions.accept_lead(lead, by=rep, now=at + timedelta(hours=1))
            accepted += 1
    return {
        "routed": len(result.assigned),
        "unrouted": len(result.unrouted),
        "accepted": accepted,
        "rejected": rejected,
        "converted": converted,
    }
