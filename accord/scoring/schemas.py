"""Request and response bodies of the scoring API. Inputs forbid unknown fields (ADR 0003)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from accord.core.api_support import CleanStr, JsonObject, PageParams, model_max_length, not_null
from accord.scoring.models import MAX_DAYS, MAX_POINTS, EngagementRule, FitRule
from accord.tracking.models import EventType

Points = Annotated[int, Field(ge=-MAX_POINTS, le=MAX_POINTS, description="May be negative; not 0.")]
Days = Annotated[int, Field(ge=1, le=MAX_DAYS)]
FitName = Annotated[CleanStr, Field(min_length=1, max_length=model_max_length(FitRule, "name"))]
EngagementName = Annotated[CleanStr, Field(min_length=1, max_length=model_max_length(EngagementRule, "name"))]
EventName = Annotated[CleanStr, Field(max_length=model_max_length(EngagementRule, "event_name"))]


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- settings
class SettingsOut(Schema):
    mql_threshold: int
    updated_at: datetime


class SettingsPatch(_In):
    mql_threshold: int = Field(ge=1, le=100_000)


# --------------------------------------------------------------------------- fit rules
class FitRuleOut(Schema):
    id: int
    name: str
    condition: dict[str, Any] = Field(description="A segment filter tree over contact and company fields.")
    points: int
    active: bool
    created_at: datetime
    updated_at: datetime


class FitRuleCreate(_In):
    name: FitName
    condition: JsonObject = Field(
        description='A segment filter tree, e.g. {"field": "company.size", "op": "in", "value": ["201-1000"]}.'
    )
    points: Points
    active: bool = True


class FitRuleUpdate(_In):
    name: FitName | None = None
    condition: JsonObject | None = None
    points: Points | None = None
    active: bool | None = None

    _not_null = not_null("name", "condition", "points", "active")


# --------------------------------------------------------------------------- engagement rules
class EngagementRuleOut(Schema):
    id: int
    name: str
    event_type: str
    event_name: str
    property_conditions: list[dict[str, Any]]
    points: int
    cap: int | None
    half_life_days: int
    window_days: int
    active: bool
    created_at: datetime
    updated_at: datetime


class EngagementRuleCreate(_In):
    name: EngagementName
    event_type: EventType
    event_name: EventName = ""
    property_conditions: list[JsonObject] = Field(
        default_factory=list, description='e.g. [{"key": "url", "op": "contains", "value": "/pricing"}]'
    )
    points: Points
    cap: int | None = Field(
        None, ge=1, le=100 * MAX_POINTS, description="The most the rule adds; null: no cap."
    )
    half_life_days: Days = 30
    window_days: Days = 90
    active: bool = True


class EngagementRuleUpdate(_In):
    name: EngagementName | None = None
    event_type: EventType | None = None
    event_name: EventName | None = None
    property_conditions: list[JsonObject] | None = None
    points: Points | None = None
    cap: int | None = Field(None, ge=1, le=100 * MAX_POINTS)
    half_life_days: Days | None = None
    window_days: Days | None = None
    active: bool | None = None

    _not_null = not_null(
        "name",
        "event_type",
        "event_name",
        "property_conditions",
        "points",
        "half_life_days",
        "window_days",
        "active",
    )


class RuleQuery(PageParams):
    active: bool | None = None


# --------------------------------------------------------------------------- scores
class ScoreLineOut(Schema):
    kind: str = Field(description="`fit` or `engagement`.")
    rule_id: int
    rule_name: str
    points: float = Field(description="The rule's contribution now (decayed and capped).")
    text: str = Field(
        description='e.g. "+15 Visited the pricing page 3× in 7 days, decays to +7 by 2026-12-05".'
    )
    occurrences: int
    first_at: datetime | None
    last_at: datetime | None
    cap: int | None
    is_capped: bool
    half_life_days: int | None
    decays_to: int | None
    decays_by: date | None


class StoredScoreOut(Schema):
    total: int
    fit: int
    engagement: float
    computed_at: datetime


class FactorOut(Schema):
    feature: str
    label: str
    value: str
    value_label: str
    raises: bool
    odds_ratio: float
    delta: float = Field(description="Probability with this feature minus without it.")
    text: str


class WinProbabilityOut(Schema):
    probability: float | None
    enough_data: bool
    message: str
    base_rate: float | None
    deal_id: int | None
    model_id: int | None
    trained_at: datetime | None
    factors: list[FactorOut]


class ScoreOut(Schema):
    contact_id: int
    now: datetime = Field(description="The time the lines and the live total are computed at.")
    total: int = Field(description="Sum of the lines, rounded: the score now.")
    fit: int
    engagement: float
    mql_threshold: int
    stored: StoredScoreOut | None = Field(
        description="What segments and the MQL rule read, as of computed_at."
    )
    lines: list[ScoreLineOut]
    win_probability: WinProbabilityOut | None


# --------------------------------------------------------------------------- recompute and the win model
class RecomputeOut(Schema):
    id: int
    status: str
    phase: str
    percent: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    contacts_scored: int
    promoted: int
    error: str


class WinModelOut(Schema):
    id: int
    trained_at: datetime
    algorithm: str
    features: list[str]
    closed_deals: int
    won: int
    lost: int
    enough_data: bool
    metrics: dict[str, Any] = Field(
        description="Held-out calibration: brier, brier_base, log_loss, auc, ece, reliability."
    )
