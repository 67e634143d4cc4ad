"""One typed tuple per table the generator streams into.

Field names are the models' attribute names (``owner_id``, not ``owner``); the writer checks
them against the models when it starts, so a renamed column fails loudly instead of silently.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple


class CompanyRow(NamedTuple):
    id: int
    name: str
    domain: str
    industry: str
    size: str
    revenue_band: str
    country: str
    lifecycle_stage: str
    owner_id: int | None
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ContactRow(NamedTuple):
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str
    title: str
    company_id: int | None
    owner_id: int | None
    lifecycle_stage: str
    country: str
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class TouchpointRow(NamedTuple):
    id: int
    message_id: str
    type: str
    name: str
    contact_id: int
    anonymous_id: str
    campaign_id: int | None
    properties: dict[str, Any]
    context: dict[str, Any]
    occurred_at: datetime
    received_at: datetime


class StageChangeRow(NamedTuple):
    id: int
    contact_id: int
    from_stage: str
    to_stage: str
    changed_at: datetime
    changed_by_id: int | None
    rule: str
    reason: str


class DealRow(NamedTuple):
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
    source_campaign_id: int | None
    lost_reason: str
    created_at: datetime
    updated_at: datetime


class ActivityRow(NamedTuple):
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
    details: dict[str, Any]
    created_at: datetime
    updated_at: datetime
