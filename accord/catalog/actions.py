"""Every write on the catalog: products, price lists, positioning cards, competitors and battle cards.

Each function is one atomic change. Input is validated with the model's own rules (``full_clean``:
lengths, choices, decimal digits, uniqueness) plus the business rules below; problems are raised
as :class:`~accord.core.errors.Invalid` with per-field messages.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accord.accounts.models import User
from accord.catalog.models import BattleCard, Competitor, Positioning, PriceList, PriceListItem, Product
from accord.core.errors import Invalid, NotFound, from_django_validation

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
PRODUCT_FIELDS = ("name", "sku", "description", "unit_price", "currency", "active", "kind", "category")
PRICE_LIST_FIELDS = ("name", "currency", "description", "is_default", "active")
COMPETITOR_FIELDS = ("name", "website", "summary")
BATTLE_CARD_FIELDS = ("strengths", "weaknesses", "how_to_win", "objections")
POSITIONING_FIELDS = tuple(name for name, _label, _help in Positioning.FIELDS)
MAX_OBJECTIONS = 50


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _unknown(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    extra = sorted(set(values) - set(allowed))
    if extra:
        raise Invalid("Unknown fields.", field_errors={k: ["Unknown field."] for k in extra})


def _currency(value: Any, errors: dict[str, list[str]]) -> str:
    code = str(value or "").strip().upper()
    if not CURRENCY_RE.match(code):
        errors["currency"] = ["Use a three-letter ISO currency code such as USD or EUR."]
    return code


def parse_money(value: Any, field: str = "unit_price") -> Decimal:
    """A non-negative amount with at most two decimals, or :class:`Invalid` naming ``field``."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(
            "Not a valid amount.", field_errors={field: ["Enter an amount such as 1200.00."]}
        ) from None
    if not amount.is_finite():
        raise Invalid("Not a valid amount.", field_errors={field: ["Enter an amount such as 1200.00."]})
    if amount < 0:
        raise Invalid("Amounts cannot be negative.", field_errors={field: ["Must be zero or more."]})
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid("Too many decimals.", field_errors={field: ["Use at most two decimals."]})
    if amount >= Decimal("1e12"):
        raise Invalid("Amount too large.", field_errors={field: ["Must be less than 1,000,000,000,000."]})
    return amount.quantize(Decimal("0.01"))


def _save(obj: Any, errors: dict[str, list[str]]) -> None:
    """``full_clean`` then save; every problem (ours and the model's) reported together."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        invalid = from_django_validation(exc)
        for key, messages in invalid.field_errors.items():
            errors.setdefault(key, []).extend(m for m in messages if m not in errors.get(key, []))
    if errors:
        raise Invalid("Some fields are not valid.", field_errors=errors)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent write took the same unique value
        raise Invalid(
            "This conflicts with an existing record.", field_errors={"__all__": [str(exc)]}
        ) from exc


# ---------------------------------------------------------------------- products
def _apply_product(product: Product, values: dict[str, Any]) -> Product:
    _unknown(values, PRODUCT_FIELDS)
    values = _strip(values)
    errors: dict[str, list[str]] = {}
    if "currency" in values:
        values["currency"] = _currency(values["currency"], errors)
    if "unit_price" in values:
        try:
            values["unit_price"] = parse_money(values["unit_price"])
        except Invalid as exc:
            errors.update(exc.field_errors)
            values.pop("unit_price")
    if "sku" in values and isinstance(values["sku"], str):
        values["sku"] = values["sku"].upper()
    for key, value in values.items():
        setattr(product, key, value)
    _save(product, errors)
    return product


def create_product(**values: Any) -> Product:
    with transaction.atomic():
        product = _apply_product(Product(), values)
        Positioning.objects.create(product=product)
    return product


def update_product(product: Product, **values: Any) -> Product:
    with transaction.atomic():
        return _apply_product(product, values)


def save_positioning(product: Product, *, by: User | None = None, **values: Any) -> Positioning:
    _unknown(values, POSITIONING_FIELDS)
    with transaction.atomic():
        card, _ = Positioning.objects.get_or_create(product=product)
        for key, value in _strip(values).items():
            setattr(card, key, value if value is not None else "")
        card.updated_by = by
        _save(card, {})
    return card


# ---------------------------------------------------------------------- price lists
def _apply_price_list(price_list: PriceList, values: dict[str, Any]) -> PriceList:
    _unknown(values, PRICE_LIST_FIELDS)
    values = _strip(values)
    errors: dict[str, list[str]] = {}
    if "currency" in values:
        values["currency"] = _currency(values["currency"], errors)
        if price_list.pk and values["currency"] != price_list.currency and price_list.items.exists():
            errors["currency"] = ["Remove this list's prices before changing its currency."]
    for key, value in values.items():
        setattr(price_list, key, value)
    if price_list.is_default and not price_list.active:
        errors.setdefault("active", []).append("The default price list must be active.")
    if price_list.is_default:
        PriceList.objects.filter(is_default=True).exclude(pk=price_list.pk).update(is_default=False)
    _save(price_list, errors)
    return price_list


def create_price_list(**values: Any) -> PriceList:
    with transaction.atomic():
        return _apply_price_list(PriceList(), values)


def update_price_list(price_list: PriceList, **values: Any) -> PriceList:
    with transaction.atomic():
        return _apply_price_list(price_list, values)


def set_price(price_list: PriceList, product: Product, unit_price: Any) -> PriceListItem:
    """Set (or replace) ``product``'s price in ``price_list``."""
    amount = parse_money(unit_price)
    with transaction.atomic():
        item, _ = PriceListItem.objects.update_or_create(
            price_list=price_list, product=product, defaults={"unit_price": amount}
        )
    return item


