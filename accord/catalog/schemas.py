"""Request and response bodies of the catalog API (amounts are decimal strings in responses)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from accord.catalog.models import ProductKind
from accord.core.api_support import CleanStr, PageParams, not_null

Money = Decimal
Kind = Literal["subscription", "one_off", "service"]
assert set(ProductKind.values) == {"subscription", "one_off", "service"}  # noqa: S101 -- keep in step


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------- products
class ProductQuery(PageParams):
    q: CleanStr = Field("", max_length=200, description="Search in name, SKU and category.")
    active: bool | None = None
    kind: Kind | None = None


class PositioningIO(_Input):
    product_text: CleanStr = Field("", max_length=5000, description="P1: the product itself.")
    price: CleanStr = Field("", max_length=5000)
    place: CleanStr = Field("", max_length=5000)
    promotion: CleanStr = Field("", max_length=5000)
    people: CleanStr = Field("", max_length=5000)
    process: CleanStr = Field("", max_length=5000)
    physical_evidence: CleanStr = Field("", max_length=5000)


class ProductCreate(_Input):
    name: CleanStr = Field(max_length=200)
    sku: CleanStr = Field(max_length=64)
    description: CleanStr = Field("", max_length=5000)
    unit_price: Money = Field(ge=0, description="List price per unit, at most two decimals.")
    currency: CleanStr = Field("USD", min_length=3, max_length=3)
    active: bool = True
    kind: Kind = "subscription"
    category: CleanStr = Field("", max_length=100)


class ProductUpdate(_Input):
    name: CleanStr | None = Field(None, max_length=200)
    sku: CleanStr | None = Field(None, max_length=64)
    description: CleanStr | None = Field(None, max_length=5000)
    unit_price: Money | None = Field(None, ge=0)
    currency: CleanStr | None = Field(None, min_length=3, max_length=3)
    active: bool | None = None
    kind: Kind | None = None
    category: CleanStr | None = Field(None, max_length=100)

    _not_null = not_null("name", "sku", "description", "unit_price", "currency", "active", "kind", "category")


class PositioningOut(Schema):
    product_text: str
    price: str
    place: str
    promotion: str
    people: str
    process: str
    physical_evidence: str
    updated_at: datetime


class ProductOut(Schema):
    id: int
    name: str
    sku: str
    description: str
    unit_price: Decimal
    currency: str
    active: bool
    kind: str
    category: str
    created_at: datetime
    updated_at: datetime


class ProductDetailOut(ProductOut):
    positioning: PositioningOut | None = None


# ---------------------------------------------------------------------- price lists
class PriceListCreate(_Input):
    name: CleanStr = Field(max_length=100)
    currency: CleanStr = Field("USD", min_length=3, max_length=3)
    description: CleanStr = Field("", max_length=2000)
    is_default: bool = False
    active: bool = True


class PriceListUpdate(_Input):
    name: CleanStr | None = Field(None, max_length=100)
    currency: CleanStr | None = Field(None, min_length=3, max_length=3)
    description: CleanStr | None = Field(None, max_length=2000)
    is_default: bool | None = None
    active: bool | None = None

    _not_null = not_null("name", "currency", "description", "is_default", "active")


class PriceIn(_Input):
    unit_price: Money = Field(ge=0)


class PriceOut(Schema):
    product_id: int
    product_name: str = Field(alias="product.name")
    unit_price: Decimal


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    description: str
    is_default: bool
    active: bool
    created_at: datetime
    updated_at: datetime


class PriceListDetailOut(PriceListOut):
    prices: list[PriceOut]


# ---------------------------------------------------------------------- competitors
class CompetitorQuery(PageParams):
    q: CleanStr = Field("", max_length=200)


class Objection(_Input):
    objection: CleanStr = Field(max_length=500)
    answer: CleanStr = Field(max_length=2000)


class BattleCardIO(_Input):
    strengths: CleanStr = Field("", max_length=5000)
    weaknesses: CleanStr = Field("", max_length=5000)
    how_to_win: CleanStr = Field("", max_length=5000)
    objections: list[Objection] = Field(default_factory=list, max_length=50)


class BattleCardOut(Schema):
    strengths: str
    weaknesses: str
    how_to_win: str
    objections: list[dict[str, str]]
    updated_at: datetime


class CompetitorCreate(_Input):
    name: CleanStr = Field(max_length=200)
    website: CleanStr = Field("", max_length=200)
    summary: CleanStr = Field("", max_length=5000)
    battle_card: BattleCardIO | None = None


class CompetitorUpdate(_Input):
    name: CleanStr | None = Field(None, max_length=200)
    website: CleanStr | None = Field(None, max_length=200)
    summary: CleanStr | None = Field(None, max_length=5000)

    _not_null = not_null("name", "website", "summary")


class CompetitorOut(Schema):
    id: int
    name: str
    website: str
    summary: str
    created_at: datetime
    updated_at: datetime


class CompetitorDetailOut(CompetitorOut):
    battle_card: BattleCardOut | None = None
