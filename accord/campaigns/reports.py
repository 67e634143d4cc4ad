"""Read-side figures of campaigns: spend, clicks, attendance, mentions, affiliate earnings.

Every function is an aggregate query (or a fixed number of them), never a Python loop over rows.
Periods are calendar weeks (starting Monday) or months, in the current time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek

from accord.campaigns.models import (
    Affiliate,
    AffiliateConversion,
    BrandMention,
    Campaign,
    CampaignCost,
    EventSession,
    LinkClick,
    Sentiment,
)

Period = Literal["week", "month"]
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _trunc(period: Period, field: str) -> Any:
    if period == "week":
        return TruncWeek(field)
    if period == "month":
        return TruncMonth(field)
    raise ValueError(f"period must be 'week' or 'month', not {period!r}")


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def period_start(day: date, period: Period) -> date:
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def periods_between(start: date, end: date, period: Period) -> list[date]:
    """The starts of every period from the one holding ``start`` to the one holding ``end``."""
    current, last, out = period_start(start, period), period_start(end, period), []
    while current <= last:
        out.append(current)
        if period == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


# ---------------------------------------------------------------- spend
def with_spend(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """``campaigns`` annotated with ``spent``: the sum of their cost entries (a subquery per row,
    so it combines with other annotations without multiplying rows)."""
    total = (
        CampaignCost.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return campaigns.annotate(spent=Coalesce(Subquery(total, output_field=_MONEY), Value(ZERO, _MONEY)))


def cost_total(
    *, start: date | None = None, end: date | None = None, campaign_ids: Iterable[int] | None = None,
    channel: str | None = None,
) -> Decimal:  # fmt: skip
    """Marketing spend between ``start`` and ``end`` (inclusive), for CAC and ROI."""
    costs = CampaignCost.objects.all()
    if start:
        costs = costs.filter(date__gte=start)
    if end:
        costs = costs.filter(date__lte=end)
    if campaign_ids is not None:
        costs = costs.filter(campaign_id__in=list(campaign_ids))
    if channel:
        costs = costs.filter(campaign__channel=channel)
    return costs.aggregate(total=Sum("amount"))["total"] or ZERO


@dataclass(frozen=True)
class PeriodAmount:
    campaign_id: int
    period: date
    total: Decimal


def costs_by_period(
    period: Period = "month", *, campaign_ids: Iterable[int] | None = None,
    start: date | None = None, end: date | None = None,
) -> list[PeriodAmount]:  # fmt: skip
    """Spend per campaign and period, oldest first."""
    costs = CampaignCost.objects.all()
    if campaign_ids is not None:
        costs = costs.filter(campaign_id__in=list(campaign_ids))
    if start:
        costs = costs.filter(date__gte=start)
    if end:
        costs = costs.filter(date__lte=end)
    rows = (
        costs.annotate(p=_trunc(period, "date"))
        .values("campaign_id", "p")
        .annotate(total=Sum("amount"))
        .order_by("p", "campaign_id")
    )
    return [PeriodAmount(r["campaign_id"], _as_date(r["p"]), r["total"]) for r in rows]


def costs_by_category(campaign_id: int) -> list[tuple[str, Decimal]]:
    rows = (
        CampaignCost.objects.filter(campaign_id=campaign_id)
        .values("category")
        .annotate(total=Sum("amount"))
        .order_by("-total", "category")
    )
    return [(r["category"], r["total"]) for r in rows]


def percent_of(part: Decimal | int, whole: Decimal | int) -> int | None:
    """``part`` as a whole percentage of ``whole`` (None without a whole)."""
    if not whole:
        return None
    return round(Decimal(part) * 100 / Decimal(whole))


# ---------------------------------------------------------------- clicks
@dataclass(frozen=True)
class ClickStats:
    clicks: int = 0
    unique: int = 0


def click_stats(link_ids: Sequence[int]) -> dict[int, ClickStats]:
    """Clicks and unique clickers (by hashed IP) per link."""
    rows = (
        LinkClick.objects.filter(link_id__in=list(link_ids))
        .values("link_id")
        .annotate(n=Count("id"), u=Count("ip_hash", distinct=True))
        .order_by()
    )
    return {r["link_id"]: ClickStats(r["n"], r["u"]) for r in rows}


# ---------------------------------------------------------------- events
def sessions_with_attendance(campaign_id: int) -> QuerySet[EventSession]:
    """The campaign's sessions annotated with ``registered`` and ``attended``."""
    return EventSession.objects.filter(campaign_id=campaign_id).annotate(
        registered=Count("registrations"),
        attended=Count("registrations", filter=Q(registrations__attended=True)),
    )


