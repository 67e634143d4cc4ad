"""Request and response bodies of the campaigns API.

Input schemas refuse unknown fields and take their length limits from the models. Money is a
decimal with at most two places, sent as a JSON number or string and returned as a string
(``"1250.00"``) so no client loses cents to floating point.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, PlainSerializer, WithJsonSchema

from accord.campaigns.actions.mentions import MAX_BATCH
from accord.campaigns.models import (
    MAX_DESTINATION_LENGTH,
    BrandMention,
    Campaign,
    CampaignCost,
    Channel,
    CostCategory,
    MentionChannel,
    TrackingLink,
)
from accord.core.api_support import ApiDateTime, CleanStr, Id, PageParams, model_max_length, not_null

Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False)]
# Out: always a string with two decimals, whatever the database's sum returned (SQLite: 12.5).
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{Decimal(value):.2f}", return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["1250.00"]}),
]
CampaignStatus = Campaign.Status


def _len(model: Any, name: str) -> int:
    return model_max_length(model, name)


class _Input(Schema):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


# ------------------------------------------------------------------ campaigns
class CampaignQuery(PageParams):
    q: CleanStr | None = Field(None, max_length=200, description="Search in name and utm_campaign.")
    channel: Channel | None = None
    status: CampaignStatus | None = None
    owner_id: Id | None = None


class CampaignCreate(_Input):
    name: CleanStr = Field(min_length=1, max_length=_len(Campaign, "name"))
    channel: Channel = Field(description="One of the ten marketing channel types.")
    status: CampaignStatus = CampaignStatus.PLANNED
    utm_source: CleanStr = Field("", max_length=_len(Campaign, "utm_source"))
    utm_medium: CleanStr = Field("", max_length=_len(Campaign, "utm_medium"))
    utm_campaign: CleanStr = Field("", max_length=_len(Campaign, "utm_campaign"))
    budget: Money = Decimal("0")
    start_date: date | None = None
    end_date: date | None = None
    owner_id: Id | None = Field(None, description="Default: the API key's user.")
    description: CleanStr = Field("", max_length=5000)


class CampaignUpdate(_Input):
    """Only the fields sent change. ``null`` is refused except for dates and ``owner_id``."""

    name: CleanStr | None = Field(None, min_length=1, max_length=_len(Campaign, "name"))
    channel: Channel | None = None
    status: CampaignStatus | None = None
    utm_source: CleanStr | None = Field(None, max_length=_len(Campaign, "utm_source"))
    utm_medium: CleanStr | None = Field(None, max_length=_len(Campaign, "utm_medium"))
    utm_campaign: CleanStr | None = Field(None, max_length=_len(Campaign, "utm_campaign"))
    budget: Money | None = None
    start_date: date | None = None
    end_date: date | None = None
    owner_id: Id | None = None
    description: CleanStr | None = Field(None, max_length=5000)

    _not_null = not_null(
        "name", "channel", "status", "utm_source", "utm_medium", "utm_campaign", "budget", "description"
    )


class CampaignOut(Schema):
    id: int
    name: str
    channel: str
    status: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    budget: MoneyOut
    spent: MoneyOut = Field(description="Sum of the campaign's cost entries.")
    start_date: date | None
    end_date: date | None
    owner_id: int | None
    description: str
    created_at: datetime
    updated_at: datetime
    url: str = Field(description="The campaign's page in Accord.")

    @staticmethod
    def resolve_url(obj: Campaign, context: dict[str, Any]) -> str:
        return str(context["request"].build_absolute_uri(obj.get_absolute_url()))


# ------------------------------------------------------------------ costs
class CostQuery(PageParams):
    start: date | None = Field(None, description="Costs on or after this date.")
    end: date | None = Field(None, description="Costs on or before this date.")


class CostCreate(_Input):
    date: date
    amount: Money
    category: CostCategory = CostCategory.MEDIA
    note: CleanStr = Field("", max_length=_len(CampaignCost, "note"))


class CostOut(Schema):
    id: int
    campaign_id: int
    date: date
    amount: MoneyOut
    category: str
    note: str
    created_at: datetime


# ------------------------------------------------------------------ tracking links
class LinkCreate(_Input):
    destination: CleanStr = Field(
        min_length=1, max_length=MAX_DESTINATION_LENGTH, description="Absolute http(s) URL."
    )
    label: CleanStr = Field("", max_length=_len(TrackingLink, "label"))
    add_utm: bool = Field(True, description="Append the campaign's utm_source/medium/campaign.")


class LinkOut(Schema):
    id: int
    campaign_id: int
    code: str
    short_url: str = Field(description="The URL to publish: redirects to `destination`.")
    destination: str = Field(description="Stored at creation; the only place the short URL leads.")
    label: str
    clicks: int = Field(description="Clicks recorded.")
    unique_clicks: int = Field(description="Clicks from distinct (hashed) IP addresses.")
    created_at: datetime

    @staticmethod
    def resolve_short_url(obj: TrackingLink, context: dict[str, Any]) -> str:
        return str(context["request"].build_absolute_uri(obj.get_short_path()))

    @staticmethod
    def resolve_clicks(obj: TrackingLink) -> int:
        return int(getattr(obj, "click_total", 0))

    @staticmethod
    def resolve_unique_clicks(obj: TrackingLink) -> int:
        return int(getattr(obj, "unique_total", 0))


# ------------------------------------------------------------------ mentions
class MentionIn(_Input):
    external_id: CleanStr | None = Field(
        None,
        max_length=_len(BrandMention, "external_id"),
        description="Your id of the mention; a mention is stored once per id. Default: derived from the URL.",
    )
    campaign_id: Id | None = None
    campaign: CleanStr | None = Field(None, max_length=200, description="A campaign's utm_campaign or name.")
    channel: MentionChannel
    source: CleanStr = Field(min_length=1, max_length=_len(BrandMention, "source"))
    url: CleanStr | None = Field(None, max_length=MAX_DESTINATION_LENGTH)
    title: CleanStr | None = Field(None, max_length=_len(BrandMention, "title"))
    sentiment: Literal[-1, 0, 1] = 0
    reach: int | None = Field(None, ge=0, le=2**63 - 1)
    occurred_at: ApiDateTime = Field(description="ISO 8601; without a zone, UTC.")


class MentionBatch(_Input):
    mentions: list[MentionIn] = Field(min_length=1, max_length=MAX_BATCH)


class MentionIngestOut(Schema):
    created: int = Field(description="Mentions stored by this request.")
    duplicates: int = Field(description="Mentions known already (same external id), left unchanged.")


class MentionQuery(PageParams):
    campaign_id: Id | None = None
    channel: MentionChannel | None = None
    since: ApiDateTime | None = None
    until: ApiDateTime | None = None


class MentionOut(Schema):
    id: int
    external_id: str
    campaign_id: int | None
    channel: str
    source: str
    url: str
    title: str
    sentiment: int
    reach: int | None
    occurred_at: datetime
    created_at: datetime


class MentionCountQuery(Schema):
    period: Literal["week", "month"] = "week"
    campaign_id: Id | None = None
    start: date | None = None
    end: date | None = None


class MentionCountOut(Schema):
    period: date = Field(description="First day of the week (Monday) or month.")
    count: int
    reach: int
    positive: int
    negative: int
