"""What a form field may map to, and the validation of a visitor's values against a form.

A field's ``target`` is a standard contact field (``email``, ``first_name``…, ``company_name``,
``country``) or ``property:<key>`` for a custom contact property. Validation only reads: a
submission that fails it writes nothing at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.contacts.actions import clean_properties, normalise_email, valid_email
from accord.contacts.models import PropertyDefinition
from accord.core.errors import Invalid
from accord.webforms.models import FieldType, FormField

PROPERTY_PREFIX = "property:"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    types: tuple[str, ...]  # field types that make sense for it; the first is the default
    max_length: int = 1000
    choices: tuple[str, ...] = ()


_TEXTS = (FieldType.TEXT, FieldType.SELECT, FieldType.TEXTAREA)
STANDARD_TARGETS: dict[str, Target] = {
    t.key: t
    for t in (
        Target("email", "Email", (FieldType.EMAIL,), 254),
        Target("first_name", "First name", _TEXTS, 100),
        Target("last_name", "Last name", _TEXTS, 100),
        Target("phone", "Phone", (FieldType.TEL, FieldType.TEXT), 40),
        Target("title", "Job title", _TEXTS, 150),
        Target("company_name", "Company name", _TEXTS, 200),
        Target("country", "Country (two-letter code)", (FieldType.TEXT, FieldType.SELECT), 2),
    )
}


def property_targets() -> dict[str, Target]:
    """Custom contact properties a field may map to (one query)."""
    targets = {}
    for d in PropertyDefinition.objects.filter(object_type=PropertyDefinition.ObjectType.CONTACT):
        if d.type == PropertyDefinition.Type.BOOLEAN:
            types: tuple[str, ...] = (FieldType.CHECKBOX,)
        elif d.type == PropertyDefinition.Type.CHOICE:
            types = (FieldType.SELECT,)
        else:
            types = (FieldType.TEXT, FieldType.TEXTAREA, FieldType.SELECT)
        key = PROPERTY_PREFIX + d.key
        targets[key] = Target(key, d.label, types, 1000, tuple(map(str, d.choices or ())))
    return targets


def all_targets() -> dict[str, Target]:
    return {**STANDARD_TARGETS, **property_targets()}


@dataclass
class CleanedValues:
    email: str
    values: dict[str, Any]  # by target, as they will be stored on the submission
    standard: dict[str, str]  # standard contact fields (without email)
    properties: dict[str, Any]  # custom contact properties, coerced by their definitions


_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else ""
    return str(raw).replace("\x00", "").strip()


def _truthy(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return _text(raw).lower() in ("1", "on", "true", "yes")


def clean_values(
    fields: Sequence[FormField],
    raw: Mapping[str, Any],
    *,
    consent_required: bool = False,
    consent: Any = None,
) -> CleanedValues:
    """Validate a visitor's ``raw`` values (keyed by each field's HTML name) for ``fields``.

    Raises :class:`Invalid` with messages keyed by the fields' HTML names (``consent`` for the
    consent checkbox).
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    standard: dict[str, str] = {}
    props_raw: dict[str, Any] = {}
    email = ""
    for f in fields:
        value: Any
        if f.type == FieldType.CHECKBOX:
            value = _truthy(raw.get(f.name))
            if f.required and not value:
                errors[f.name] = [f"Tick “{f.label}” to continue."]
                continue
        else:
            value = _text(raw.get(f.name))
            if not value:
                if f.required:
                    errors[f.name] = [f"{f.label} is required."]
                continue
            limit = STANDARD_TARGETS[f.target].max_length if f.target in STANDARD_TARGETS else 1000
            if len(value) > limit:
                errors[f.name] = [f"{f.label} must be at most {limit} characters."]
                continue
            if f.type == FieldType.SELECT and f.choices and value not in [str(c) for c in f.choices]:
                errors[f.name] = [f"Choose one of the options for {f.label}."]
                continue
        if f.target == "email":
            value = normalise_email(value)
            if not valid_email(value):
                errors[f.name] = ["Enter a valid email address, like name@example.com."]
                continue
            email = value
        elif f.target == "country":
            if not _COUNTRY.match(value):
                errors[f.name] = ["Use the two-letter country code, like FR or US."]
                continue
            value = value.upper()
            standard["country"] = value
        elif f.target.startswith(PROPERTY_PREFIX):
            props_raw[f.target.removeprefix(PROPERTY_PREFIX)] = value
        else:
            standard[f.target] = value
        values[f.target] = value
    if consent_required and not _truthy(consent):
        errors["consent"] = ["Please tick the consent box to continue."]
    properties: dict[str, Any] = {}
    if props_raw:
        try:
            properties = clean_properties(PropertyDefinition.ObjectType.CONTACT, props_raw)
        except Invalid as exc:
            for key, messages in exc.field_errors.items():
                target = PROPERTY_PREFIX + key.removeprefix("properties.")
                errors[target.replace(":", "__")] = messages
    if not email and "email" not in errors and not errors:
        errors["email"] = ["Enter a valid email address, like name@example.com."]
    if errors:
        raise Invalid("Please correct the fields marked below.", field_errors=errors)
    return CleanedValues(email=email, values=values, standard=standard, properties=properties)
