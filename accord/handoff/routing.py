"""Routing MQLs to reps, set-based and batched.

For a batch of contacts (:func:`route_contacts`), in one transaction per chunk and a bounded number
of queries (about a dozen plus one notification per rep, whatever the chunk's size):

1. lock the contacts (``SELECT … FOR UPDATE`` in id order) and read, in a *new* statement, which of
   them already hold an open assignment: a contact is never assigned twice, even by two workers
   (and the partial unique index ``one_open_lead_per_contact`` guards it in the database too);
2. the existing account owner wins: a contact whose company has an active sales owner goes to them;
3. otherwise the first active routing rule whose conditions hold (and, optionally, whose segment
   holds the contact) picks the team;
4. within the team, smooth weighted round robin over the reps who are at work now (working hours in
   their timezone, no time off) and below their capacity. The team's rep rows are locked
   (``FOR UPDATE``, id order) before the open leads are counted, so two workers routing to the same
   team take turns and capacity is never exceeded;
5. one bulk insert of the assignments (with SLA due times in each rep's working calendar), one
   ``INSERT … SELECT`` attributing them to the campaigns the contacts touched, one bulk update of
   the round-robin state, and one notification per rep.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from accord.accounts.models import Role, User
from accord.accounts.notifications import Notice, notify_many
from accord.contacts.models import Contact
from accord.handoff.models import (
    DEFAULT_FIRST_TOUCH_MINUTES,
    DEFAULT_VERDICT_MINUTES,
    ConditionField,
    LeadAssignment,
    LeadCampaign,
    Method,
    RepProfile,
    RoutingRule,
    SlaPolicy,
    TimeOff,
)
from accord.handoff.workhours import Calendar, add_working_minutes, calendar_for, is_available
from accord.lifecycle.stages import LifecycleStage
from accord.segments.models import SegmentMembership
from accord.tracking.models import Touchpoint

CHUNK = 2000
SALES_ROLES = (Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.SALES_MANAGER, Role.ADMIN)
FIELD_SOURCES: dict[str, str] = {
    ConditionField.COUNTRY: "country",
    ConditionField.COMPANY_COUNTRY: "company__country",
    ConditionField.COMPANY_SIZE: "company__size",
    ConditionField.COMPANY_INDUSTRY: "company__industry",
    ConditionField.COMPANY_REVENUE: "company__revenue_band",
}


@dataclass
class RouteResult:
    assigned: list[int] = field(default_factory=list)  # assignment ids
    already_open: list[int] = field(default_factory=list)  # contact ids that had an open lead
    not_mql: list[int] = field(default_factory=list)  # contact ids not (or no longer) at MQL
    unrouted: list[int] = field(default_factory=list)  # no rule matched, or nobody had room

    def extend(self, other: RouteResult) -> None:
        self.assigned += other.assigned
        self.already_open += other.already_open
        self.not_mql += other.not_mql
        self.unrouted += other.unrouted


@dataclass
class _Rep:
    profile: RepProfile
    load: int
    available: bool
    calendar: Calendar

    @property
    def has_room(self) -> bool:
        return self.available and self.load < self.profile.capacity


# ------------------------------------------------------------------ rule matching
def rule_matches(rule: RoutingRule, contact: dict[str, Any], in_segment: bool) -> bool:
    if rule.segment_id is not None and not in_segment:
        return False
    for cond in rule.conditions or []:
        source = FIELD_SOURCES.get(str(cond.get("field", "")))
        if source is None:
            return False
        wanted = {str(v).strip().lower() for v in cond.get("values", [])}
        if str(contact.get(source) or "").strip().lower() not in wanted:
            return False
    return True


def _pick_weighted(reps: Sequence[_Rep]) -> _Rep | None:
    """Smooth weighted round robin (nginx): deterministic, exact proportions, evenly interleaved."""
    candidates = [r for r in reps if r.has_room]
    if not candidates:
        return None
    total = 0
    for rep in candidates:
        rep.profile.rr_current += rep.profile.weight
        total += rep.profile.weight
    best = max(candidates, key=lambda r: (r.profile.rr_current, -r.profile.pk))
    best.profile.rr_current -= total
    return best


# ------------------------------------------------------------------ helpers reading sets
def calendars_for(
    profile_ids: Iterable[int], profiles: dict[int, RepProfile], now: datetime
) -> dict[int, Calendar]:
    """Calendars (with time off still to come) for the given rep profiles, in one query."""
    offs: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    ids = list(profile_ids)
    for rep_id, a, b in TimeOff.objects.filter(rep_id__in=ids, ends_at__gt=now).values_list(
        "rep_id", "starts_at", "ends_at"
    ):
        offs[rep_id].append((a, b))
    return {pid: calendar_for(profiles[pid], offs[pid]) for pid in ids}


def sla_minutes(team_ids: Iterable[int | None]) -> dict[int | None, tuple[int, int]]:
    wanted = [t for t in set(team_ids) if t is not None]
    found: dict[int | None, tuple[int, int]] = {
        team_id: (ft, vd)
        for team_id, ft, vd in SlaPolicy.objects.filter(team_id__in=wanted).values_list(
            "team_id", "first_touch_minutes", "verdict_minutes"
        )
    }
    default = (DEFAULT_FIRST_TOUCH_MINUTES, DEFAULT_VERDICT_MINUTES)
    return defaultdict(lambda: default, found)


def due_times(cal: Calendar, at: datetime, minutes: tuple[int, int]) -> tuple[datetime, datetime]:
    return add_working_minutes(cal, at, minutes[0]), add_working_minutes(cal, at, minutes[1])


def attribute_campaigns(assignment_ids: Sequence[int]) -> None:
    """Link assignments to every campaign their contact touched, in one statement per chunk."""
    a_table = LeadAssignment._meta.db_table
    t_table = Touchpoint._meta.db_table
    l_table = LeadCampaign._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(assignment_ids), CHUNK):
            chunk = list(assignment_ids[start : start + CHUNK])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"""INSERT INTO {l_table} (assignment_id, campaign_id)
                SELECT DISTINCT a.id, t.campaign_id FROM {a_table} a
                JOIN {t_table} t ON t.contact_id = a.contact_id
                WHERE a.id IN ({marks}) AND t.campaign_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM {l_table} l
                                  WHERE l.assignment_id = a.id AND l.campaign_id = t.campaign_id)""",  # noqa: S608 (table names and placeholders only)
                chunk,
            )


def notify_assigned(
    assignments: Sequence[LeadAssignment], names: dict[int, str], users: dict[int, User]
) -> None:
    """One notice per rep for the batch (:func:`accord.accounts.notifications.notify_many`: one
    insert for all reps, emailed by one task after commit, idempotent per ``key``)."""
    by_owner: dict[int, list[LeadAssignment]] = defaultdict(list)
    for a in assignments:
        if a.owner_id is not None and a.owner_id in users and users[a.owner_id].is_active:
            by_owner[a.owner_id].append(a)
    rows = []
    for owner_id, leads in by_owner.items():
        first = leads[0]
        if len(leads) == 1:
            title = f"New lead: {names.get(first.contact_id, 'a contact')}"
            body = f"{names.get(first.contact_id, 'A contact')} was assigned to you ({first.decided_by})."
            url = f"/leads/{first.pk}/"
        else:
            title = f"{len(leads)} new leads assigned to you"
            body = "\n".join(
                f"- {names.get(a.contact_id, a.contact_id)} ({a.decided_by})" for a in leads[:20]
            )
            if len(leads) > 20:
                body += f"\n… and {len(leads) - 20} more."
            url = "/leads/"
        rows.append(Notice(owner_id, "lead_assigned", title, body, url, key=f"lead_assigned:{first.pk}"))
    notify_many(rows)


# ------------------------------------------------------------------ routing
def route_contacts(
    contact_ids: Iterable[int], *, now: datetime | None = None, by: User | None = None
) -> RouteResult:
    """Route the MQLs among ``contact_ids`` (see the module docstring). Idempotent."""
    now = now or timezone.now()
    ids = sorted({int(i) for i in contact_ids})
    result = RouteResult()
    for start in range(0, len(ids), CHUNK):
        result.extend(_route_chunk(ids[start : start + CHUNK], now, by))
    return result


def pending_mqls(limit: int = 10_000) -> list[int]:
    """MQLs without an open assignment (new since the last run, or no rep had room then)."""
    return list(
        Contact.objects.filter(lifecycle_stage=LifecycleStage.MQL)
        .exclude(lead_assignments__status__in=LeadAssignment.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _route_chunk(ids: list[int], now: datetime, by: User | None) -> RouteResult:
    result = RouteResult()
    first_campaign = Subquery(
        Touchpoint.objects.filter(contact_id=OuterRef("pk"), campaign_id__isnull=False)
        .order_by("occurred_at", "pk")
        .values("campaign_id")[:1]
    )
    with transaction.atomic():
        # 1. lock the contacts, then read their open assignments in a new statement (fresh snapshot)
        rows = list(
            Contact.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
            .annotate(first_campaign=first_campaign)
            .values(
                "pk",
                "first_name",
                "last_name",
                "email",
                "lifecycle_stage",
                "first_campaign",
                "company__owner_id",
                *FIELD_SOURCES.values(),
            )  # fmt: skip
        )
        open_ids = set(
            LeadAssignment.objects.filter(contact_id__in=ids, status__in=LeadAssignment.ACTIVE).values_list(
                "contact_id", flat=True
            )
        )
        todo = []
        for row in rows:
            if row["pk"] in open_ids:
                result.already_open.append(row["pk"])
            elif row["lifecycle_stage"] != LifecycleStage.MQL:
                result.not_mql.append(row["pk"])
            else:
                todo.append(row)
        if not todo:
            return result

        # 2. existing account owners
        owner_ids = {r["company__owner_id"] for r in todo if r["company__owner_id"]}
        owners = {
            u.pk: u
            for u in User.objects.filter(pk__in=owner_ids, is_active=True, role__in=SALES_ROLES).only(
                "pk", "team_id", "email", "is_active", "first_name", "last_name", "username"
            )
        }

        # 3. rules → team
        rules = list(RoutingRule.objects.filter(active=True).order_by("position", "pk"))
        segment_ids = {r.segment_id for r in rules if r.segment_id is not None}
        members: set[tuple[int, int]] = set()
        if segment_ids:
            members = set(
                SegmentMembership.objects.filter(
                    segment_id__in=segment_ids, contact_id__in=[r["pk"] for r in todo]
                ).values_list("segment_id", "contact_id")
            )
        plan: list[tuple[dict[str, Any], int | None, RoutingRule | None]] = []  # (contact, owner, rule)
        team_rules: dict[int, list[int]] = defaultdict(list)
        for row in todo:
            owner = owners.get(row["company__owner_id"])
            if owner is not None:
                plan.append((row, owner.pk, None))
                continue
            rule = next(
                (r for r in rules if rule_matches(r, row, (r.segment_id, row["pk"]) in members)), None
            )
            if rule is None:
                result.unrouted.append(row["pk"])
                continue
            team_rules[rule.team_id].append(len(plan))
            plan.append((row, None, rule))

        # 4. lock the teams' reps, count their open leads, weighted round robin
        profiles = {
            p.pk: p
            for p in RepProfile.objects.select_for_update(of=("self",))
            .filter(active=True, user__is_active=True, user__team_id__in=list(team_rules))
            .select_related("user")
            .order_by("pk")
        }
        owner_profiles = {
            p.pk: p
            for p in RepProfile.objects.filter(user_id__in=[o for _, o, _ in plan if o]).select_related(
                "user"
            )
        }
        all_profiles = {**owner_profiles, **profiles}
        calendars = calendars_for(all_profiles, all_profiles, now)
        loads = dict(
            LeadAssignment.objects.filter(
                status__in=LeadAssignment.ACTIVE, owner_id__in=[p.user_id for p in profiles.values()]
            )
            .values("owner_id")
            .annotate(n=Count("pk"))
            .values_list("owner_id", "n")
        )
        reps_by_team: dict[int | None, list[_Rep]] = defaultdict(list)
        for p in profiles.values():
            cal = calendars[p.pk]
            reps_by_team[p.user.team_id].append(_Rep(p, loads.get(p.user_id, 0), is_available(cal, now), cal))
        chosen: dict[int, _Rep] = {}
        for rule_team, positions in team_rules.items():
            for pos in positions:
                rep = _pick_weighted(reps_by_team.get(rule_team, []))
                if rep is None:
                    result.unrouted.append(plan[pos][0]["pk"])
                    continue
                rep.load += 1
                chosen[pos] = rep

        # 5. write
        owner_calendar = {p.user_id: calendars[p.pk] for p in owner_profiles.values()}
        teams_of = {pos: rep.profile.user.team_id for pos, rep in chosen.items()}
        slas = sla_minutes([*teams_of.values(), *(o.team_id for o in owners.values())])
        new: list[LeadAssignment] = []
        dues: dict[tuple[Calendar, tuple[int, int]], tuple[datetime, datetime]] = {}
        users: dict[int, User] = {}
        team_id: int | None
        for pos, (row, owner_id, rule) in enumerate(plan):
            if owner_id is not None:
                owner = owners[owner_id]
                cal = owner_calendar.get(owner_id) or calendar_for(None)
                team_id, user = owner.team_id, owner
                method, decided = Method.ACCOUNT_OWNER, f"Existing account owner ({owner})"
            elif pos in chosen:
                rep = chosen[pos]
                cal, team_id, user = rep.calendar, rep.profile.user.team_id, rep.profile.user
                method, decided = Method.RULE, f"Rule “{rule.name}” · weighted round robin" if rule else ""
            else:
                continue
            key = (cal, slas[team_id])  # every lead of a batch shares ``now``: one computation per rep
            if key not in dues:
                dues[key] = due_times(cal, now, slas[team_id])
            first_due, verdict_due = dues[key]
            users[user.pk] = user
            new.append(
                LeadAssignment(
                    contact_id=row["pk"],
                    owner_id=user.pk,
                    team_id=team_id,
                    method=method,
                    rule=rule,
                    decided_by=decided[:200],
                    assigned_at=now,
                    assigned_by=by,
                    source_campaign_id=row["first_campaign"],
                    first_touch_due=first_due,
                    verdict_due=verdict_due,
                )  # fmt: skip
            )
        created = LeadAssignment.objects.bulk_create(new, batch_size=1000)
        if profiles:
            RepProfile.objects.bulk_update(list(profiles.values()), ["rr_current"], batch_size=1000)
        assignment_ids = [a.pk for a in created]
        attribute_campaigns(assignment_ids)
        names = {r["pk"]: f"{r['first_name']} {r['last_name']}".strip() or r["email"] for r in todo}
        notify_assigned(created, names, users)
        result.assigned = assignment_ids
    return result
