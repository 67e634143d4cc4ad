"""Every write of the handoff, one function per atomic change.

Verdicts (accept → SAL, reject → recycled/disqualified with a reason code), BANT, convert (SQL + deal
in one action), manual reassignment, the first touch, and the routing settings. Routing itself is in
:mod:`accord.handoff.routing`, SLA breaches in :mod:`accord.handoff.sla`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import Role, Team, User
from accord.accounts.notifications import notify
from accord.contacts.models import Contact
from accord.core.errors import Conflict, Invalid, NotFound
from accord.handoff.models import (
    LeadAssignment,
    Method,
    Qualification,
    RejectReason,
    RepProfile,
    RoutingRule,
    SlaPolicy,
    TimeOff,
)
from accord.handoff.routing import FIELD_SOURCES, attribute_campaigns, calendars_for, due_times, sla_minutes
from accord.handoff.workhours import calendar_for
from accord.lifecycle.actions import StageChangeError, change_stage
from accord.lifecycle.stages import LifecycleStage, rank
from accord.sales.actions import create_deal
from accord.sales.models import Pipeline
from accord.segments.models import Segment

REJECT_OUTCOMES = (LifecycleStage.RECYCLED, LifecycleStage.DISQUALIFIED)
TOUCH_KINDS = ("call", "email", "meeting")
DEAL_OWNER_ROLES = (Role.ACCOUNT_EXECUTIVE, Role.SDR, Role.SALES_MANAGER, Role.ADMIN)


def _locked(assignment_id: int) -> LeadAssignment:
    try:
        return (
            LeadAssignment.objects.select_for_update(of=("self",))
            .select_related("contact", "source_campaign")
            .get(pk=assignment_id)
        )
    except LeadAssignment.DoesNotExist:
        raise NotFound("This lead does not exist.") from None


def _move(contact: Contact, stage: str, *, by: User | None, reason: str = "", rule: str = "handoff") -> None:
    """Forward along the funnel only (never silently backwards); a no-op when already there or past it."""
    if contact.lifecycle_stage not in REJECT_OUTCOMES and rank(contact.lifecycle_stage) >= rank(stage):
        return
    try:
        change_stage(contact, stage, by=by, reason=reason, rule=rule)
    except StageChangeError as exc:
        raise Conflict(str(exc), code="stage_change_refused") from exc


# ------------------------------------------------------------------ verdicts
def accept_lead(assignment: LeadAssignment, *, by: User, now: datetime | None = None) -> LeadAssignment:
    """Accept an MQL: the lead becomes a SAL. Only a lead awaiting its verdict can be accepted."""
    now = now or timezone.now()
    with transaction.atomic():
        lead = _locked(assignment.pk)
        if lead.status != LeadAssignment.Status.NEW:
            raise Conflict(
                f"This lead cannot be accepted: it is already {lead.get_status_display().lower()}.",
                code="verdict_already_given",
            )
        lead.status = LeadAssignment.Status.ACCEPTED
        lead.verdict_at, lead.verdict_by = now, by
        lead.save(update_fields=["status", "verdict_at", "verdict_by"])
        _move(lead.contact, LifecycleStage.SAL, by=by, reason=f"Accepted by {by}")
    return lead


def reject_lead(
    assignment: LeadAssignment,
    *,
    by: User,
    reason: str,
    note: str = "",
    outcome: str = LifecycleStage.RECYCLED,
    now: datetime | None = None,
) -> LeadAssignment:
    """Reject a lead with a reason code; it goes back to marketing as recycled (nurture) or disqualified.

    The reason is written to the contact's stage history and the lead is attributed to every campaign
    the contact touched, so the campaign's lead-quality panel shows it.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if reason not in RejectReason.values:
        errors["reason"] = ["Pick a reason."]
    if reason == RejectReason.OTHER and not note:
        errors["note"] = ["Say why when the reason is “Other”."]
    if outcome not in REJECT_OUTCOMES:
        errors["outcome"] = ["Choose recycled (nurture) or disqualified."]
    if len(note) > 2000:
        errors["note"] = ["At most 2,000 characters."]
    if errors:
        raise Invalid("The rejection is not complete.", field_errors=errors)
    with transaction.atomic():
        lead = _locked(assignment.pk)
        if lead.status not in LeadAssignment.ACTIVE:
            raise Conflict(
                f"This lead cannot be rejected: it is already {lead.get_status_display().lower()}.",
                code="verdict_already_given",
            )
        lead.status = LeadAssignment.Status.REJECTED
        lead.verdict_at, lead.verdict_by, lead.closed_at = now, by, now
        lead.reject_reason, lead.reject_note = reason, note
        lead.save(
            update_fields=["status", "verdict_at", "verdict_by", "closed_at", "reject_reason", "reject_note"]
        )
        label = RejectReason(reason).label
        text = f"Rejected by {by}: {label}" + (f" — {note}" if note else "")
        try:
            change_stage(lead.contact, outcome, by=by, reason=text, rule="handoff_rejected")
        except StageChangeError as exc:
            raise Conflict(str(exc), code="stage_change_refused") from exc
        attribute_campaigns([lead.pk])
    return lead


