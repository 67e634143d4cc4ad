"""Write operations on pipelines, deals and activities.

Every stage move of a deal goes through :func:`move_deal` (or :func:`win_deal`, :func:`lose_deal`,
:func:`reopen_deal`) and writes one :class:`DealStageChange`, so time in stage is computed from
history. A move into a won or lost stage is a close and needs its reason (and, when lost, the
competitor); a closed deal does not move (409) until a manager reopens it with a reason. No deal
is created in, moved into or reopened into an archived stage (409 ``stage_archived``); the target
stage's row is locked while the deal moves, so the stage cannot be archived meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accord.catalog.models import Competitor
from accord.contacts import actions as contact_actions
from accord.contacts.models import Company, Contact
from accord.core.errors import Conflict, Invalid, NotFound
from accord.lifecycle.actions import StageChangeError
from accord.lifecycle.stages import LifecycleStage, rank
from accord.sales.activity_kinds import clean_details
from accord.sales.models import (
    Activity,
    Deal,
    DealStageChange,
    OnboardingTaskItem,
    OnboardingTemplate,
    Pipeline,
    PipelineStage,
)

# Sent after commit with activity_id, kind, contact_id, deal_id, owner_id, done (bool). The handoff
# listens to it to stop the first-touch SLA clock when a rep calls or emails a lead.
activity_logged = Signal()
# Sent after commit with deal_id, status ("won"/"lost"), by_id when a deal is closed.
deal_closed = Signal()

DEFAULT_FOLLOW_UP_DAYS = 30
DEAL_FIELDS = (
    "name", "amount", "currency", "expected_close", "owner", "contact", "company", "source_campaign",
    "competitor",
)  # fmt: skip
MAX_REASON = 200
# Kinds that record something that happened (never "planned"), unless given a due date.
RECORD_KINDS = frozenset({"note", "email", "discovery", "objection", "feature_request"})
_STATUS_BY_OUTCOME = {
    PipelineStage.Outcome.WON: Deal.Status.WON,
    PipelineStage.Outcome.LOST: Deal.Status.LOST,
}


# ---------------------------------------------------------------- pipelines
def outcome_stage(pipeline: Pipeline | int, outcome: str) -> PipelineStage:
    """The pipeline's first active stage with ``outcome``."""
    pipeline_id = pipeline if isinstance(pipeline, int) else pipeline.pk
    stages = PipelineStage.objects.filter(pipeline_id=pipeline_id, outcome=outcome, archived_at=None)
    stage = stages.order_by("position").first()
    if stage is None:
        raise Invalid(f"This pipeline has no {outcome} stage.", field_errors={"stage": ["No such stage."]})
    return stage


def _lock_active_stage(stage: PipelineStage, doing: str = "moved into it") -> None:
    """Lock ``stage``'s row for the rest of the transaction (it cannot be archived meanwhile) and
    refuse it when it is archived: no deal is put into an archived stage."""
    locked = PipelineStage.objects.select_for_update().filter(pk=stage.pk)
    rows = list(locked.values_list("archived_at", flat=True))
    if not rows:
        raise NotFound(f"Stage {stage.pk} does not exist.")
    if rows[0] is not None:
        raise _archived(stage, doing)


def _archived(stage: PipelineStage, doing: str) -> Conflict:
    return Conflict(
        f"“{stage.name}” is archived; a deal cannot be {doing}. Pick an active stage.",
        field_errors={"stage": ["This stage is archived; pick an active stage."]},
        code="stage_archived",
    )


# ---------------------------------------------------------------- deals
def _clean_amount(amount: Any) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError) as exc:
        raise Invalid("The amount is not a number.", field_errors={"amount": ["Enter a number."]}) from exc
    if not value.is_finite() or value < 0:
        raise Invalid("A deal amount cannot be negative.", field_errors={"amount": ["Must be zero or more."]})
    if value >= Decimal("1e12"):
        raise Invalid(
            "The amount is too large.", field_errors={"amount": ["Must be below 1,000,000,000,000."]}
        )
    return value.quantize(Decimal("0.01"))


