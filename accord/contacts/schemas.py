"""Request and response bodies of the contacts API.

Input schemas refuse unknown fields and take their length limits from the models. Update
schemas have no defaults that would be written: only the fields a client sends are changed
(``model_dump(exclude_unset=True)``), and ``null`` is accepted only where the model allows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from accord.contacts.models import Company, CompanySize, Contact, RevenueBand
from accord.core.api_support import CleanStr, Id, JsonObject, PageParams, model_max_length, not_null
from accord.lifecycle.stages import LifecycleStage


def _contact_len(name: str) -> int:
    return model_max_length(Contact, name)


def _company_len(name: str) -> int:
    return model_max_length(Company, name)


def _check_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValueError("Enter a valid email address.") from exc
    return value


def _check_country(value: str | None) -> str | None:
    if value is None or value == "":
        return value
    if not (len(value) == 2 and value.isascii() and value.isalpha()):
        raise ValueError("Use a two-letter ISO 3166-1 country code, e.g. DE.")
    return value.upper()


class _Input(Schema):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


# ------------------------------------------------------------------ contacts
class ContactQuery(PageParams):
    q: CleanStr | None = Field(None, max_length=200, description="Search in email, first and last name.")
    lifecycle_stage: LifecycleStage | None = None
    owner_id: Id | None = None
    company_id: Id | None = None


class ContactCreate(_Input):
    email: CleanStr = Field(max_length=_contact_len("email"))
    first_name: CleanStr = Field("", max_length=_contact_len("first_name"))
    last_name: CleanStr = Field("", max_length=_contact_len("last_name"))
    phone: CleanStr = Field("", max_length=_contact_len("phone"))
    title: CleanStr = Field("", max_length=_contact_len("title"))
    country: CleanStr = Field("", max_length=_contact_len("country"))
    company_id: Id | None = None
    owner_id: Id | None = None
    lifecycle_stage: LifecycleStage | None = Field(None, description="Initial stage; default subscriber.")
    properties: JsonObject = Field(default_factory=dict, description="Custom properties, defined first.")

    _email = field_validator("email")(_check_email)
    _country = field_validator("country")(_check_country)


class ContactUpdate(_Input):
    """Only the fields sent change. ``null`` is refused except for ``company_id`` and ``owner_id``."""

    email: CleanStr | None = Field(None, max_length=_contact_len("email"))
    first_name: CleanStr | None = Field(None, max_length=_contact_len("first_name"))
    last_name: CleanStr | None = Field(None, max_length=_contact_len("last_name"))
    phone: CleanStr | None = Field(None, max_length=_contact_len("phone"))
    title: CleanStr | None = Field(None, max_length=_contact_len("title"))
    country: CleanStr | None = Field(None, max_length=_contact_len("country"))
    company_id: Id | None = None
    owner_id: Id | None = None
    lifecycle_stage: LifecycleStage | None = Field(
        None, description="Moves the contact through the funnel; moving backwards needs `stage_reason`."
    )
    stage_reason: CleanStr | None = Field(
        None, max_length=2000, description="Why the stage changes; required to move backwards or recycle."
    )
    properties: JsonObject | None = Field(
        None, description="Merged into the existing properties; null removes a key."
    )

    _not_null = not_null(
        "email",
        "first_name",
        "last_name",
        "phone",
        "title",
        "country",
        "lifecycle_stage",
        "stage_reason",
        "properties",
    )
    _email = field_validator("email")(_check_email)
    _country = field_validator("country")(_check_country)


class ContactOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str
    title: str
    country: str
    company_id: int | None
    owner_id: int | None
    lifecycle_stage: LifecycleStage
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    url: str = Field(description="The contact's page in Accord.")

    @staticmethod
    def resolve_url(obj: Contact, context: dict[str, Any]) -> str:
        return str(context["request"].build_absolute_uri(obj.get_absolute_url()))


# ------------------------------------------------------------------ companies
class CompanyQuery(PageParams):
    q: CleanStr | None = Field(None, max_length=200, description="Search in name and domain.")
    industry: CleanStr | None = Field(
        None, max_length=_company_len("industry"), description="Exact, any case."
    )
    owner_id: Id | None = None


def _choice_field(choices: type[models.TextChoices], default: str | None) -> Any:
    return Field(
        default, json_schema_extra={"enum": ["", *choices.values]}, description="Empty when unknown."
    )


def _check_choice(choices: type[models.TextChoices]) -> Any:
    def check(value: str | None) -> str | None:
        if value is None or value == "" or value in choices.values:
            return value
        raise ValueError(f"Must be one of: {', '.join(choices.values)} (or empty).")

    return check


class CompanyCreate(_Input):
    name: CleanStr = Field(min_length=1, max_length=_company_len("name"))
    domain: CleanStr | None = Field(None, max_length=_company_len("domain"), description="e.g. example.com")
    industry: CleanStr = Field("", max_length=_company_len("industry"))
    size: CleanStr = _choice_field(CompanySize, "")
    revenue_band: CleanStr = _choice_field(RevenueBand, "")
    country: CleanStr = Field("", max_length=_company_len("country"))
    owner_id: Id | None = None
    properties: JsonObject = Field(default_factory=dict)

    _country = field_validator("country")(_check_country)
    _size = field_validator("size")(_check_choice(CompanySize))
    _revenue_band = field_validator("revenue_band")(_check_choice(RevenueBand))


class CompanyUpdate(_Input):
    """Only the fields sent change. ``null`` is refused except for ``domain`` and ``owner_id``."""

    name: CleanStr | None = Field(None, min_length=1, max_length=_company_len("name"))
    domain: CleanStr | None = Field(None, max_length=_company_len("domain"))
    industry: CleanStr | None = Field(None, max_length=_company_len("industry"))
    size: CleanStr | None = _choice_field(CompanySize, None)
    revenue_band: CleanStr | None = _choice_field(RevenueBand, None)
    country: CleanStr | None = Field(None, max_length=_company_len("country"))
    owner_id: Id | None = None
    properties: JsonObject | None = Field(
        None, description="Merged into the existing properties; null removes a key."
    )

    _not_null = not_null("name", "industry", "size", "revenue_band", "country", "properties")
    _country = field_validator("country")(_check_country)
    _size = field_validator("size")(_check_choice(CompanySize))
    _revenue_band = field_validator("revenue_band")(_check_choice(RevenueBand))


class CompanyOut(Schema):
    id: int
    name: str
    domain: str | None
    industry: str
    size: str
    revenue_band: str
    country: str
    lifecycle_stage: str
    owner_id: int | None
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    url: str = Field(description="The company's page in Accord.")

    @staticmethod
    def resolve_url(obj: Company, context: dict[str, Any]) -> str:
        return str(context["request"].build_absolute_uri(obj.get_absolute_url()))
