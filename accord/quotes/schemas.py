"""Request and response bodies of the quotes API. Amounts and percentages are decimal strings in responses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from accord.core.api_support import ApiDateTime, CleanStr, Id, PageParams, not_null

Status = Literal["draft", "pending_approval", "approved", "sent", "accepted", "declined"]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class QuoteQuery(PageParams):
    mine: bool = Field(False, description="Only quotes I own.")
    status: Status | None = None
    deal_id: Id | None = None


class QuoteCreate(_Input):
    deal_id: Id
    title: CleanStr = Field("", max_length=200, description="Default: “Quote for <deal>”.")
    price_list_id: Id | None = Field(None, description="Prices come from this list; else list prices.")
    valid_until: date | None = None
    terms: CleanStr = Field("", max_length=5000)


class QuoteUpdate(_Input):
    title: CleanStr | None = Field(None, max_length=200)
    valid_until: date | None = None
    terms: CleanStr | None = Field(None, max_length=5000)

    _not_null = not_null("title", "terms")


class LineCreate(_Input):
    product_id: Id
    quantity: Decimal = Field(description="More than 0, at most two decimals.")
    discount_percent: Decimal = Field(Decimal(0), description="0–100, at most two decimals.")
    description: CleanStr = Field("", max_length=300)


class LineUpdate(_Input):
    quantity: Decimal | None = None
    discount_percent: Decimal | None = None
    description: CleanStr | None = Field(None, max_length=300)

    _not_null = not_null("quantity", "discount_percent", "description")


class NoteIn(_Input):
    note: CleanStr = Field("", max_length=2000)


class CommentIn(_Input):
    comment: CleanStr = Field("", max_length=2000, description="Required to deny.")


class NegotiationIn(_Input):
    note: CleanStr = Field(max_length=5000)
    counter_offer: Decimal | None = Field(None, description="The customer's counter-offer (a total).")
    at: ApiDateTime | None = Field(None, description="When it happened; default now.")


class AcceptIn(_Input):
    set_deal_amount: bool = Field(False, description="Also set the deal's amount to this quote's total.")


class DeclineIn(_Input):
    reason: CleanStr = Field("", max_length=500)


class SettingsIO(_Input):
    discount_threshold: Decimal = Field(description="Line discounts above this percentage need approval.")


class SettingsOut(Schema):
    discount_threshold: Decimal
    updated_at: datetime


class LineOut(Schema):
    id: int
    product_id: int
    product_name: str = Field(alias="product.name")
    description: str
    position: int
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


class ApprovalOut(Schema):
    id: int
    requested_by_id: int | None
    requested_at: datetime
    note: str
    discount_percent: Decimal
    threshold: Decimal
    total: Decimal
    decision: str
    decided_by_id: int | None
    decided_at: datetime | None
    comment: str


class NegotiationOut(Schema):
    id: int
    at: datetime
    author_id: int | None
    note: str
    counter_offer: Decimal | None


class QuoteOut(Schema):
    id: int
    number: str
    deal_id: int
    title: str
    owner_id: int | None
    price_list_id: int | None
    currency: str
    status: str
    valid_until: date | None
    terms: str
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    max_discount: Decimal
    needs_approval: bool = Field(description="A line's discount is above the threshold.")
    sent_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class QuoteDetailOut(QuoteOut):
    lines: list[LineOut]
    approvals: list[ApprovalOut]
    negotiation: list[NegotiationOut]