def _clean_deal_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise Invalid("A deal needs a name.", field_errors={"name": ["This field is required."]})
        if len(fields["name"]) > 200:
            raise Invalid("The name is too long.", field_errors={"name": ["At most 200 characters."]})
    if "amount" in fields:
        fields["amount"] = _clean_amount(fields["amount"])
    if "currency" in fields:
        currency = (fields["currency"] or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise Invalid("Unknown currency.", field_errors={"currency": ["Use a 3-letter ISO code."]})
        fields["currency"] = currency
    return fields


def create_deal(
    *,
    name: str,
    pipeline: Pipeline,
    stage: PipelineStage | None = None,
    amount: Decimal | int = 0,
    by: Any = None,
    **fields: Any,
) -> Deal:
    stage = stage or pipeline.stages.filter(archived_at=None).order_by("position").first()
    if stage is None or stage.pipeline_id != pipeline.pk:
        raise Invalid(
            "The stage does not belong to the pipeline.",
            field_errors={"stage": ["Pick a stage of this pipeline."]},
        )
    fields = _clean_deal_fields({"name": name, "amount": amount, **fields})
    status = _STATUS_BY_OUTCOME.get(stage.outcome, Deal.Status.OPEN)  # type: ignore[call-overload]
    now = timezone.now()
    with transaction.atomic():
        _lock_active_stage(stage, "created in it")
        deal = Deal.objects.create(
            pipeline=pipeline, stage=stage, status=status, closed_at=now if status != Deal.Status.OPEN else None,
            **fields,
        )  # fmt: skip
        DealStageChange.objects.create(
            deal=deal, from_stage=None, to_stage=stage, changed_at=now, changed_by=by
        )
    return deal


def update_deal(deal: Deal, *, by: Any = None, **fields: Any) -> Deal:
    """Change plain fields; the stage only changes through :func:`move_deal`."""
    fields = _clean_deal_fields(fields)
    for name, value in fields.items():
        setattr(deal, name, value)
    with transaction.atomic():
        deal.save()
    return deal


def _locked(deal: Deal) -> Deal:
    locked = Deal.objects.select_for_update().filter(pk=deal.pk).first()
    if locked is None:
        raise NotFound(f"Deal {deal.pk} does not exist.")
    return locked


def _refuse_closed(deal: Deal) -> None:
    if deal.status != Deal.Status.OPEN:
        raise Conflict(
            f"This deal is already {deal.get_status_display().lower()}; a manager must reopen it before it "
            "can move.",
            code="deal_closed",
        )


def _record_move(deal: Deal, stage: PipelineStage, *, by: Any, at: datetime, reason: str = "") -> None:
    DealStageChange.objects.create(
        deal=deal, from_stage_id=deal.stage_id, to_stage=stage, changed_at=at, changed_by=by, reason=reason
    )
    deal.stage = stage


def move_deal(
    deal: Deal,
    stage: PipelineStage,
    *,
    by: Any = None,
    reason: str = "",
    competitor: Competitor | None = None,
) -> Deal:
    """Move an open deal to ``stage``; a won or lost stage closes it (see :func:`win_deal`)."""
    if stage.pipeline_id != deal.pipeline_id:
        raise Invalid(
            "The stage belongs to another pipeline.",
            field_errors={"stage": ["Pick a stage of this pipeline."]},
        )
    if stage.is_archived:  # said before a missing close reason; checked again under the lock
        raise _archived(stage, "moved into it")
    if stage.outcome == PipelineStage.Outcome.WON:
        return win_deal(deal, by=by, reason=reason, stage=stage)
    if stage.outcome == PipelineStage.Outcome.LOST:
        return lose_deal(deal, by=by, reason=reason, competitor=competitor, stage=stage)
    with transaction.atomic():
        current = _locked(deal)
        _refuse_closed(current)
        if current.stage_id == stage.pk:
            return current
        _lock_active_stage(stage)
        _record_move(current, stage, by=by, at=timezone.now())
        current.save(update_fields=["stage", "updated_at"])
    _copy(current, deal)
    return deal


def _copy(source: Deal, target: Deal) -> None:
    if source is not target:
        target.__dict__.update({k: v for k, v in source.__dict__.items() if k != "_state"})
        target._state.fields_cache = dict(source._state.fields_cache)


def _clean_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(f"Say why the deal was {what}.", field_errors={"reason": ["A reason is required."]})
    if len(reason) > MAX_REASON:
        raise Invalid(
            "The reason is too long.", field_errors={"reason": [f"At most {MAX_REASON} characters."]}
        )
    return reason


def win_deal(deal: Deal, *, by: Any = None, reason: str, stage: PipelineStage | None = None) -> Deal:
    """Close as won: the contact and company become customers, onboarding tasks and a follow-up
    are created for the owner."""
    reason = _clean_reason(reason, "won")
    stage = stage or outcome_stage(deal.pipeline_id, PipelineStage.Outcome.WON)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(deal)
        _refuse_closed(current)
        _lock_active_stage(stage)
        _record_move(current, stage, by=by, at=now, reason=reason)
        current.status, current.closed_at, current.won_reason = Deal.Status.WON, now, reason
        current.save(update_fields=["stage", "status", "closed_at", "won_reason", "updated_at"])
        _make_customers(current, by=by)
        _create_onboarding_tasks(current, by=by, won_at=now)
        _after_close(current, by)
    _copy(current, deal)
    return deal


def lose_deal(
    deal: Deal,
    *,
    by: Any = None,
    reason: str,
    competitor: Competitor | None,
    stage: PipelineStage | None = None,
) -> Deal:
    reason = _clean_reason(reason, "lost")
    if competitor is None:
        raise Invalid(
            "Name the competitor the deal was lost to.",
            field_errors={"competitor": ["Pick the competitor."]},
        )
    stage = stage or outcome_stage(deal.pipeline_id, PipelineStage.Outcome.LOST)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(deal)
        _refuse_closed(current)
        _lock_active_stage(stage)
        _record_move(current, stage, by=by, at=now, reason=reason)
        current.status, current.closed_at = Deal.Status.LOST, now
        current.lost_reason, current.competitor = reason, competitor
        fields = ["stage", "status", "closed_at", "lost_reason", "competitor", "updated_at"]
        current.save(update_fields=fields)
        _after_close(current, by)
    _copy(current, deal)
    return deal


def _after_close(deal: Deal, by: Any) -> None:
    deal_id, status, by_id = deal.pk, deal.status, getattr(by, "pk", None)
    transaction.on_commit(lambda: deal_closed.send(sender=Deal, deal_id=deal_id, status=status, by_id=by_id))


def reopen_deal(deal: Deal, *, by: Any = None, reason: str, stage: PipelineStage | None = None) -> Deal:
    """Put a closed deal back in an open stage (the last active one it was in, else the pipeline's
    first active open stage, unless ``stage`` is given).

    Who may reopen (managers) is the caller's permission check.
    """
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Say why the deal is reopened.", field_errors={"reason": ["A reason is required."]})
    if len(reason) > MAX_REASON:
        raise Invalid(
            "The reason is too long.", field_errors={"reason": [f"At most {MAX_REASON} characters."]}
        )
    if stage is not None and (
        stage.pipeline_id != deal.pipeline_id or stage.outcome != PipelineStage.Outcome.OPEN
    ):
        raise Invalid(
            "Reopen into an open stage of the pipeline.", field_errors={"stage": ["Pick an open stage."]}
        )
    with transaction.atomic():
        current = _locked(deal)
        if current.status == Deal.Status.OPEN:
            raise Conflict("This deal is open already.", code="deal_open")
        if stage is None:
            last_open = (
                DealStageChange.objects.filter(
                    deal=current, to_stage__outcome=PipelineStage.Outcome.OPEN, to_stage__archived_at=None
                )
                .order_by("-changed_at", "-id")
                .select_related("to_stage")
                .first()
            )
            stage = last_open.to_stage if last_open else None
            stage = stage or (
                current.pipeline.stages.filter(outcome=PipelineStage.Outcome.OPEN, archived_at=None)
                .order_by("position")
                .first()
            )
            if stage is None:
                raise Invalid("This pipeline has no open stage.", field_errors={"stage": ["No open stage."]})
        _lock_active_stage(stage, "reopened into it")
        _record_move(current, stage, by=by, at=timezone.now(), reason=f"Reopened: {reason}")
        current.status, current.closed_at = Deal.Status.OPEN, None
        current.save(update_fields=["stage", "status", "closed_at", "updated_at"])
    _copy(current, deal)
    return deal


def _make_customers(deal: Deal, *, by: Any) -> None:
    """Winning moves the contact and its company forward to customer (never backwards)."""
    target = LifecycleStage.CUSTOMER
    reason = f"Won deal: {deal.name}"
    if deal.contact_id:
        contact = Contact.objects.select_for_update().get(pk=deal.contact_id)
        if rank(contact.lifecycle_stage) < rank(target):
            try:
                contact_actions.set_contact_stage(contact, target, by=by, reason=reason)
            except StageChangeError as exc:
                raise Invalid(str(exc), field_errors={"contact": [str(exc)]}) from exc
    company_id = deal.company_id or (deal.contact.company_id if deal.contact_id and deal.contact else None)
    if company_id:
        company = Company.objects.select_for_update().get(pk=company_id)
        if rank(company.lifecycle_stage) < rank(target):
            _set_company_stage(company, target, by=by)


def _set_company_stage(company: Company, stage: str, *, by: Any) -> None:
    if "lifecycle_stage" in contact_actions.COMPANY_FIELDS:
        contact_actions.update_company(company, by=by, lifecycle_stage=stage)
        return
    # contacts.actions.update_company does not accept lifecycle_stage yet (requested from the
    # contacts owner); until it does, write the one column the same way it would.
    company.lifecycle_stage = stage
    company.save(update_fields=["lifecycle_stage", "updated_at"])


def default_onboarding_template() -> OnboardingTemplate | None:
    return OnboardingTemplate.objects.filter(is_default=True).first() or OnboardingTemplate.objects.first()


def _create_onboarding_tasks(deal: Deal, *, by: Any, won_at: datetime) -> list[Activity]:
    owner_id = deal.owner_id or getattr(by, "pk", None)
    template = default_onboarding_template()
    items = list(template.items.all()) if template else []
    follow_up_days = template.follow_up_days if template else DEFAULT_FOLLOW_UP_DAYS
    plan = [(f"Onboarding: {item.subject}", item.day_offset, "onboarding") for item in items]
    plan.append((f"Post-sale follow-up: {deal.name}"[:200], follow_up_days, "follow_up"))
    rows = [
        Activity(
            kind=Activity.Kind.TASK,
            subject=subject,
            owner_id=owner_id,
            contact_id=deal.contact_id,
            company_id=deal.company_id,
            deal=deal,
            due_at=won_at + timedelta(days=days),
            details={"priority": "normal"},
        )
        for subject, days, _ in plan
    ]
    return Activity.objects.bulk_create(rows)


# ---------------------------------------------------------------- onboarding template
def save_onboarding_template(
    *,
    name: str,
    follow_up_days: int,
    items: Iterable[tuple[str, int]],
    template: OnboardingTemplate | None = None,
) -> OnboardingTemplate:
    """Create or replace the (default) onboarding template and its task items."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["This field is required."]
    if not 0 <= follow_up_days <= 3650:
        errors["follow_up_days"] = ["Must be between 0 and 3650 days."]
    cleaned: list[tuple[str, int]] = []
    for i, (subject, offset) in enumerate(items):
        subject = (subject or "").strip()
        if not subject:
            continue
        if len(subject) > 200 or not 0 <= offset <= 3650:
            errors[f"items.{i}"] = ["A task needs a subject (≤ 200 characters) and 0–3650 days."]
        cleaned.append((subject, offset))
    if errors:
        raise Invalid("The onboarding template is not valid.", field_errors=errors)
    clash = OnboardingTemplate.objects.filter(name=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise Conflict("Another template has this name.", field_errors={"name": ["Already in use."]})
    with transaction.atomic():
        if template is None:
            OnboardingTemplate.objects.filter(is_default=True).update(is_default=False)
            template = OnboardingTemplate.objects.create(
                name=name, follow_up_days=follow_up_days, is_default=True
            )
        else:
            template.name, template.follow_up_days = name, follow_up_days
            template.save()
            template.items.all().delete()
        OnboardingTaskItem.objects.bulk_create(
            OnboardingTaskItem(template=template, subject=s, day_offset=d) for s, d in cleaned
        )
    return template


# ---------------------------------------------------------------- activities
def log_activity(
    *,
    kind: str,
    subject: str,
    owner: Any = None,
    due_at: datetime | None = None,
    done_at: datetime | None = None,
    details: dict[str, Any] | None = None,
    **fields: Any,
) -> Activity:
    if kind not in Activity.Kind.values:
        raise Invalid(f"Unknown activity type {kind!r}.", field_errors={"kind": ["Pick an activity type."]})
    if not (subject or "").strip():
        raise Invalid("An activity needs a subject.", field_errors={"subject": ["This field is required."]})
    if len(subject.strip()) > 200:
        raise Invalid("The subject is too long.", field_errors={"subject": ["At most 200 characters."]})
    clean = clean_details(kind, details)
    if kind in (Activity.Kind.MEETING, Activity.Kind.DEMO):
        clean.setdefault("status", "held" if done_at else "scheduled")
        if clean["status"] in ("held", "no_show") and done_at is None:
            done_at = timezone.now()
    if kind in RECORD_KINDS and due_at is None and done_at is None:
        done_at = timezone.now()  # a note, an email or an objection is logged when it happened
    with transaction.atomic():
        activity = Activity.objects.create(
            kind=kind,
            subject=subject.strip(),
            owner=owner,
            due_at=due_at,
            done_at=done_at,
            details=clean,
            **fields,
        )
    transaction.on_commit(lambda: _announce(activity))
    return activity


def _announce(activity: Activity) -> None:
    activity_logged.send(
        sender=Activity,
        activity_id=activity.pk,
        kind=activity.kind,
        contact_id=activity.contact_id,
        deal_id=activity.deal_id,
        owner_id=activity.owner_id,
        done=activity.done_at is not None,
    )


def complete_activity(activity: Activity, *, by: Any = None, status: str = "") -> Activity:
    """Mark a task (or a planned call/meeting) done; a meeting or demo may be marked held or no-show."""
    with transaction.atomic():
        current = Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if current is None:
            raise NotFound(f"Activity {activity.pk} does not exist.")
        if current.done_at is not None:
            raise Conflict("This activity is done already.", code="already_done")
        if current.kind in (Activity.Kind.MEETING, Activity.Kind.DEMO):
            current.details = {**current.details, **clean_details(current.kind, {"status": status or "held"})}
        elif status:
            raise Invalid("Only meetings and demos have a status.", field_errors={"status": ["Not allowed."]})
        current.done_at = timezone.now()
        current.save(update_fields=["done_at", "details", "updated_at"])
    transaction.on_commit(lambda: _announce(current))
    activity.done_at, activity.details = current.done_at, current.details
    return activity


def send_due_reminders(now: datetime | None = None, *, batch: int = 500) -> int:
    """Tell each owner once about their tasks that are now due; returns how many were claimed."""
    from accord.accounts.notifications import notify

    now = now or timezone.now()
    sent = 0
    due = (
        Activity.objects.filter(kind=Activity.Kind.TASK, done_at=None, reminded_at=None, due_at__lte=now)
        .exclude(owner=None)
        .select_related("owner", "deal")
        .order_by("due_at", "id")
    )
    with transaction.atomic():
        tasks = list(due.select_for_update(skip_locked=True, of=("self",))[:batch])
        for task in tasks:
            url = task.deal.get_absolute_url() if task.deal_id and task.deal else task.get_absolute_url()
            if task.owner is None:
                continue
            notify(
                [task.owner],
                kind="task_due",
                title=f"Task due: {task.subject}",
                body=f"Your task “{task.subject}” was due {task.due_at:%b %-d, %Y %H:%M} UTC.",
                url=url if url != "#" else "",
                key=f"task_due:{task.pk}",
            )
            sent += 1
        Activity.objects.filter(pk__in=[t.pk for t in tasks]).update(reminded_at=now)
    return sent