def remove_price(price_list: PriceList, product: Product) -> None:
    deleted, _ = PriceListItem.objects.filter(price_list=price_list, product=product).delete()
    if not deleted:
        raise NotFound(f"{product} has no price in {price_list}.")


# ---------------------------------------------------------------------- competitors
def _apply_competitor(competitor: Competitor, values: dict[str, Any]) -> Competitor:
    _unknown(values, COMPETITOR_FIELDS)
    for key, value in _strip(values).items():
        setattr(competitor, key, value)
    _save(competitor, {})
    return competitor


def create_competitor(**values: Any) -> Competitor:
    with transaction.atomic():
        competitor = _apply_competitor(Competitor(), values)
        BattleCard.objects.create(competitor=competitor)
    return competitor


def update_competitor(competitor: Competitor, **values: Any) -> Competitor:
    with transaction.atomic():
        return _apply_competitor(competitor, values)


def clean_objections(pairs: Any) -> list[dict[str, str]]:
    """Objection/answer pairs: both parts required, trimmed; blank pairs dropped."""
    if not isinstance(pairs, list):
        raise Invalid("Objections must be a list.", field_errors={"objections": ["Must be a list."]})
    cleaned: list[dict[str, str]] = []
    errors: dict[str, list[str]] = {}
    for i, pair in enumerate(pairs):
        if isinstance(pair, dict):
            objection, answer = pair.get("objection", ""), pair.get("answer", "")
        elif isinstance(pair, list | tuple) and len(pair) == 2:
            objection, answer = pair
        else:
            errors[f"objections.{i}"] = ["Each entry needs an objection and an answer."]
            continue
        if not isinstance(objection, str) or not isinstance(answer, str):
            errors[f"objections.{i}"] = ["Objection and answer must be text."]
            continue
        objection, answer = objection.strip(), answer.strip()
        if not objection and not answer:
            continue
        if not objection:
            errors[f"objections.{i}.objection"] = ["Write the objection this answer responds to."]
        elif not answer:
            errors[f"objections.{i}.answer"] = ["Write how to answer this objection."]
        elif len(objection) > 500 or len(answer) > 2000:
            errors[f"objections.{i}"] = ["Keep objections under 500 and answers under 2,000 characters."]
        else:
            cleaned.append({"objection": objection, "answer": answer})
    if len(cleaned) > MAX_OBJECTIONS:
        errors["objections"] = [f"At most {MAX_OBJECTIONS} objections."]
    if errors:
        raise Invalid("Some objections are not complete.", field_errors=errors)
    return cleaned


def save_battle_card(competitor: Competitor, *, by: User | None = None, **values: Any) -> BattleCard:
    _unknown(values, BATTLE_CARD_FIELDS)
    values = _strip(values)
    if "objections" in values:
        values["objections"] = clean_objections(values["objections"])
    with transaction.atomic():
        card, _ = BattleCard.objects.get_or_create(competitor=competitor)
        for key, value in values.items():
            setattr(card, key, value if value is not None else "")
        card.updated_by = by
        _save(card, {})
    return card


def save_competitor(
    competitor: Competitor | None,
    *,
    battle_card: dict[str, Any] | None = None,
    by: User | None = None,
    **values: Any,
) -> Competitor:
    """Create or update a competitor and (when given) its battle card, together or not at all."""
    with transaction.atomic():
        if competitor is None:
            competitor = create_competitor(**values)
        else:
            update_competitor(competitor, **values)
        if battle_card is not None:
            save_battle_card(competitor, by=by, **battle_card)
    return competitor
