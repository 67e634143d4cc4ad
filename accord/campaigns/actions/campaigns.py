"""Writes on campaigns, their dated costs and their UTM mapping rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from accord.accounts.models import User
from accord.campaigns.actions._checks import full_clean, invalid, money, required_money, text
from accord.campaigns.models import Campaign, CampaignCost, CostCategory, UtmRule
from accord.core.errors import Conflict, Invalid

CAMPAIGN_FIELDS = (
    "name", "channel", "status", "utm_source", "utm_medium", "utm_campaign",
    "budget", "start_date", "end_date", "owner", "description",
)  # fmt: skip
_TRIMMED = ("name", "utm_source", "utm_medium", "utm_campaign")


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    for name in _TRIMMED:
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if "budget" in fields:
        fields["budget"] = money(fields["budget"], "budget")


def _validate(campaign: Campaign) -> None:
    full_clean(campaign)
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        raise Invalid(
            "The campaign ends before it starts.",
            field_errors={"end_date": ["Must be on or after the start date."]},
        )


def create_campaign(*, by: User | None = None, **fields: Any) -> Campaign:
    """Create a campaign. Without an ``owner``, the user creating it (``by``) owns it."""
    _check_fields(fields)
    if "owner" not in fields and by is not None:
        fields["owner"] = by
    campaign = Campaign(**fields)
    _validate(campaign)
    with transaction.atomic():
        campaign.save()
    return campaign


def update_campaign(campaign: Campaign, *, by: User | None = None, **fields: Any) -> Campaign:
    """Change the given fields of ``campaign``."""
    _check_fields(fields)
    for name, value in fields.items():
        setattr(campaign, name, value)
    _validate(campaign)
    with transaction.atomic():
        campaign.save(update_fields=[*fields, "updated_at"])
    return campaign


def delete_campaign(campaign: Campaign) -> None:
    """Delete ``campaign`` with its costs, links, rules, sessions and registrations.

    Refused while affiliate conversions (money owed or paid) are recorded against it.
    """
    try:
        with transaction.atomic():
            campaign.delete()
    except ProtectedError as exc:
        raise Conflict(
            "This campaign has affiliate conversions; it cannot be deleted. Set it to completed instead.",
            code="campaign_has_conversions",
        ) from exc


# ---------------------------------------------------------------- costs
def add_cost(
    campaign: Campaign,
    *,
    date: date | None,
    amount: Any,
    category: str = CostCategory.MEDIA,
    note: str = "",
    by: User | None = None,
) -> CampaignCost:
    """Record money spent on ``campaign`` on ``date``."""
    if date is None:
        raise invalid("date", "This field is required.")
    cost = CampaignCost(
        campaign=campaign,
        date=date,
        amount=required_money(amount, "amount"),
        category=category,
        note=text(note, "note", max_length=500),
        created_by=by,
    )
    full_clean(cost, exclude=["campaign", "created_by"])
    with transaction.atomic():
        cost.save()
    return cost


def delete_cost(cost: CampaignCost) -> None:
    with transaction.atomic():
        cost.delete()


# ---------------------------------------------------------------- UTM rules
def add_utm_rule(
    campaign: Campaign,
    *,
    source: str = "",
    medium: str = "",
    name: str = "",
    priority: int = 0,
    by: User | None = None,
) -> UtmRule:
    """Map UTM codes to ``campaign``. Codes are stored lower-cased; a blank code matches any value,
    but at least one must be set. A pattern maps to one campaign only."""
    rule = UtmRule(
        campaign=campaign,
        source=text(source, "source", max_length=100, lower=True),
        medium=text(medium, "medium", max_length=100, lower=True),
        name=text(name, "name", max_length=100, lower=True),
        priority=priority,
        created_by=by,
    )
    if not (rule.source or rule.medium or rule.name):
        raise Invalid(
            "Set at least one of source, medium or campaign name: a rule matching everything would "
            "claim all traffic.",
            field_errors={"__all__": ["Set at least one UTM code."]},
        )
    if not isinstance(priority, int) or isinstance(priority, bool) or not -1000 <= priority <= 1000:
        raise invalid("priority", "Use a whole number from -1000 to 1000.")
    taken = UtmRule.objects.filter(source=rule.source, medium=rule.medium, name=rule.name).first()
    if taken is not None:
        raise _duplicate_rule(taken)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:  # the same pattern added concurrently
        raise _duplicate_rule(None) from exc
    return rule


def _duplicate_rule(taken: UtmRule | None) -> Conflict:
    where = f" (it maps to “{taken.campaign}”)" if taken is not None else ""
    return Conflict(
        f"A rule with these UTM codes exists already{where}.",
        field_errors={"__all__": ["These UTM codes are mapped already."]},
        code="duplicate_utm_rule",
    )


def delete_utm_rule(rule: UtmRule) -> None:
    with transaction.atomic():
        rule.delete()