# ------------------------------------------------------------------ BANT and conversion
BANT_FIELDS = (
    "budget_amount", "budget_range", "budget_evidence", "authority_role", "decision_makers", "need", "timeline",
)  # fmt: skip


def save_bant(assignment: LeadAssignment, *, by: User, **fields: Any) -> Qualification:
    unknown = set(fields) - set(BANT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    amount = fields.get("budget_amount")
    if amount is not None:
        try:
            amount = Decimal(str(amount))
        except ArithmeticError:
            errors["budget_amount"] = ["Enter a number."]
        else:
            if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
                errors["budget_amount"] = ["Enter an amount between 0 and 999,999,999,999."]
        fields["budget_amount"] = amount
    timeline = fields.get("timeline")
    if timeline is not None and not isinstance(timeline, date):
        errors["timeline"] = ["Enter a date."]
    for name in ("budget_range", "authority_role"):
        if len(str(fields.get(name) or "")) > (150 if name == "authority_role" else 100):
            errors[name] = ["Too long."]
    if errors:
        raise Invalid("Some BANT fields are not valid.", field_errors=errors)
    with transaction.atomic():
        lead = _locked(assignment.pk)
        if lead.status not in LeadAssignment.ACTIVE:
            raise Conflict("This lead is closed; its qualification can no longer change.", code="lead_closed")
        qual, _ = Qualification.objects.select_for_update().get_or_create(contact_id=lead.contact_id)
        for name, value in fields.items():
            setattr(qual, name, value.strip() if isinstance(value, str) else value)
        qual.updated_by = by
        qual.save()
    return qual


def bant_gaps(qual: Qualification | None) -> dict[str, list[str]]:
    """Field errors for the BANT parts a conversion needs and that are missing."""
    errors: dict[str, list[str]] = {}
    if qual is None or (qual.budget_amount is None and not qual.budget_range):
        errors["budget_amount"] = ["Budget: give an amount or a range."]
    if qual is None or not qual.authority_role:
        errors["authority_role"] = ["Authority: record the contact's role in the decision."]
    if qual is None or not qual.need:
        errors["need"] = ["Need: record the pain points from discovery."]
    if qual is None or qual.timeline is None:
        errors["timeline"] = ["Timeline: set a target date."]
    return errors


def convert_lead(
    assignment: LeadAssignment,
    *,
    by: User,
    deal_owner: User | None = None,
    deal_name: str = "",
    pipeline: Pipeline | None = None,
    now: datetime | None = None,
) -> LeadAssignment:
    """Qualify the lead as SQL and open a deal for it, in one transaction.

    The deal links the contact and company, carries the lead's source campaign, and goes to
    ``deal_owner`` (an AE; default the rep). Refused (422) when required BANT parts are missing.
    """
    now = now or timezone.now()
    deal_name = (deal_name or "").strip()
    if len(deal_name) > 200:
        raise Invalid("The deal name is too long.", field_errors={"deal_name": ["At most 200 characters."]})
    owner = deal_owner or by
    if not owner.is_active or owner.effective_role not in DEAL_OWNER_ROLES:
        raise Invalid(
            "Pick a sales rep to own the deal.", field_errors={"deal_owner": ["Pick an account executive."]}
        )
    with transaction.atomic():
        lead = _locked(assignment.pk)
        if lead.status not in LeadAssignment.ACTIVE:
            raise Conflict(
                f"This lead cannot be converted: it is already {lead.get_status_display().lower()}.",
                code="lead_closed",
            )
        qual = Qualification.objects.filter(contact_id=lead.contact_id).first()
        gaps = bant_gaps(qual)
        if gaps or qual is None:
            raise Invalid(
                "The qualification is incomplete: fill in budget, authority, need and timeline.",
                field_errors=gaps,
            )
        pipeline = pipeline or Pipeline.objects.order_by("-is_default", "pk").first()
        if pipeline is None:
            raise Conflict("There is no sales pipeline to open the deal in.", code="no_pipeline")
        contact = lead.contact
        company = contact.company
        name = deal_name or f"{company.name if company else contact} — new deal"
        deal = create_deal(
            name=name[:200], pipeline=pipeline, amount=qual.budget_amount or 0, owner=owner, contact=contact,
            company=company, source_campaign=lead.source_campaign, expected_close=qual.timeline, by=by,
        )  # fmt: skip
        if lead.status == LeadAssignment.Status.NEW:
            lead.verdict_at, lead.verdict_by = now, by
            _move(contact, LifecycleStage.SAL, by=by, reason=f"Accepted by {by}")
        lead.status = LeadAssignment.Status.CONVERTED
        lead.closed_at, lead.deal = now, deal
        lead.save(update_fields=["status", "verdict_at", "verdict_by", "closed_at", "deal"])
        _move(
            contact, LifecycleStage.SQL, by=by, reason=f"Qualified (BANT) by {by}; deal “{deal.name}” opened"
        )
        attribute_campaigns([lead.pk])
    return lead


# ------------------------------------------------------------------ reassignment and touches
def reassign_lead(
    assignment: LeadAssignment, *, to: User, by: User, note: str = "", now: datetime | None = None
) -> LeadAssignment:
    """Move an open lead to another rep: the old assignment closes as reassigned, a new one opens
    (manual, recorded with who did it), the SLA clocks restart in the new rep's calendar."""
    now = now or timezone.now()
    note = (note or "").strip()[:150]
    if not to.is_active or to.effective_role not in DEAL_OWNER_ROLES:
        raise Invalid("Pick an active sales rep.", field_errors={"owner_id": ["Pick an active sales rep."]})
    with transaction.atomic():
        Contact.objects.select_for_update().filter(pk=assignment.contact_id).first()
        lead = _locked(assignment.pk)
        if lead.status not in LeadAssignment.ACTIVE:
            raise Conflict("Only an open lead can be reassigned.", code="lead_closed")
        if lead.owner_id == to.pk:
            raise Conflict(f"This lead is already assigned to {to}.", code="same_owner")
        profile = RepProfile.objects.select_for_update().filter(user=to).first()
        if profile is not None:
            load = LeadAssignment.objects.filter(owner=to, status__in=LeadAssignment.ACTIVE).count()
            if load >= profile.capacity:
                raise Conflict(f"{to} is at capacity ({profile.capacity} open leads).", code="at_capacity")
        cal = calendars_for([profile.pk], {profile.pk: profile}, now)[profile.pk] if profile else None
        first_due, verdict_due = due_times(
            cal or calendar_for(None), now, sla_minutes([to.team_id])[to.team_id]
        )
        was = lead.status
        lead.status, lead.closed_at = LeadAssignment.Status.REASSIGNED, now
        lead.save(update_fields=["status", "closed_at"])
        new = LeadAssignment.objects.create(
            contact_id=lead.contact_id, owner=to, team_id=to.team_id, method=Method.MANUAL,
            status=was,
            decided_by=(f"Reassigned by {by}" + (f": {note}" if note else ""))[:200], assigned_at=now, assigned_by=by,
            source_campaign_id=lead.source_campaign_id, first_touch_due=first_due, verdict_due=verdict_due,
            first_touch_at=lead.first_touch_at, verdict_at=lead.verdict_at, verdict_by=lead.verdict_by,
        )  # fmt: skip
        attribute_campaigns([new.pk])
        notify(
            [to], kind="lead_assigned", title=f"Lead reassigned to you: {lead.contact}",
            body=f"{by} reassigned {lead.contact} to you." + (f" Note: {note}" if note else ""),
            url=new.get_absolute_url(), key=f"lead_assigned:{new.pk}",
        )  # fmt: skip
    return new


def record_first_touch(contact_id: int, *, at: datetime | None = None) -> int:
    """Stop the first-touch clock of the contact's open lead (a call or email was logged)."""
    return LeadAssignment.objects.filter(
        contact_id=contact_id, status__in=LeadAssignment.ACTIVE, first_touch_at=None
    ).update(first_touch_at=at or timezone.now())


# ------------------------------------------------------------------ routing settings
def _clean_conditions(conditions: Any) -> list[dict[str, Any]]:
    if not isinstance(conditions, list):
        raise Invalid("Conditions must be a list.", field_errors={"conditions": ["Must be a list."]})
    out = []
    for i, cond in enumerate(conditions):
        if not isinstance(cond, dict) or cond.get("field") not in FIELD_SOURCES:
            raise Invalid(
                "Unknown condition field.", field_errors={f"conditions.{i}.field": ["Pick a field."]}
            )
        values = [str(v).strip() for v in cond.get("values") or [] if str(v).strip()]
        if not values:
            raise Invalid(
                "A condition needs values.",
                field_errors={f"conditions.{i}.values": ["Give at least one value."]},
            )
        out.append({"field": cond["field"], "values": values[:200]})
    return out


def save_rule(
    rule: RoutingRule | None,
    *,
    name: str,
    team: Team,
    conditions: Any = (),
    segment: Segment | None = None,
    position: int | None = None,
    active: bool = True,
) -> RoutingRule:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid("The rule needs a name.", field_errors={"name": ["Between 1 and 100 characters."]})
    if team.kind != Team.Kind.SALES:
        raise Invalid("Leads are routed to sales teams.", field_errors={"team": ["Pick a sales team."]})
    cleaned = _clean_conditions(list(conditions))
    with transaction.atomic():
        rule = rule or RoutingRule()
        if position is None and rule.pk is None:
            last = RoutingRule.objects.order_by("-position").values_list("position", flat=True).first()
            position = (last or 0) + 10
        rule.name, rule.team, rule.conditions, rule.segment, rule.active = (
            name,
            team,
            cleaned,
            segment,
            active,
        )
        if position is not None:
            rule.position = position
        rule.save()
    return rule


def delete_rule(rule: RoutingRule) -> None:
    rule.delete()


def _parse_tz(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            "Unknown timezone.", field_errors={"timezone": ["Use an IANA name such as Europe/Paris."]}
        ) from None
    return tz


def save_rep_profile(
    user: User,
    *,
    weight: int,
    capacity: int,
    timezone_name: str = "UTC",
    work_days: list[int] | None = None,
    work_start: time = time(9, 0),
    work_end: time = time(17, 0),
    active: bool = True,
) -> RepProfile:
    errors: dict[str, list[str]] = {}
    if not 1 <= weight <= 100:
        errors["weight"] = ["Between 1 and 100."]
    if not 0 <= capacity <= 100_000:
        errors["capacity"] = ["Between 0 and 100,000."]
    days = sorted({int(d) for d in (work_days if work_days is not None else [1, 2, 3, 4, 5])})
    if any(not 1 <= d <= 7 for d in days):
        errors["work_days"] = ["Days are 1 (Monday) to 7 (Sunday)."]
    if work_end <= work_start:
        errors["work_end"] = ["The working day must end after it starts."]
    if user.effective_role not in DEAL_OWNER_ROLES:
        errors["user"] = ["Only sales users receive leads."]
    if errors:
        raise Invalid("Some settings are not valid.", field_errors=errors)
    tz = _parse_tz(timezone_name)
    with transaction.atomic():
        profile, _ = RepProfile.objects.select_for_update().get_or_create(user=user)
        profile.weight, profile.capacity, profile.timezone, profile.work_days = weight, capacity, tz, days
        profile.work_start, profile.work_end, profile.active = work_start, work_end, active
        profile.save()
        _recompute_due(profile)
    return profile


def add_time_off(profile: RepProfile, *, starts_at: datetime, ends_at: datetime, note: str = "") -> TimeOff:
    if ends_at <= starts_at:
        raise Invalid(
            "Time off must end after it starts.", field_errors={"ends_at": ["Must be after the start."]}
        )
    with transaction.atomic():
        off = TimeOff.objects.create(
            rep=profile, starts_at=starts_at, ends_at=ends_at, note=(note or "").strip()[:200]
        )
        _recompute_due(profile)
    return off


def delete_time_off(off: TimeOff) -> None:
    with transaction.atomic():
        profile = off.rep
        off.delete()
        _recompute_due(profile)


def _recompute_due(profile: RepProfile) -> None:
    """Open leads of the rep whose clocks still run get due times in the changed calendar."""
    leads = list(
        LeadAssignment.objects.filter(owner_id=profile.user_id, status__in=LeadAssignment.ACTIVE).only(
            "pk", "team_id", "assigned_at", "first_touch_due", "verdict_due"
        )
    )
    if not leads:
        return
    since = min(a.assigned_at for a in leads)
    cal = calendars_for([profile.pk], {profile.pk: profile}, since)[profile.pk]
    slas = sla_minutes(a.team_id for a in leads)
    for a in leads:
        a.first_touch_due, a.verdict_due = due_times(cal, a.assigned_at, slas[a.team_id])
    LeadAssignment.objects.bulk_update(leads, ["first_touch_due", "verdict_due"], batch_size=500)


def save_sla_policy(team: Team, *, first_touch_minutes: int, verdict_minutes: int) -> SlaPolicy:
    errors: dict[str, list[str]] = {}
    for name, value in (("first_touch_minutes", first_touch_minutes), ("verdict_minutes", verdict_minutes)):
        if not 1 <= value <= 100_000:
            errors[name] = ["Between 1 minute and 100,000 minutes."]
    if errors:
        raise Invalid("Some SLA settings are not valid.", field_errors=errors)
    with transaction.atomic():
        policy, _ = SlaPolicy.objects.update_or_create(
            team=team,
            defaults={"first_touch_minutes": first_touch_minutes, "verdict_minutes": verdict_minutes},
        )
    return policy
