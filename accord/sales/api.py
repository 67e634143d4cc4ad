"""REST endpoints for pipelines, deals and activities, mounted under ``/api/sales``.

Each endpoint validates input, checks permission through ``accounts.permissions`` and calls one action.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from accord.accounts.api_auth import api_user
from accord.accounts.models import User
from accord.accounts.permissions import ALL, Action, Resource, check, grant
from accord.catalog.models import Competitor
from accord.contacts.models import Company, Contact
from accord.core.api_support import Page, error_responses, paginate
from accord.core.errors import Forbidden, Invalid, NotFound
from accord.sales import actions, pipeline_actions, queries
from accord.sales.models import Activity, Deal, Pipeline, PipelineStage
from accord.sales.schemas import (
    ActivityCreate,
    ActivityOut,
    ActivityQuery,
    CompleteIn,
    DealCreate,
    DealOut,
    DealQuery,
    DealUpdate,
    ForecastMonthOut,
    ForecastQuery,
    LoseIn,
    MoveIn,
    PipelineCreate,
    PipelineOut,
    PipelineSummaryOut,
    PipelineSummaryQuery,
    PipelineUpdate,
    ReopenIn,
    StageChangeOut,
    StageCreate,
    StageOrderIn,
    StageOut,
    StageUpdate,
    WinIn,
)

router = Router(tags=["Sales"])

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
DELETE_ERRORS = error_responses(401, 403, 404, 409)
STATE_ERRORS = DELETE_ERRORS  # archive, restore: no body; a refusal is a 409


def _get(model: Any, pk: int | None, field: str, label: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Invalid(
            f"{label} {pk} does not exist.", field_errors={field: [f"No {label.lower()} with this id."]}
        )
    return obj


def _deal(deal_id: int) -> Deal:
    deal = Deal.objects.select_related("stage").filter(pk=deal_id).first()
    if deal is None:
        raise NotFound(f"Deal {deal_id} does not exist.")
    return deal


def _relations(data: dict[str, Any]) -> dict[str, Any]:
    """Replace ids sent for related records by the records (422 for unknown ids)."""
    out = dict(data)
    for field, model, label in (
        ("owner", User, "User"), ("contact", Contact, "Contact"), ("company", Company, "Company"),
        ("competitor", Competitor, "Competitor"),
    ):  # fmt: skip
        if field in out:
            out[field] = _get(model, out[field], field, label)
    return out


# ---------------------------------------------------------------- pipelines
@router.get("/pipelines", response={200: list[PipelineOut], **error_responses(401, 403)})
def list_pipelines(request: HttpRequest) -> Any:
    """Every pipeline with its stages in order: the active ones (the board's columns), then the
    archived ones (``archived_at`` set; kept because deals' history refers to them)."""
    check(api_user(request), Action.VIEW, Resource.DEAL)
    stages = Prefetch("stages", queryset=PipelineStage.objects.order_by("position"))
    return [
        {**{"id": p.pk, "name": p.name, "is_default": p.is_default}, "stages": list(p.stages.all())}
        for p in Pipeline.objects.prefetch_related(stages)
    ]


def _pipeline(pipeline_id: int) -> Pipeline:
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(f"Pipeline {pipeline_id} does not exist.")
    return pipeline


def _stage(pipeline: Pipeline, stage_id: int) -> PipelineStage:
    stage = PipelineStage.objects.filter(pk=stage_id, pipeline=pipeline).select_related("pipeline").first()
    if stage is None:
        raise NotFound(f"Pipeline {pipeline.pk} has no stage {stage_id}.")
    return stage


def _pipeline_out(pipeline: Pipeline) -> dict[str, Any]:
    stages = list(pipeline.stages.order_by("position"))
    return {"id": pipeline.pk, "name": pipeline.name, "is_default": pipeline.is_default, "stages": stages}


def _amounts_out(rows: list[queries.Amounts]) -> list[dict[str, Any]]:
    return [
        {"currency": r.currency, "deal_count": r.count, "amount": r.amount, "weighted": r.weighted}
        for r in rows
    ]


@router.get(
    "/pipelines/{int:pipeline_id}/summary",
    response={200: PipelineSummaryOut, **error_responses(401, 403, 404, 422)},
)
def pipeline_summary(
    request: HttpRequest, pipeline_id: int, query: Query[PipelineSummaryQuery]
) -> dict[str, Any]:
    """The board's numbers without its cards: per active stage in board order, the deal count, the
    amounts and weighted amounts per currency and the rotting deals; then the open deals' totals.
    Same deals, filters and figures as the board page."""
    check(api_user(request), Action.VIEW, Resource.DEAL)
    pipeline = _pipeline(pipeline_id)
    _get(User, query.owner_id, "owner_id", "User")
    deals = queries.board_deals(pipeline, owner=query.owner_id, currency=query.currency or "")
    summary = queries.pipeline_summary(pipeline, deals, timezone.now())
    stages = [
        {
            "id": s.stage.pk,
            "name": s.stage.name,
            "outcome": s.stage.outcome,
            "probability": s.stage.probability,
            "rotting_days": s.stage.rotting_days,
            "deal_count": s.count,
            "rotting_count": s.rotting,
            "by_currency": _amounts_out(s.by_currency),
        }
        for s in summary.stages
    ]
    return {
        "id": pipeline.pk,
        "name": pipeline.name,
        "stages": stages,
        "totals": {
            "open_deal_count": summary.open_count,
            "by_currency": _amounts_out(summary.open_by_currency),
        },
    }


@router.post("/pipelines", response={201: PipelineOut, **WRITE_ERRORS})
def create_pipeline(request: HttpRequest, payload: PipelineCreate) -> Status[dict[str, Any]]:
    """Sales managers: a new pipeline starting with the default pipeline's stages (or the standard
    ones). 409 ``duplicate_name`` when the name is taken."""
    check(api_user(request), Action.ADD, Resource.PIPELINE)
    pipeline = pipeline_actions.create_pipeline(payload.name, is_default=payload.is_default)
    return Status(201, _pipeline_out(pipeline))


@router.patch("/pipelines/{int:pipeline_id}", response={200: PipelineOut, **WRITE_ERRORS})
def update_pipeline(request: HttpRequest, pipeline_id: int, payload: PipelineUpdate) -> dict[str, Any]:
    """Rename, or make the default pipeline."""
    check(api_user(request), Action.CHANGE, Resource.PIPELINE)
    pipeline = _pipeline(pipeline_id)
    return _pipeline_out(pipeline_actions.update_pipeline(pipeline, **payload.model_dump(exclude_unset=True)))


@router.delete("/pipelines/{int:pipeline_id}", response={204: None, **DELETE_ERRORS})
def delete_pipeline(request: HttpRequest, pipeline_id: int) -> Status[None]:
    """409 ``pipeline_has_deals``, ``only_pipeline`` or ``default_pipeline`` when it cannot go."""
    check(api_user(request), Action.DELETE, Resource.PIPELINE)
    pipeline_actions.delete_pipeline(_pipeline(pipeline_id))
    return Status(204, None)


@router.post("/pipelines/{int:pipeline_id}/stages", response={201: StageOut, **WRITE_ERRORS})
def create_stage(request: HttpRequest, pipeline_id: int, payload: StageCreate) -> Status[PipelineStage]:
    check(api_user(request), Action.CHANGE, Resource.PIPELINE)
    pipeline = _pipeline(pipeline_id)
    return Status(201, pipeline_actions.add_stage(pipeline, **payload.model_dump()))


@router.post("/pipelines/{int:pipeline_id}/stages/order", response={200: PipelineOut, **WRITE_ERRORS})
def order_stages(request: HttpRequest, pipeline_id: int, payload: StageOrderIn) -> dict[str, Any]:
    """Put the stages in this order; ``stage_ids`` names each stage of the pipeline exactly once."""
    check(api_user(request), Action.CHANGE, Resource.PIPELINE)
    pipeline = _pipeline(pipeline_id)
    pipeline_actions.reorder_stages(pipeline, payload.stage_ids)
    return _pipeline_out(pipeline)


@router.patch("/pipelines/{int:pipeline_id}/stages/{int:stage_id}", response={200: StageOut, **WRITE_ERRORS})
def update_stage(
    request: HttpRequest, pipeline_id: int, stage_id: int, payload: StageUpdate
) -> PipelineStage:
    """409 ``stage_has_deals`` for an outcome change while deals are in the stage, and
    ``pipeline_needs_outcomes`` when it would leave no open, won or lost stage."""
    check(api_user(request), Action.CHANGE, Resource.PIPELINE)
    stage = _stage(_pipeline(pipeline_id), stage_id)
    return pipeline_actions.update_stage(stage, **payload.model_dump(exclude_unset=True))


@router.post(
    "/pipelines/{int:pipeline_id}/stages/{int:stage_id}/archive", response={200: StageOut, **STATE_ERRORS}
)
def archive_stage(request: HttpRequest, pipeline_id: int, stage_id: int) -> PipelineStage:
    """Retire a stage: it leaves the board and the stage pickers, deals' history keeps it. 409
    ``stage_has_deals`` while deals (open or closed) are in it, ``pipeline_needs_outcomes`` when it
    would leave no active open, won or lost stage. Archiving an archived stage changes nothing."""
    check(api_user(request), Action.CHANGE, Resource.PIPELINE)
    return pipeline_actions.archive_stage(_stage(_pipeline(pipeline_id), stage_id))


@router.post(
    "/pipelines/{int:pipeline_id}/stages/{int:stage_id}/restore", response={200: StageOut, **STATE_ERRORS}
)
def restore_stage(request: HttpRequest, pipeline_id: int, stage_id: int) -> PipelineStage:
    """Bring an archived stage back: an open stage goes before the first won/lost stage, a won/lost
    stage last. 409 ``too_many_stages`` at the active-stage limit. Restoring an active stage changes
    nothing."""
    check(api_user(request), Action.CHANGE, Resource.PIPELINE)
    return pipeline_actions.restore_stage(_stage(_pipeline(pipeline_id), stage_id))


@router.delete("/pipelines/{int:pipeline_id}/stages/{int:stage_id}", response={204: None, **DELETE_ERRORS})
def delete_stage(request: HttpRequest, pipeline_id: int, stage_id: int) -> Status[None]:
    """409 ``stage_has_deals``, ``stage_has_history`` (archive it instead) or ``pipeline_needs_outcomes``
    when it cannot go."""
    check(api_user(request), Action.DELETE, Resource.PIPELINE)
    pipeline_actions.delete_stage(_stage(_pipeline(pipeline_id), stage_id))
    return Status(204, None)


# ---------------------------------------------------------------- deals
@router.get("/deals", response={200: Page[DealOut], **error_responses(401, 403, 422)})
def list_deals(request: HttpRequest, query: Query[DealQuery]) -> dict[str, Any]:
    user = api_user(request)
    check(user, Action.VIEW, Resource.DEAL)
    deals = queries.filter_deals(
        Deal.objects.all(), user=user, pipeline=query.pipeline, owner=query.owner, mine=query.mine,
        status=query.status or "", stage=query.stage, q=query.q,
    )  # fmt: skip
    key = query.sort.lstrip("-")
    if key not in queries.SORTS:
        raise Invalid("Unknown sort.", field_errors={"sort": [f"Use one of: {', '.join(queries.SORTS)}."]})
    deals, _ = queries.sort_deals(deals, query.sort)
    return paginate(request, deals, query)


@router.post("/deals", response={201: DealOut, **WRITE_ERRORS})
def create_deal(request: HttpRequest, payload: DealCreate) -> Status[Deal]:
    user = api_user(request)
    check(user, Action.ADD, Resource.DEAL)
    data = payload.model_dump()
    pipeline_id, stage_id = data.pop("pipeline"), data.pop("stage")
    pipeline = (
        _get(Pipeline, pipeline_id, "pipeline", "Pipeline")
        if pipeline_id
        else Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    )
    if pipeline is None:
        raise Invalid("There is no pipeline yet.", field_errors={"pipeline": ["Create a pipeline first."]})
    stage = _get(PipelineStage, stage_id, "stage", "Stage")  # an archived one: 409 from the action
    if stage is not None and stage.outcome != PipelineStage.Outcome.OPEN:
        raise Invalid("A new deal starts in an open stage.", field_errors={"stage": ["Pick an open stage."]})
    fields = _relations(data)
    fields["owner"] = fields["owner"] or user
    if fields["company"] is None and fields["contact"] is not None and fields["contact"].company_id:
        fields["company"] = fields["contact"].company
    deal = actions.create_deal(pipeline=pipeline, stage=stage, by=user, **fields)
    return Status(201, deal)


@router.get("/deals/{int:deal_id}", response={200: DealOut, **READ_ERRORS})
def get_deal(request: HttpRequest, deal_id: int) -> Deal:
    deal = _deal(deal_id)
    check(api_user(request), Action.VIEW, Resource.DEAL, deal)
    return deal


@router.patch("/deals/{int:deal_id}", response={200: DealOut, **WRITE_ERRORS})
def update_deal(request: HttpRequest, deal_id: int, payload: DealUpdate) -> Deal:
    user = api_user(request)
    deal = _deal(deal_id)
    check(user, Action.CHANGE, Resource.DEAL, deal)
    return actions.update_deal(deal, by=user, **_relations(payload.model_dump(exclude_unset=True)))


@router.post("/deals/{int:deal_id}/move", response={200: DealOut, **WRITE_ERRORS})
def move_deal(request: HttpRequest, deal_id: int, payload: MoveIn) -> Deal:
    """Move to a stage; a won/lost stage closes the deal (reason required; competitor when lost). 409
    ``stage_archived`` for an archived stage."""
    user = api_user(request)
    deal = _deal(deal_id)
    check(user, Action.CHANGE, Resource.DEAL, deal)
    stage = _get(PipelineStage, payload.stage, "stage", "Stage")
    competitor = _get(Competitor, payload.competitor, "competitor", "Competitor")
    return actions.move_deal(deal, stage, by=user, reason=payload.reason, competitor=competitor)


@router.post("/deals/{int:deal_id}/win", response={200: DealOut, **WRITE_ERRORS})
def win_deal(request: HttpRequest, deal_id: int, payload: WinIn) -> Deal:
    user = api_user(request)
    deal = _deal(deal_id)
    check(user, Action.CHANGE, Resource.DEAL, deal)
    return actions.win_deal(deal, by=user, reason=payload.reason)


@router.post("/deals/{int:deal_id}/lose", response={200: DealOut, **WRITE_ERRORS})
def lose_deal(request: HttpRequest, deal_id: int, payload: LoseIn) -> Deal:
    user = api_user(request)
    deal = _deal(deal_id)
    check(user, Action.CHANGE, Resource.DEAL, deal)
    competitor = _get(Competitor, payload.competitor, "competitor", "Competitor")
    return actions.lose_deal(deal, by=user, reason=payload.reason, competitor=competitor)


@router.post("/deals/{int:deal_id}/reopen", response={200: DealOut, **WRITE_ERRORS})
def reopen_deal(request: HttpRequest, deal_id: int, payload: ReopenIn) -> Deal:
    """Managers only: put a closed deal back into an open stage, with a reason."""
    user = api_user(request)
    deal = _deal(deal_id)
    check(user, Action.VIEW, Resource.DEAL, deal)
    if grant(user, Action.CHANGE, Resource.DEAL) != ALL:
        raise Forbidden("Only a manager can reopen a closed deal.")
    stage = _get(PipelineStage, payload.stage, "stage", "Stage")
    return actions.reopen_deal(deal, by=user, reason=payload.reason, stage=stage)


@router.get("/deals/{int:deal_id}/history", response={200: list[StageChangeOut], **READ_ERRORS})
def deal_history(request: HttpRequest, deal_id: int) -> list[dict[str, Any]]:
    """Every stage move with the time spent in the stage it entered."""
    deal = _deal(deal_id)
    check(api_user(request), Action.VIEW, Resource.DEAL, deal)
    return [
        {
            "id": row.change.pk,
            "from_stage_id": row.change.from_stage_id,
            "to_stage_id": row.change.to_stage_id,
            "changed_at": row.change.changed_at,
            "changed_by_id": row.change.changed_by_id,
            "reason": row.change.reason,
            "seconds_in_stage": int(row.duration.total_seconds()) if row.duration is not None else None,
        }  # fmt: skip
        for row in queries.stage_history(deal, timezone.now())
    ]


@router.get("/forecast", response={200: list[ForecastMonthOut], **error_responses(401, 403, 422)})
def forecast(request: HttpRequest, query: Query[ForecastQuery]) -> list[queries.ForecastMonth]:
    """Open deals by expected-close month: total amount and Σ amount × stage probability."""
    check(api_user(request), Action.VIEW, Resource.DEAL)
    deals = queries.filter_deals(Deal.objects.all(), pipeline=query.pipeline, owner=query.owner)
    return queries.forecast_by_month(deals)


# ---------------------------------------------------------------- activities
@router.get("/activities", response={200: Page[ActivityOut], **error_responses(401, 403, 422)})
def list_activities(request: HttpRequest, query: Query[ActivityQuery]) -> dict[str, Any]:
    user = api_user(request)
    check(user, Action.VIEW, Resource.ACTIVITY)
    qs = Activity.objects.all()
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.mine:
        qs = qs.filter(owner=user)
    elif query.owner:
        qs = qs.filter(owner_id=query.owner)
    if query.deal:
        qs = qs.filter(deal_id=query.deal)
    if query.contact:
        qs = qs.filter(contact_id=query.contact)
    now = timezone.now()
    if query.state == "open":
        qs = qs.filter(done_at=None)
    elif query.state == "overdue":
        qs = qs.filter(done_at=None, due_at__lt=now)
    elif query.state == "upcoming":
        qs = qs.filter(done_at=None, due_at__gte=now)
    elif query.state == "done":
        qs = qs.exclude(done_at=None)
    return paginate(request, qs.order_by("-created_at", "-id"), query)


@router.post("/activities", response={201: ActivityOut, **WRITE_ERRORS})
def create_activity(request: HttpRequest, payload: ActivityCreate) -> Status[Activity]:
    """Log an activity; ``details`` are validated against the kind's schema (422 field by field)."""
    user = api_user(request)
    check(user, Action.ADD, Resource.ACTIVITY)
    if payload.kind == Activity.Kind.TASK and payload.due_at is None and not payload.done:
        raise Invalid("A task needs a due date.", field_errors={"due_at": ["This field is required."]})
    deal = _get(Deal, payload.deal, "deal", "Deal")
    contact = _get(Contact, payload.contact, "contact", "Contact")
    owner = _get(User, payload.owner, "owner", "User") or user
    if owner.pk != user.pk and grant(user, Action.CHANGE, Resource.ACTIVITY) != ALL:
        raise Forbidden("You may only log activities as yourself.")
    contact = contact or (deal.contact if deal else None)
    company_id = deal.company_id if deal else (contact.company_id if contact else None)
    activity = actions.log_activity(
        kind=payload.kind, subject=payload.subject, body=payload.body, owner=owner, due_at=payload.due_at,
        done_at=timezone.now() if payload.done else None, details=payload.details, deal=deal, contact=contact,
        company_id=company_id,
    )  # fmt: skip
    return Status(201, activity)


@router.post("/activities/{int:activity_id}/complete", response={200: ActivityOut, **WRITE_ERRORS})
def complete_activity(request: HttpRequest, activity_id: int, payload: CompleteIn) -> Activity:
    user = api_user(request)
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(f"Activity {activity_id} does not exist.")
    check(user, Action.CHANGE, Resource.ACTIVITY, activity)
    return actions.complete_activity(activity, by=user, status=payload.status or "")
