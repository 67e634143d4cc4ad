"""Catalog pages: products (with their 7 Ps positioning card), price lists, competitors and battle cards.

Everyone signed in may read them; marketing and sales managers and admins change them
(``Resource.PRODUCT``). Views read the form, check permission, call one action and render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, can
from accord.catalog import actions
from accord.catalog.forms import (
    CompetitorForm,
    PositioningForm,
    PriceForm,
    PriceListForm,
    ProductFilterForm,
    ProductForm,
    objection_rows,
    show_errors,
)
from accord.catalog.models import (
    BattleCard,
    Competitor,
    Positioning,
    PriceList,
    PriceListItem,
    Product,
    search_products,
)
from accord.core.errors import ActionError

PAGE_SIZE = 25


@dataclass(frozen=True)
class Paging:
    page: Page[Any]
    page_range: list[int | str]


def paginate(request: HttpRequest, qs: QuerySet[Any], per_page: int = PAGE_SIZE) -> Paging:
    paginator = Paginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return Paging(page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)))


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, action: Action) -> None:
    if not can(_user(request), action, Resource.PRODUCT):
        raise PermissionDenied(f"You do not have permission to {action.value} the product catalog.")


def _may_change(request: HttpRequest) -> bool:
    return can(_user(request), Action.CHANGE, Resource.PRODUCT)


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


# ---------------------------------------------------------------------- products
@require_http_methods(["GET"])
@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    form = ProductFilterForm(request.GET or None)
    qs = Product.objects.order_by("name", "id")
    if form.is_valid():
        qs = search_products(qs, form.cleaned_data["q"])
        status = form.cleaned_data["status"]
        if status:
            qs = qs.filter(active=status == "active")
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
    context = {
        "form": form,
        "paging": paginate(request, qs),
        "has_any": Product.objects.exists(),
        "can_add": can(_user(request), Action.ADD, Resource.PRODUCT),
    }
    template = "catalog/product_list.html"
    if _wants_partial(request):
        template += "#results"
    return render(request, template, context)


@require_http_methods(["GET"])
@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.VIEW)
    product = get_object_or_404(Product, pk=pk)
    positioning = Positioning.objects.filter(product=product).first()
    prices = PriceListItem.objects.filter(product=product).select_related("price_list")
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "positioning": positioning,
            "positioning_rows": positioning.rows if positioning else [],
            "prices": prices.order_by("-price_list__is_default", "price_list__name"),
            "can_change": _may_change(request),
        },
    )


def _product_form(request: HttpRequest, product: Product | None) -> HttpResponse:
    initial = (
        {f: getattr(product, f) for f in actions.PRODUCT_FIELDS}
        if product
        else {"active": True, "currency": "USD"}
    )
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                product = actions.create_product(**form.cleaned_data)
                messages.success(request, f"Product “{product}” created.")
            else:
                actions.update_product(product, **form.cleaned_data)
                messages.success(request, f"Product “{product}” saved.")
        except ActionError as exc:
            show_errors(form, exc)
        else:
            return redirect(product)
    return render(
        request,
        "catalog/product_form.html",
        {"form": form, "product": product},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    return _product_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    return _product_form(request, get_object_or_404(Product, pk=pk))


@require_http_methods(["GET", "POST"])
@login_required
def positioning_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    product = get_object_or_404(Product, pk=pk)
    card = Positioning.objects.filter(product=product).first()
    initial = {name: getattr(card, name) for name, _l, _h in Positioning.FIELDS} if card else {}
    form = PositioningForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_positioning(product, by=_user(request), **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "Positioning card saved.")
            return redirect(product)
    return render(
        request,
        "catalog/positioning_form.html",
        {"form": form, "product": product},
        status=422 if form.errors else 200,
    )


# ---------------------------------------------------------------------- price lists
@require_http_methods(["GET"])
@login_required
def pricelist_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    qs = PriceList.objects.annotate(price_count=Count("items")).order_by("-is_default", "name", "id")
    return render(
        request,
        "catalog/pricelist_list.html",
        {"paging": paginate(request, qs), "can_add": can(_user(request), Action.ADD, Resource.PRODUCT)},
    )


def _product_choices() -> list[tuple[int, str]]:
    return list(Product.objects.filter(active=True).order_by("name").values_list("pk", "name"))


@require_http_methods(["GET", "POST"])
@login_required
def pricelist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The list's prices; managers set one with the form on the page."""
    _require(request, Action.VIEW)
    price_list = get_object_or_404(PriceList, pk=pk)
    form = PriceForm(request.POST or None, products=_product_choices())
    if request.method == "POST":
        _require(request, Action.CHANGE)
        if form.is_valid():
            product = get_object_or_404(Product, pk=form.cleaned_data["product"])
            try:
                actions.set_price(price_list, product, form.cleaned_data["unit_price"])
            except ActionError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, f"Price of {product} in {price_list} saved.")
                return redirect(price_list)
    items = price_list.items.select_related("product").order_by("product__name")
    return render(
        request,
        "catalog/pricelist_detail.html",
        {
            "price_list": price_list,
            "paging": paginate(request, items, 50),
            "form": form,
            "can_change": _may_change(request),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
def price_remove(request: HttpRequest, pk: int, product_pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    price_list = get_object_or_404(PriceList, pk=pk)
    product = get_object_or_404(Product, pk=product_pk)
    try:
        actions.remove_price(price_list, product)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{product} now sells at its list price in {price_list}.")
    return redirect(price_list)


def _pricelist_form(request: HttpRequest, price_list: PriceList | None) -> HttpResponse:
    initial = (
        {f: getattr(price_list, f) for f in actions.PRICE_LIST_FIELDS}
        if price_list
        else {"active": True, "currency": "USD"}
    )
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if price_list is None:
                price_list = actions.create_price_list(**form.cleaned_data)
            else:
                actions.update_price_list(price_list, **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"Price list “{price_list}” saved.")
            return redirect(price_list)
    return render(
        request,
        "catalog/pricelist_form.html",
        {"form": form, "price_list": price_list},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def pricelist_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    return _pricelist_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def pricelist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    return _pricelist_form(request, get_object_or_404(PriceList, pk=pk))


# ---------------------------------------------------------------------- competitors
@require_http_methods(["GET"])
@login_required
def competitor_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    q = request.GET.get("q", "").strip()[:200]
    qs = Competitor.objects.annotate(deal_count=Count("deals")).order_by("name", "id")
    if q:
        qs = qs.filter(name__icontains=q)
    return render(
        request,
        "catalog/competitor_list.html",
        {
            "q": q,
            "paging": paginate(request, qs),
            "has_any": Competitor.objects.exists(),
            "can_add": can(_user(request), Action.ADD, Resource.PRODUCT),
        },
    )


@require_http_methods(["GET"])
@login_required
def competitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.VIEW)
    competitor = get_object_or_404(Competitor, pk=pk)
    return render(
        request,
        "catalog/competitor_detail.html",
        {
            "competitor": competitor,
            "card": BattleCard.objects.filter(competitor=competitor).first(),
            "can_change": _may_change(request),
        },
    )


def _competitor_form(request: HttpRequest, competitor: Competitor | None) -> HttpResponse:
    card = BattleCard.objects.filter(competitor=competitor).first() if competitor else None
    initial: dict[str, Any] = {}
    if competitor:
        initial = {f: getattr(competitor, f) for f in actions.COMPETITOR_FIELDS}
    if card:
        initial.update(strengths=card.strengths, weaknesses=card.weaknesses, how_to_win=card.how_to_win)
    form = CompetitorForm(request.POST or None, initial=initial)
    rows = objection_rows(
        request.POST if request.method == "POST" else None, card.objection_pairs if card else []
    )
    objection_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        battle_card = {k: data.pop(k) for k in ("strengths", "weaknesses", "how_to_win")}
        battle_card["objections"] = [{"objection": o, "answer": a} for o, a in rows]
        try:
            competitor = actions.save_competitor(
                competitor, battle_card=battle_card, by=_user(request), **data
            )
        except ActionError as exc:
            objection_errors = {k: v for k, v in exc.field_errors.items() if k.startswith("objections")}
            show_errors(form, exc)
        else:
            messages.success(request, f"Competitor “{competitor}” saved.")
            return redirect(competitor)
    return render(
        request,
        "catalog/competitor_form.html",
        {
            "form": form,
            "competitor": competitor,
            "rows": rows,
            "objection_errors": [m for v in objection_errors.values() for m in v],
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def competitor_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    return _competitor_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def competitor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    return _competitor_form(request, get_object_or_404(Competitor, pk=pk))
