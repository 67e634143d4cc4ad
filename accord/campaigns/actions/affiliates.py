"""Affiliates: who they are, the links they get, what they earn and the conversions they bring."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accord.accounts.models import User
from accord.campaigns.actions._checks import (
    contact_exists,
    full_clean,
    invalid,
    money,
    required_money,
    text,
)
from accord.campaigns.actions.links import create_tracking_link
from accord.campaigns.models import (
    Affiliate,
    AffiliateConversion,
    AffiliateLink,
    Campaign,
    Channel,
    CommissionRule,
    TrackingLink,
)
from accord.core.errors import Conflict, Invalid

CENT = Decimal("0.01")
Status = AffiliateConversion.Status
# Which status a conversion may move to from each status. Paid and rejected are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED}),
    Status.APPROVED: frozenset({Status.PAID, Status.REJECTED}),
    Status.PAID: frozenset(),
    Status.REJECTED: frozenset(),
}


# ---------------------------------------------------------------- affiliates
def _email(value: Any) -> str:
    email = text(value, "email", max_length=254, lower=True)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise invalid("email", "Enter a valid email address.") from exc
    return email


def _save_affiliate(affiliate: Affiliate, update_fields: list[str] | None = None) -> Affiliate:
    full_clean(affiliate, exclude=["created_by"])
    duplicate = Affiliate.objects.filter(email=affiliate.email).exclude(pk=affiliate.pk)
    if affiliate.email and duplicate.exists():
        raise _duplicate_email()
    try:
        with transaction.atomic():
            affiliate.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise _duplicate_email() from exc
    return affiliate


def _duplicate_email() -> Conflict:
    return Conflict(
        "An affiliate with this email exists already.",
        field_errors={"email": ["An affiliate with this email exists already."]},
        code="duplicate_email",
    )


def create_affiliate(
    *, name: str, email: str = "", status: str = Affiliate.Status.ACTIVE, by: User | None = None
) -> Affiliate:
    affiliate = Affiliate(
        name=text(name, "name", max_length=200, required=True),
        email=_email(email),
        status=status,
        created_by=by,
    )
    return _save_affiliate(affiliate)


def update_affiliate(affiliate: Affiliate, **fields: Any) -> Affiliate:
    """Change ``name``, ``email`` or ``status``."""
    unknown = set(fields) - {"name", "email", "status"}
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if "name" in fields:
        affiliate.name = text(fields["name"], "name", max_length=200, required=True)
    if "email" in fields:
        affiliate.email = _email(fields["email"])
    if "status" in fields:
        affiliate.status = fields["status"]
    return _save_affiliate(affiliate, update_fields=list(fields))


def create_affiliate_link(
    campaign: Campaign,
    affiliate: Affiliate,
    *,
    destination: str,
    label: str = "",
    by: User | None = None,
) -> AffiliateLink:
    """A tracking link of an affiliate campaign, handed to ``affiliate``."""
    if campaign.channel != Channel.AFFILIATE:
        raise invalid("campaign", "Affiliate links belong to affiliate campaigns.")
    if affiliate.status != Affiliate.Status.ACTIVE:
        raise invalid(
            "affiliate", f"{affiliate} is {affiliate.get_status_display().lower()}; activate them first."
        )
    with transaction.atomic():
        link = create_tracking_link(campaign, destination=destination, label=label or affiliate.name, by=by)
        return AffiliateLink.objects.create(link=link, affiliate=affiliate)


# ---------------------------------------------------------------- commission rules
def set_commission_rule(
    campaign: Campaign,
    *,
    kind: str,
    percent: Any = None,
    flat_amount: Any = None,
    cap: Any = None,
    affiliate: Affiliate | None = None,
) -> CommissionRule:
    """Set the campaign's default rule, or ``affiliate``'s own rule in it (replacing any)."""
    if campaign.channel != Channel.AFFILIATE:
        raise invalid("campaign", "Commission rules belong to affiliate campaigns.")
    values: dict[str, Any] = {"kind": kind, "percent": None, "flat_amount": None}
    if kind == CommissionRule.Kind.PERCENT:
        rate = money(percent, "percent")
        if rate is not None and rate > 100:
            raise invalid("percent", "Must be at most 100.")
        values["percent"] = rate
    elif kind == CommissionRule.Kind.FLAT:
        values["flat_amount"] = money(flat_amount, "flat_amount")
    else:
        raise invalid("kind", f"Must be one of: {', '.join(CommissionRule.Kind.values)}.")
    values["cap"] = money(cap, "cap", required=False)
    with transaction.atomic():
        rule, _ = CommissionRule.objects.select_for_update().update_or_create(
            campaign=campaign, affiliate=affiliate, defaults=values
        )
    return rule


def delete_commission_rule(rule: CommissionRule) -> None:
    with transaction.atomic():
        rule.delete()


def rule_for(campaign_id: int, affiliate_id: int) -> CommissionRule | None:
    """The affiliate's own rule in the campaign, else the campaign's default rule."""
    rules = CommissionRule.objects.filter(campaign_id=campaign_id).filter(
        Q(affiliate_id=affiliate_id) | Q(affiliate__isnull=True)
    )
    return min(rules, key=lambda rule: rule.affiliate_id is None, default=None)


def compute_commission(rule: CommissionRule | None, deal_amount: Decimal) -> Decimal:
    """What ``rule`` pays for a conversion worth ``deal_amount``: a percentage (rounded half up to
    the cent) or a flat amount, limited to ``cap``. No rule pays nothing."""
    if rule is None:
        return Decimal("0.00")
    if rule.kind == CommissionRule.Kind.PERCENT:
        commission = (deal_amount * (rule.percent or Decimal(0)) / 100).quantize(CENT, ROUND_HALF_UP)
    else:
        commission = rule.flat_amount or Decimal("0.00")
    if rule.cap is not None:
        commission = min(commission, rule.cap)
    return commission.quantize(CENT)


# ---------------------------------------------------------------- conversions
def record_affiliate_conversion(
    affiliate: Affiliate,
    campaign: Campaign,
    *,
    deal_amount: Any,
    contact_id: int | None = None,
    link: TrackingLink | None = None,
    occurred_at: datetime | None = None,
    reference: str = "",
) -> AffiliateConversion:
    """Attribute a conversion to ``affiliate`` in ``campaign`` and store the commission its rule
    gives. With a ``reference`` (e.g. ``deal:42``) it is recorded once: recording it again returns
    the stored conversion."""
    amount = required_money(deal_amount, "deal_amount")
    reference = text(reference, "reference", max_length=100)
    if occurred_at is not None and timezone.is_naive(occurred_at):
        raise invalid("occurred_at", "Give a time zone.")
    links = AffiliateLink.objects.filter(affiliate=affiliate, link__campaign=campaign)
    if not links.exists():
        raise invalid("affiliate", f"{affiliate} has no link in this campaign.")
    if link is not None and not links.filter(link=link).exists():
        raise invalid("link_id", "This link is not the affiliate's link in this campaign.")
    if contact_id is not None and not contact_exists(AffiliateConversion, contact_id):
        raise invalid("contact_id", f"There is no contact with id {contact_id}.")
    if reference and (done := AffiliateConversion.objects.filter(reference=reference).first()):
        return _same_conversion(done, affiliate, campaign)
    rule = rule_for(campaign.pk, affiliate.pk)
    conversion = AffiliateConversion(
        affiliate=affiliate,
        campaign=campaign,
        link=link,
        contact_id=contact_id,
        deal_amount=amount,
        commission=compute_commission(rule, amount),
        rule=rule,
        reference=reference,
        occurred_at=occurred_at or timezone.now(),
    )
    try:
        with transaction.atomic():
            conversion.save()
    except IntegrityError as exc:  # the same reference recorded concurrently
        done = AffiliateConversion.objects.filter(reference=reference).first() if reference else None
        if done is None:
            raise
        raise Conflict("This conversion was just recorded.", code="duplicate_conversion") from exc
    return conversion


def _same_conversion(
    done: AffiliateConversion, affiliate: Affiliate, campaign: Campaign
) -> AffiliateConversion:
    if done.affiliate_id != affiliate.pk or done.campaign_id != campaign.pk:
        raise Conflict(
            f"Reference {done.reference!r} is already recorded for another affiliate or campaign.",
            field_errors={"reference": ["Already used."]},
            code="duplicate_conversion",
        )
    return done


def set_conversion_status(conversion: AffiliateConversion, status: str) -> AffiliateConversion:
    """Approve, pay or reject a conversion (pending → approved → paid; pending/approved → rejected)."""
    if status not in TRANSITIONS:
        raise invalid("status", f"Must be one of: {', '.join(TRANSITIONS)}.")
    with transaction.atomic():
        current = AffiliateConversion.objects.select_for_update().get(pk=conversion.pk)
        if status == current.status:
            return current
        if status not in TRANSITIONS[current.status]:
            raise Conflict(
                f"A {current.get_status_display().lower()} conversion cannot become {status}.",
                field_errors={"status": ["Not allowed from the current status."]},
                code="invalid_status_change",
            )
        current.status = status
        current.save(update_fields=["status", "updated_at"])
    return current
