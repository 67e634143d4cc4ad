"""Request and response bodies of the forms API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from accord.core.api_support import CleanStr, Id, JsonObject, PageParams, not_null


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class FormQuery(PageParams):
    q: str = Field("", max_length=200, description="Search in name, URL name and heading.")
    status: Literal["all", "active", "closed"] = Field(
        "all", description="`active`: forms accepting submissions; `closed`: closed ones."
    )


class FieldIn(_Input):
    target: CleanStr = Field(
        max_length=80,
        description="`email`, `first_name`, `last_name`, `phone`, `title`, `company_name`, `country` "
        "or `property:<key>` for a custom contact property.",
    )
    label: CleanStr = Field("", max_length=200)
    type: CleanStr = Field(
        "", description="text, email, tel, select, checkbox, textarea; default per target."
    )
    required: bool = False
    help_text: CleanStr = Field("", max_length=300)
    choices: list[CleanStr] = Field(default_factory=list, max_length=200)


class FormCreate(_Input):
    name: CleanStr = Field(max_length=200)
    slug: CleanStr = Field("", max_length=80)
    title: CleanStr = Field("", max_length=200)
    description: CleanStr = Field("", max_length=5000)
    submit_label: CleanStr = Field("Submit", max_length=60)
    consent_required: bool = False
    consent_text: CleanStr = Field("", max_length=5000)
    newsletter_only: bool = False
    double_opt_in: bool = False
    default_campaign_id: Id | None = None
    success_message: CleanStr = Field("", max_length=5000)
    redirect_url: CleanStr = Field("", max_length=500, description="http(s) only.")
    asset_url: CleanStr = Field("", max_length=500, description="http(s) only.")
    asset_name: CleanStr = Field("", max_length=200)
    is_active: bool = True
    fields: list[FieldIn] = Field(min_length=1, max_length=40)


class FormUpdate(_Input):
    """A partial update: only the keys sent change. `fields`, when sent, replaces the whole list;
    a changed `consent_text` becomes a new consent version. `default_campaign_id: null` removes it."""

    name: CleanStr | None = Field(None, max_length=200)
    slug: CleanStr | None = Field(None, max_length=80)
    title: CleanStr | None = Field(None, max_length=200)
    description: CleanStr | None = Field(None, max_length=5000)
    submit_label: CleanStr | None = Field(None, max_length=60)
    consent_required: bool | None = None
    consent_text: CleanStr | None = Field(None, max_length=5000)
    newsletter_only: bool | None = None
    double_opt_in: bool | None = None
    default_campaign_id: Id | None = None
    success_message: CleanStr | None = Field(None, max_length=5000)
    redirect_url: CleanStr | None = Field(None, max_length=500, description="http(s) only.")
    asset_url: CleanStr | None = Field(None, max_length=500, description="http(s) only.")
    asset_name: CleanStr | None = Field(None, max_length=200)
    is_active: bool | None = None
    fields: list[FieldIn] | None = Field(None, min_length=1, max_length=40)

    _not_null = not_null(
        "name", "slug", "title", "description", "submit_label", "consent_required", "consent_text",
        "newsletter_only", "double_opt_in", "success_message", "redirect_url", "asset_url", "asset_name",
        "is_active", "fields",
    )  # fmt: skip


class FieldOut(Schema):
    target: str
    label: str
    type: str
    required: bool
    help_text: str
    choices: list[Any]
    name: str = Field(description="The input name to post the value under.")


class FormOut(Schema):
    id: int
    name: str
    slug: str
    title: str
    description: str
    owner_id: int | None
    consent_required: bool
    consent_version: int | None
    consent_text: str
    newsletter_only: bool
    double_opt_in: bool
    default_campaign_id: int | None
    submit_label: str
    success_message: str
    redirect_url: str
    asset_url: str
    has_asset: bool
    asset_name: str
    is_active: bool
    hosted_url: str
    submission_count: int
    fields: list[FieldOut]
    created_at: datetime


class SubmissionOut(Schema):
    id: int
    form_id: int
    status: str
    email: str
    contact_id: int | None
    campaign_id: int | None
    data: dict[str, Any]
    utm: dict[str, Any]
    page_url: str
    referrer: str
    ip: str | None
    user_agent: str
    consent_version: int | None
    submitted_at: datetime
    confirmed_at: datetime | None


class SubmitIn(_Input):
    values: JsonObject = Field(description="Values by field name (see the form's `fields[].name`).")
    consent: bool = False
    page_url: CleanStr = Field("", max_length=2000)
    referrer: CleanStr = Field("", max_length=2000)
    anonymous_id: CleanStr = Field("", max_length=200)
    utm_source: CleanStr = Field("", max_length=100)
    utm_medium: CleanStr = Field("", max_length=100)
    utm_campaign: CleanStr = Field("", max_length=100)
    utm_term: CleanStr = Field("", max_length=100)
    utm_content: CleanStr = Field("", max_length=100)
    website_url: CleanStr = Field("", max_length=500, description="Honeypot: leave empty.")


class SubmitOut(Schema):
    status: str = Field(description="`received`, or `pending_confirmation` for double opt-in forms.")
    message: str
    download_url: str = ""