def attendance(campaign_id: int) -> tuple[int, int, int | None]:
    """(registered, attended, attendance rate in percent or None) over the campaign's sessions."""
    totals = EventSession.objects.filter(campaign_id=campaign_id).aggregate(
        registered=Count("registrations"),
        attended=Count("registrations", filter=Q(registrations__attended=True)),
    )
    return totals["registered"], totals["attended"], percent_of(totals["attended"], totals["registered"])


# ---------------------------------------------------------------- mentions
@dataclass(frozen=True)
class MentionPeriod:
    period: date
    count: int
    reach: int
    positive: int
    negative: int


def mention_counts(
    period: Period = "week", *, campaign_id: int | None = None, start: date | None = None,
    end: date | None = None, fill: bool = False,
) -> list[MentionPeriod]:  # fmt: skip
    """Mentions per period (of one campaign, or all), oldest first. With ``fill`` (and ``start``
    and ``end``) periods without mentions are included with zeros."""
    mentions = BrandMention.objects.all()
    if campaign_id is not None:
        mentions = mentions.filter(campaign_id=campaign_id)
    if start:
        mentions = mentions.filter(occurred_at__date__gte=start)
    if end:
        mentions = mentions.filter(occurred_at__date__lte=end)
    rows = (
        mentions.annotate(p=_trunc(period, "occurred_at"))
        .values("p")
        .annotate(
            n=Count("id"),
            reach=Coalesce(Sum("reach"), 0),
            pos=Count("id", filter=Q(sentiment=Sentiment.POSITIVE)),
            neg=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
        )
        .order_by("p")
    )
    found = {
        _as_date(r["p"]): MentionPeriod(_as_date(r["p"]), r["n"], r["reach"], r["pos"], r["neg"])
        for r in rows
    }
    if not (fill and start and end):
        return list(found.values())
    return [found.get(p, MentionPeriod(p, 0, 0, 0, 0)) for p in periods_between(start, end, period)]


def mention_counts_by_campaign(
    period: Period = "month", *, start: date | None = None, end: date | None = None
) -> list[tuple[int | None, date, int]]:
    """(campaign id or None, period start, mentions) for every campaign and period."""
    mentions = BrandMention.objects.all()
    if start:
        mentions = mentions.filter(occurred_at__date__gte=start)
    if end:
        mentions = mentions.filter(occurred_at__date__lte=end)
    rows = (
        mentions.annotate(p=_trunc(period, "occurred_at"))
        .values("campaign_id", "p")
        .annotate(n=Count("id"))
        .order_by("p", "campaign_id")
    )
    return [(r["campaign_id"], _as_date(r["p"]), r["n"]) for r in rows]


# ---------------------------------------------------------------- affiliates
@dataclass(frozen=True)
class AffiliateSummary:
    affiliate: Affiliate
    conversions: int
    revenue: Decimal
    commission: Decimal
    owed: Decimal  # approved, not yet paid


def affiliate_summary(campaign_id: int) -> list[AffiliateSummary]:
    """Per affiliate with a link in the campaign: conversions, revenue and commission (rejected
    conversions left out)."""
    counted = AffiliateConversion.objects.filter(campaign_id=campaign_id).exclude(
        status=AffiliateConversion.Status.REJECTED
    )
    totals: dict[int, tuple[int, Decimal, Decimal, Decimal]] = {
        r["affiliate_id"]: (r["n"], r["revenue"] or ZERO, r["earned"] or ZERO, r["owed"] or ZERO)
        for r in counted.values("affiliate_id")
        .annotate(
            n=Count("id"),
            revenue=Sum("deal_amount"),
            earned=Sum("commission"),
            owed=Sum("commission", filter=Q(status=AffiliateConversion.Status.APPROVED)),
        )
        .order_by()
    }
    affiliates = Affiliate.objects.filter(links__link__campaign_id=campaign_id).distinct()
    return [AffiliateSummary(a, *totals.get(a.pk, (0, ZERO, ZERO, ZERO))) for a in affiliates]
