"""Request and response bodies of the sales API (``/api/sales``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints

from accord.core.api_support import (
    ApiDateTime,
    CleanStr,
    Id,
    JsonObject,
    PageParams,
    model_max_length,
    not_null,
)
from accord.sales.models import Activity, Pipeline, PipelineStage
from accord.sales.pipeline_actions import MAX_ROTTING_DAYS, MAX_STAGES

KINDS = tuple(Activity.Kind.values)
Amount = Decimal
Outcome = Literal["open", "won", "lost"]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), AfterValidator(str.upper)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class StageOut(Schema):
    id: int
    name: str
    position: int = Field(
        description="0-based; the active stages come first in board order, then the archived ones."
    )
    probability: int
    outcome: str
    rotting_days: int | None
    archived_at: datetime | None = Field(
        description="When the stage was archived: it is off the board and no deal can enter it, but "
        "deals' stage history still refers to it. null: active."
    )


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[StageOut]


class PipelineCreate(_Input):
    name: CleanStr = Field(max_length=model_max_length(Pipeline, "name"))
    is_default: bool = Field(
        False, description="Make it the default pipeline (the first pipeline always is)."
    )


class PipelineUpdate(_Input):
    """Only the fields sent change."""

    name: CleanStr | None = Field(None, max_length=model_max_length(Pipeline, "name"))
    is_default: bool | None = Field(
        None,
        description="true makes it the default (the previous default stops being it); false is refused: "
        "make another pipeline the default instead.",
    )

    _not_null = not_null("name", "is_default")


class StageCreate(_Input):
    name: CleanStr = Field(max_length=model_max_length(PipelineStage, "name"))
    probability: int = Field(ge=0, le=100, description="Win probability in percent.")
    outcome: Outcome = Field("open", description="won/lost stages close the deals moved into them.")
    rotting_days: int | None = Field(
        None,
        ge=0,
        le=MAX_ROTTING_DAYS,
        description="Days without activity before a deal is flagged; null: never.",
    )
    position: int | None = Field(
        None,
        ge=0,
        le=MAX_STAGES,
        description="0-based place among the active stages. Default: an open stage goes before the first "
        "won/lost stage, a won/lost stage goes last.",
    )


class StageUpdate(_Input):
    """Only the fields sent change; ``rotting_days: null`` turns rotting off."""

    name: CleanStr | None = Field(None, max_length=model_max_length(PipelineStage, "name"))
    probability: int | None = Field(None, ge=0, le=100)
    outcome: Outcome | None = Field(None, description="Refused (409) while deals are in the stage.")
    rotting_days: int | None = Field(None, ge=0, le=MAX_ROTTING_DAYS)

    _not_null = not_null("name", "probability", "outcome")


class StageOrderIn(_Input):
    stage_ids: list[Id] = Field(
        min_length=1,
        max_length=MAX_STAGES,
        description="Every active stage id of the pipeline, once, in the new order (archived stages stay "
        "after them).",
    )


class DealQuery(PageParams):
    pipeline: Id | None = None
    stage: Id | None = None
    status: Literal["open", "won", "lost"] | None = None
    owner: Id | None = None
    mine: bool = False
    q: CleanStr = Field("", max_length=100, description="Search in deal name, company name, contact email.")
    sort: str = Field(
        "-created",
        description="name, amount, expected_close, stage, owner, created, status; '-' for descending.",
    )


class DealOut(Schema):
    id: int
    name: str
    pipeline_id: int
    stage_id: int
    status: str
    amount: Decimal
    currency: str
    expected_close: date | None
    closed_at: datetime | None
    owner_id: int | None
    contact_id: int | None
    company_id: int | None
    competitor_id: int | None
    won_reason: str
    lost_reason: str
    created_at: datetime
    updated_at: datetime


class DealCreate(_Input):
    name: CleanStr = Field(max_length=200)
    pipeline: Id | None = Field(None, description="Default: the default pipeline.")
    stage: Id | None = Field(
        None, description="An open, active stage of the pipeline; default: its first active stage."
    )
    amount: Amount = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    currency: CleanStr = Field("USD", min_length=3, max_length=3)
    expected_close: date | None = None
    owner: Id | None = Field(None, description="Default: the caller.")
    contact: Id | None = None
    company: Id | None = Field(None, description="Default: the contact's company.")
    competitor: Id | None = None


class DealUpdate(_Input):
    """Only the fields sent change. ``stage`` cannot change here: use ``/move``."""

    name: CleanStr | None = Field(None, max_length=200)
    amount: Amount | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: CleanStr | None = Field(None, min_length=3, max_length=3)
    expected_close: date | None = None
    owner: Id | None = None
    contact: Id | None = None
    company: Id | None = None
    competitor: Id | None = None

    _not_null = not_null("name", "amount", "currency")


class MoveIn(_Input):
    stage: Id
    reason: CleanStr = Field("", max_length=200, description="Required when the stage closes the deal.")
    competitor: Id | None = Field(None, description="Required when the stage is a lost stage.")


class WinIn(_Input):
    reason: CleanStr = Field(max_length=200)


class LoseIn(_Input):
    reason: CleanStr = Field(max_length=200)
    competitor: Id | None = None


class ReopenIn(_Input):
    reason: CleanStr = Field(max_length=200)
    stage: Id | None = Field(None, description="An open stage; default: the last open stage the deal was in.")


class StageChangeOut(Schema):
    id: int
    from_stage_id: int | None
    to_stage_id: int
    changed_at: datetime
    changed_by_id: int | None
    reason: str
    seconds_in_stage: int | None = Field(
        description="Until the next move (or now, for an open deal's stage)."
    )


class ActivityQuery(PageParams):
    kind: Literal[KINDS] | None = None  # type: ignore[valid-type]
    owner: Id | None = None
    mine: bool = False
    deal: Id | None = None
    contact: Id | None = None
    state: Literal["open", "overdue", "upcoming", "done"] | None = None


class ActivityCreate(_Input):
    kind: Literal[KINDS]  # type: ignore[valid-type]
    subject: CleanStr = Field(max_length=200)
    body: CleanStr = Field("", max_length=20_000)
    due_at: ApiDateTime | None = Field(
        None, description="Due date of a task; scheduled time of a meeting or demo."
    )
    done: bool = False
    details: JsonObject = Field(
        default_factory=dict,
        description="Kind-specific fields: call {outcome, duration_minutes, direction}; meeting/demo {status, "
        "duration_minutes, location, attendees}; task {priority}; discovery {pain_points, goals, budget, "
        "authority, need, timeline}; objection {category (required), handled, competitor}; feature_request "
        "{theme (required)}.",
    )
    deal: Id | None = None
    contact: Id | None = None
    owner: Id | None = Field(None, description="Default: the caller.")


class CompleteIn(_Input):
    status: Literal["held", "no_show"] | None = Field(None, description="Meetings and demos only.")


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    due_at: datetime | None
    done_at: datetime | None
    owner_id: int | None
    contact_id: int | None
    company_id: int | None
    deal_id: int | None
    details: dict[str, object]
    created_at: datetime


class ForecastQuery(_Input):
    pipeline: Id | None = None
    owner: Id | None = None


class ForecastMonthOut(Schema):
    """Open deals in one currency expected to close in one month (amounts are never summed across
    currencies: a month with deals in two currencies is two rows)."""

    month: date
    currency: str
    count: int = Field(description="Open deals in this month and currency.")
    amount: Decimal
    weighted: Decimal


class PipelineSummaryQuery(_Input):
    owner_id: Id | None = Field(None, description="Only this user's deals (422 for an unknown user).")
    currency: CurrencyCode | None = Field(
        None, description="Only deals in this currency: a three-letter ISO code such as EUR (any case)."
    )


class CurrencyAmountsOut(Schema):
    currency: str
    deal_count: int
    amount: Decimal = Field(description="Σ amount of these deals.")
    weighted: Decimal = Field(description="Σ amount × stage probability ÷ 100, rounded to cents.")


class StageSummaryOut(Schema):
    id: int
    name: str
    outcome: str
    probability: int
    rotting_days: int | None
    deal_count: int = Field(description="Every deal in the stage (a won/lost stage holds closed deals).")
    rotting_count: int = Field(
        description="Open deals without a touch (activity, stage change, creation) for over rotting_days."
    )
    by_currency: list[CurrencyAmountsOut] = Field(
        description="Amounts per currency, by code; amounts in different currencies are never added up."
    )


class PipelineTotalsOut(Schema):
    open_deal_count: int
    by_currency: list[CurrencyAmountsOut] = Field(
        description="The open deals per currency: amount and weighted forecast."
    )


class PipelineSummaryOut(Schema):
    id: int
    name: str
    stages: list[StageSummaryOut] = Field(
        description="The active stages in board order; archived ones are left out."
    )
    totals: PipelineTotalsOut
