"""Request and response bodies of the handoff API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from accord.core.api_support import CleanStr, Id, PageParams


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ClockOut(Schema):
    label: str = Field(description="The clock that runs now: `First touch`, `Verdict`, or empty when done.")
    minutes_left: int | None = Field(description="Working minutes left (negative when overdue).")
    state: str = Field(description="`ok`, `soon` (under an hour), `breached` or `done`.")


class LeadOut(Schema):
    id: int
    contact_id: int
    contact_name: str
    contact_email: str
    owner_id: int | None
    owner_name: str
    team_id: int | None
    status: str
    method: str
    rule_id: int | None
    decided_by: str
    assigned_at: datetime
    assigned_by_id: int | None
    source_campaign_id: int | None
    first_touch_due: datetime
    verdict_due: datetime
    first_touch_at: datetime | None
    verdict_at: datetime | None
    reject_reason: str
    reject_note: str
    deal_id: int | None
    sla: ClockOut


class LeadQuery(PageParams):
    status: Literal["new", "accepted", "converted", "rejected", "reassigned"] | None = None
    mine: bool = Field(False, description="Only leads assigned to me.")
    team_id: Id | None = None


class RejectIn(Strict):
    reason: CleanStr = Field(
        description="no_budget, no_authority, no_need, bad_timing, bad_data, "
        "competitor_customer, student, duplicate, not_our_market or other."
    )
    note: CleanStr = Field("", max_length=2000, description="Required when the reason is `other`.")
    outcome: CleanStr = Field("recycled", description="`recycled` (back to nurture) or `disqualified`.")


class BantIn(Strict):
    budget_amount: Decimal | None = Field(None, ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2)
    budget_range: CleanStr | None = Field(None, max_length=100)
    budget_evidence: CleanStr | None = Field(None, max_length=5000)
    authority_role: CleanStr | None = Field(None, max_length=150)
    decision_makers: CleanStr | None = Field(None, max_length=5000)
    need: CleanStr | None = Field(None, max_length=5000)
    timeline: date | None = None


class BantOut(Schema):
    budget_amount: Decimal | None
    budget_range: str
    budget_evidence: str
    authority_role: str
    decision_makers: str
    need: str
    timeline: date | None
    missing: dict[str, list[str]] = Field(description="What a conversion still needs.")


class ConvertIn(Strict):
    deal_owner_id: Id | None = Field(None, description="The AE who owns the deal; default: the rep.")
    deal_name: CleanStr = Field("", max_length=200)


class RouteIn(Strict):
    contact_ids: list[Id] = Field(min_length=1, max_length=10_000)


class RouteOut(Schema):
    assigned: list[int] = Field(description="Ids of the new lead assignments.")
    already_open: list[int]
    not_mql: list[int]
    unrouted: list[int]


class ReassignIn(Strict):
    owner_id: Id
    note: CleanStr = Field("", max_length=150)


class ReasonNoteOut(Schema):
    lead_id: int
    contact: str
    note: str
    by: str
    at: datetime | None


class ReasonOut(Schema):
    code: str
    label: str
    count: int
    notes: list[ReasonNoteOut]


class QualityOut(Schema):
    campaign_id: int
    mqls_routed: int
    accepted: int
    rejected: int
    sqls: int
    acceptance_rate: int | None
    rejected_by_reason: list[ReasonOut]
    won_deals: int
    won_revenue: Decimal
