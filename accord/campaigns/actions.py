"""Write operations on campaigns."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accord.campaigns.models import Campaign
from accord.core.errors import Invalid, from_django_validation

CAMPAIGN_FIELDS = (
    "name", "channel", "status", "utm_source", "utm_medium", "utm_campaign",
    "budget", "start_date", "end_date", "owner", "description",
)  # fmt: skip


def create_campaign(**fields: Any) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    campaign = Campaign(**fields)
    try:
        campaign.full_clean()
    except ValidationError as exc:
        raise from_django_validation(exc) from exc
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        raise Invalid(
            "The campaign ends before it starts.",
            field_errors={"end_date": ["Must be after the start date."]},
        )
    with transaction.atomic():
        campaign.save()
    return campaign
