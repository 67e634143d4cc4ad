"""REST endpoints of the catalog app, mounted by ``accord/api.py`` under ``/api/catalog``.

Everyone signed in reads the catalog; marketing and sales managers and admins change it
(``Resource.PRODUCT``). Each write validates, checks permission and calls one action.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from accord.accounts.api_auth import api_user
from accord.accounts.permissions import Action, Resource, check
from accord.catalog import actions
from accord.catalog.models import BattleCard, Competitor, Positioning, PriceList, Product, search_products
from accord.catalog.schemas import (
    BattleCardIO,
    BattleCardOut,
    CompetitorCreate,
    CompetitorDetailOut,
    CompetitorOut,
    CompetitorQuery,
    CompetitorUpdate,
    PositioningIO,
    PositioningOut,
    PriceIn,
    PriceListCreate,
    PriceListDetailOut,
    PriceListOut,
    PriceListUpdate,
    PriceOut,
    ProductCreate,
    ProductDetailOut,
    ProductOut,
    ProductQuery,
    ProductUpdate,
)
from accord.core.api_support import Page, PageParams, error_responses, paginate
from accord.core.errors import NotFound

router = Router(tags=["Products and competitors"])

READ = error_responses(401, 403, 404)
WRITE = error_responses(400, 401, 403, 404, 409, 422)


def _can(request: HttpRequest, action: Action) -> None:
    check(api_user(request), action, Resource.PRODUCT)


def _get(model: Any, pk: int, label: str) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{label} {pk} does not exist.")
    return obj


def _product_detail(product: Product) -> dict[str, Any]:
    card = Positioning.objects.filter(product=product).first()
    return {**ProductOut.from_orm(product).dict(), "positioning": card}


# ---------------------------------------------------------------------- products
@router.get("/products", response={200: Page[ProductOut], **error_responses(401, 403, 422)})
def list_products(request: HttpRequest, query: Query[ProductQuery]) -> dict[str, Any]:
    """Products by name; filter by `q`, `active` and `kind`."""
    _can(request, Action.VIEW)
    qs = search_products(Product.objects.order_by("name", "id"), query.q)
    if query.active is not None:
        qs = qs.filter(active=query.active)
    if query.kind:
        qs = qs.filter(kind=query.kind)
    return paginate(request, qs, query)


@router.post("/products", response={201: ProductDetailOut, **WRITE})
def create_product(request: HttpRequest, payload: ProductCreate) -> Status[dict[str, Any]]:
    _can(request, Action.ADD)
    product = actions.create_product(**payload.model_dump())
    return Status(201, _product_detail(product))


@router.get("/products/{int:product_id}", response={200: ProductDetailOut, **READ})
def get_product(request: HttpRequest, product_id: int) -> dict[str, Any]:
    _can(request, Action.VIEW)
    return _product_detail(_get(Product, product_id, "Product"))


@router.patch("/products/{int:product_id}", response={200: ProductDetailOut, **WRITE})
def update_product(request: HttpRequest, product_id: int, payload: ProductUpdate) -> dict[str, Any]:
    _can(request, Action.CHANGE)
    product = _get(Product, product_id, "Product")
    actions.update_product(product, **payload.model_dump(exclude_unset=True))
    return _product_detail(product)


@router.put("/products/{int:product_id}/positioning", response={200: PositioningOut, **WRITE})
def put_positioning(request: HttpRequest, product_id: int, payload: PositioningIO) -> Positioning:
    """Replace the product's 7 Ps positioning card."""
    _can(request, Action.CHANGE)
    product = _get(Product, product_id, "Product")
    return actions.save_positioning(product, by=api_user(request), **payload.model_dump())


# ---------------------------------------------------------------------- price lists
def _price_list_detail(price_list: PriceList) -> dict[str, Any]:
    return {
        **PriceListOut.from_orm(price_list).dict(),
        "prices": list(price_list.items.select_related("product").order_by("product__name")),
    }


@router.get("/price-lists", response={200: Page[PriceListOut], **error_responses(401, 403, 422)})
def list_price_lists(request: HttpRequest, query: Query[PageParams]) -> dict[str, Any]:
    _can(request, Action.VIEW)
    return paginate(request, PriceList.objects.order_by("-is_default", "name", "id"), query)


@router.post("/price-lists", response={201: PriceListDetailOut, **WRITE})
def create_price_list(request: HttpRequest, payload: PriceListCreate) -> Status[dict[str, Any]]:
    """Create a price list; `is_default: true` makes it the one default (the previous one stops being it)."""
    _can(request, Action.ADD)
    return Status(201, _price_list_detail(actions.create_price_list(**payload.model_dump())))


