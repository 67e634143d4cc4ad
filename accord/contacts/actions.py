"""Write operations on contacts and companies. Views and the API call these, nothing else writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accord.accounts.models import User
from accord.contacts.models import Company, Contact, PropertyDefinition
from accord.core.errors import Conflict, Invalid, from_django_validation
from accord.lifecycle.actions import change_stage, record_initial_stage

CONTACT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "title",
    "company",
    "owner",
    "country",
    "properties",
)
COMPANY_FIELDS = ("name", "domain", "industry", "size", "revenue_band", "country", "owner", "properties")


def normalise_email(email: str) -> str:
    """Trim and lower-case. Emails are compared case-insensitively everywhere in Accord."""
    return email.strip().lower()


def normalise_domain(domain: str | None) -> str | None:
    if domain is None:
        return None
    d = domain.strip().lower()
    for prefix in ("https://", "http://"):
        if d.startswith(prefix):
            d = d[len(prefix) :]
    d = d.split("/", 1)[0]
    if d.startswith("www."):
        d = d[4:]
    return d or None


def _coerce_property(defn: PropertyDefinition, value: Any) -> Any:
    if value is None:
        return None
    if defn.type == PropertyDefinition.Type.NUMBER:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError("must be a number") from exc
        return int(number) if number == number.to_integral_value() else float(number)
    if defn.type == PropertyDefinition.Type.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if defn.type == PropertyDefinition.Type.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise ValueError("must be a date like 2026-01-31") from exc
    if defn.type == PropertyDefinition.Type.CHOICE:
        if value not in defn.choices:
            raise ValueError(f"must be one of {', '.join(map(str, defn.choices))}")
        return value
    if not isinstance(value, str | int | float):
        raise ValueError("must be text")
    text = str(value)
    if len(text) > 1000:
        raise ValueError("must be at most 1000 characters")
    return text


def clean_properties(object_type: str, properties: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate custom properties against their definitions; unknown keys are refused."""
    if not properties:
        return {}
    if not isinstance(properties, Mapping):
        raise Invalid(
            "Custom properties must be an object.", field_errors={"properties": ["Must be an object."]}
        )
    defs = {
        d.key: d for d in PropertyDefinition.objects.filter(object_type=object_type, key__in=list(properties))
    }
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in properties.items():
        defn = defs.get(key)
        if defn is None:
            errors[f"properties.{key}"] = [f"Unknown custom property {key!r}; define it first."]
            continue
        try:
            cleaned[key] = _coerce_property(defn, value)
        except ValueError as exc:
            errors[f"properties.{key}"] = [f"{defn.label} {exc}."]
    if errors:
        raise Invalid("Some custom properties are not valid.", field_errors=errors)
    return cleaned


def _validate_and_save(obj: Contact | Company, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise from_django_validation(exc) from exc
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        if isinstance(obj, Contact):
            raise Conflict(
                f"A contact with email {obj.email} already exists.",
                field_errors={"email": ["A contact with this email already exists."]},
                code="duplicate_email",
            ) from exc
        raise Conflict(
            f"A company with domain {obj.domain} already exists.",
            field_errors={"domain": ["A company with this domain already exists."]},
            code="duplicate_domain",
        ) from exc


def create_contact(*, by: User | None = None, lifecycle_stage: str | None = None, **fields: Any) -> Contact:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    email = fields.get("email") or ""
    fields["email"] = normalise_email(email)
    try:
        validate_email(fields["email"])
    except ValidationError as exc:
        raise Invalid(
            "Enter a valid email address.", field_errors={"email": ["Enter a valid email address."]}
        ) from exc
    fields["properties"] = clean_properties(PropertyDefinition.ObjectType.CONTACT, fields.get("properties"))
    contact = Contact(**fields)
    if lifecycle_stage:
        contact.lifecycle_stage = lifecycle_stage
    with transaction.atomic():
        _validate_and_save(contact)
        record_initial_stage(contact, by=by)
    return contact


def update_contact(contact: Contact, *, by: User | None = None, **fields: Any) -> Contact:
    """Update plain fields. Lifecycle changes go through :func:`set_contact_stage`."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if "email" in fields:
        fields["email"] = normalise_email(fields["email"] or "")
        try:
            validate_email(fields["email"])
        except ValidationError as exc:
            raise Invalid(
                "Enter a valid email address.", field_errors={"email": ["Enter a valid email address."]}
            ) from exc
    if "properties" in fields:
        merged = {**contact.properties, **(fields["properties"] or {})}
        fields["properties"] = {
            k: v
            for k, v in clean_properties(PropertyDefinition.ObjectType.CONTACT, merged).items()
            if v is not None
        }
    for name, value in fields.items():
        setattr(contact, name, value)
    with transaction.atomic():
        _validate_and_save(contact)
    return contact


def set_contact_stage(
    contact: Contact,
    to_stage: str,
    *,
    by: User | None = None,
    reason: str = "",
    allow_backwards: bool = False,
) -> None:
    change_stage(contact, to_stage, by=by, reason=reason, allow_backwards=allow_backwards)


def delete_contact(contact: Contact) -> None:
    contact.delete()


def create_company(*, by: User | None = None, **fields: Any) -> Company:
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    fields["domain"] = normalise_domain(fields.get("domain"))
    fields["properties"] = clean_properties(PropertyDefinition.ObjectType.COMPANY, fields.get("properties"))
    company = Company(**fields)
    _validate_and_save(company)
    return company


def update_company(company: Company, *, by: User | None = None, **fields: Any) -> Company:
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if "domain" in fields:
        fields["domain"] = normalise_domain(fields["domain"])
    if "properties" in fields:
        merged = {**company.properties, **(fields["properties"] or {})}
        fields["properties"] = {
            k: v
            for k, v in clean_properties(PropertyDefinition.ObjectType.COMPANY, merged).items()
            if v is not None
        }
    for name, value in fields.items():
        setattr(company, name, value)
    _validate_and_save(company)
    return company


def delete_company(company: Company) -> None:
    company.delete()
