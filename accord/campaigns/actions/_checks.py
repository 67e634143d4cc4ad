"""Input checks shared by the campaigns actions: model validation, money, text, references."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from accord.core.errors import Invalid, from_django_validation

MAX_MONEY = Decimal("999999999999.99")


def invalid(field: str, message: str) -> Invalid:
    return Invalid(message, field_errors={field: [message]})


def full_clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Field validation (lengths, choices, blanks) as :class:`Invalid`; constraints are checked by
    the actions themselves and, for races, by the database."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise from_django_validation(exc) from exc


def money(value: Any, field: str, *, required: bool = True) -> Decimal | None:
    """A non-negative amount with at most two decimals, as :class:`Decimal`."""
    if value is None or value == "":
        if required:
            raise invalid(field, "This field is required.")
        return None
    if isinstance(value, bool):
        raise invalid(field, "Enter an amount.")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise invalid(field, "Enter an amount, e.g. 1250.00.") from exc
    if not amount.is_finite():
        raise invalid(field, "Enter an amount, e.g. 1250.00.")
    if amount < 0:
        raise invalid(field, "Must be zero or more.")
    if amount > MAX_MONEY:
        raise invalid(field, f"Must be at most {MAX_MONEY:,}.")
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(field, "Use at most two decimal places.")
    return amount.quantize(Decimal("0.01"))


def required_money(value: Any, field: str) -> Decimal:
    amount = money(value, field)
    if amount is None:  # pragma: no cover - money() refuses a missing required amount
        raise invalid(field, "This field is required.")
    return amount


def text(value: Any, field: str, *, max_length: int, required: bool = False, lower: bool = False) -> str:
    """``value`` as trimmed text of at most ``max_length`` characters, without NUL characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, "Must be text.")
    value = value.strip()
    if "\x00" in value:
        raise invalid(field, "Must not contain NUL characters.")
    if required and not value:
        raise invalid(field, "This field is required.")
    if len(value) > max_length:
        raise invalid(field, f"Use at most {max_length} characters.")
    return value.lower() if lower else value


def contact_exists(model: type[models.Model], contact_id: int) -> bool:
    """Whether ``contact_id`` is a contact, asked through ``model``'s ``contact`` foreign key (the
    campaigns app references contacts by label and never imports them)."""
    related = model._meta.get_field("contact").related_model
    if not isinstance(related, type):  # pragma: no cover - resolved once the app registry is ready
        raise TypeError(f"{model.__name__}.contact is not resolved")
    return related._default_manager.filter(pk=contact_id).exists()