@router.get("/price-lists/{int:price_list_id}", response={200: PriceListDetailOut, **READ})
def get_price_list(request: HttpRequest, price_list_id: int) -> dict[str, Any]:
    _can(request, Action.VIEW)
    return _price_list_detail(_get(PriceList, price_list_id, "Price list"))


@router.patch("/price-lists/{int:price_list_id}", response={200: PriceListDetailOut, **WRITE})
def update_price_list(request: HttpRequest, price_list_id: int, payload: PriceListUpdate) -> dict[str, Any]:
    _can(request, Action.CHANGE)
    price_list = _get(PriceList, price_list_id, "Price list")
    actions.update_price_list(price_list, **payload.model_dump(exclude_unset=True))
    return _price_list_detail(price_list)


@router.put("/price-lists/{int:price_list_id}/prices/{int:product_id}", response={200: PriceOut, **WRITE})
def set_price(request: HttpRequest, price_list_id: int, product_id: int, payload: PriceIn) -> Any:
    """Set the product's price in this list (overrides its list price on quotes using the list)."""
    _can(request, Action.CHANGE)
    price_list = _get(PriceList, price_list_id, "Price list")
    product = _get(Product, product_id, "Product")
    return actions.set_price(price_list, product, payload.unit_price)


@router.delete("/price-lists/{int:price_list_id}/prices/{int:product_id}", response={204: None, **WRITE})
def remove_price(request: HttpRequest, price_list_id: int, product_id: int) -> Status[None]:
    _can(request, Action.CHANGE)
    actions.remove_price(_get(PriceList, price_list_id, "Price list"), _get(Product, product_id, "Product"))
    return Status(204, None)


# ---------------------------------------------------------------------- competitors
def _competitor_detail(competitor: Competitor) -> dict[str, Any]:
    card = BattleCard.objects.filter(competitor=competitor).first()
    return {**CompetitorOut.from_orm(competitor).dict(), "battle_card": card}


@router.get("/competitors", response={200: Page[CompetitorOut], **error_responses(401, 403, 422)})
def list_competitors(request: HttpRequest, query: Query[CompetitorQuery]) -> dict[str, Any]:
    _can(request, Action.VIEW)
    qs = Competitor.objects.order_by("name", "id")
    if query.q.strip():
        qs = qs.filter(name__icontains=query.q.strip())
    return paginate(request, qs, query)


@router.post("/competitors", response={201: CompetitorDetailOut, **WRITE})
def create_competitor(request: HttpRequest, payload: CompetitorCreate) -> Status[dict[str, Any]]:
    """Create a competitor, optionally with its battle card."""
    _can(request, Action.ADD)
    data = payload.model_dump()
    competitor = actions.save_competitor(None, by=api_user(request), **data)
    return Status(201, _competitor_detail(competitor))


@router.get("/competitors/{int:competitor_id}", response={200: CompetitorDetailOut, **READ})
def get_competitor(request: HttpRequest, competitor_id: int) -> dict[str, Any]:
    _can(request, Action.VIEW)
    return _competitor_detail(_get(Competitor, competitor_id, "Competitor"))


@router.patch("/competitors/{int:competitor_id}", response={200: CompetitorDetailOut, **WRITE})
def update_competitor(request: HttpRequest, competitor_id: int, payload: CompetitorUpdate) -> dict[str, Any]:
    _can(request, Action.CHANGE)
    competitor = _get(Competitor, competitor_id, "Competitor")
    actions.update_competitor(competitor, **payload.model_dump(exclude_unset=True))
    return _competitor_detail(competitor)


@router.get("/competitors/{int:competitor_id}/battle-card", response={200: BattleCardOut, **READ})
def get_battle_card(request: HttpRequest, competitor_id: int) -> BattleCard:
    _can(request, Action.VIEW)
    competitor = _get(Competitor, competitor_id, "Competitor")
    return BattleCard.objects.get_or_create(competitor=competitor)[0]


@router.put("/competitors/{int:competitor_id}/battle-card", response={200: BattleCardOut, **WRITE})
def put_battle_card(request: HttpRequest, competitor_id: int, payload: BattleCardIO) -> BattleCard:
    """Replace the battle card: strengths, weaknesses, how to win, objections with answers."""
    _can(request, Action.CHANGE)
    competitor = _get(Competitor, competitor_id, "Competitor")
    return actions.save_battle_card(competitor, by=api_user(request), **payload.model_dump())
