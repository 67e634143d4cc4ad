"""The demo company's campaigns, one or more per channel, and a look-up of which ran when."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.utils.text import slugify

from accord.accounts.models import User
from accord.campaigns.actions import add_cost, create_campaign
from accord.campaigns.models import Campaign, Channel, CostCategory
from accord.demo.draws import Weighted
from accord.demo.staff import Staff

WINDOW_DAYS = 182  # the demo's history: the last six months


COST_CATEGORIES: dict[str, str] = {
    Channel.DIGITAL: CostCategory.MEDIA,
    Channel.SOCIAL: CostCategory.MEDIA,
    Channel.EVENT: CostCategory.EVENT,
    Channel.CONTENT: CostCategory.CONTENT,
    Channel.AFFILIATE: CostCategory.COMMISSION,
    Channel.PR: CostCategory.AGENCY,
    Channel.OUTBOUND: CostCategory.TOOLS,
}


class CampaignPlan(NamedTuple):
    channel: str
    name: str  # "{year}" is replaced by the start year
    utm_source: str
    utm_medium: str
    budget: int
    start_day: int  # days after the window starts
    days: int | None  # None: always on, runs until today
    owner: str
    paused: bool = False


CAMPAIGN_PLANS: tuple[CampaignPlan, ...] = (
    CampaignPlan(Channel.DIGITAL, "Google Ads – Brand search", "google", "cpc", 18_000, 0, None, "mark"),
    CampaignPlan(Channel.DIGITAL, "Google Ads – Competitor keywords", "google", "cpc", 24_000, 20, 120, "mark"),
    CampaignPlan(Channel.DIGITAL, "Capterra sponsored listing", "capterra", "cpc", 9_000, 45, None, "mark"),
    CampaignPlan(Channel.DIGITAL, "Display retargeting", "google", "display", 12_000, 90, 60, "mark", paused=True),
    CampaignPlan(Channel.INBOUND, "SEO – Finance automation hub", "google", "organic", 6_000, 0, None, "priya"),
    CampaignPlan(Channel.INBOUND, "Website – Demo requests", "website", "inbound", 2_000, 0, None, "maria"),
    CampaignPlan(Channel.INBOUND, "G2 category listing", "g2", "referral", 7_000, 30, None, "priya"),
    CampaignPlan(Channel.OUTBOUND, "Outbound – Mid-market finance leaders", "outreach", "outbound", 8_000, 0, None, "tom"),
    CampaignPlan(Channel.OUTBOUND, "Outbound – Enterprise ABM", "outreach", "outbound", 12_000, 60, 90, "tom"),
    CampaignPlan(Channel.OUTBOUND, "Cold calling – DACH", "phone", "call", 6_000, 100, 60, "tom"),
    CampaignPlan(Channel.CONTENT, "State of Finance Automation {year} report", "website", "content", 15_000, 35, 90, "priya"),
    CampaignPlan(Channel.CONTENT, "Month-end close playbook", "website", "ebook", 5_000, 0, None, "priya"),
    CampaignPlan(Channel.CONTENT, "Blog – Approval workflows series", "blog", "content", 3_000, 100, 60, "priya"),
    CampaignPlan(Channel.SOCIAL, "LinkedIn Ads – CFO audience", "linkedin", "paid-social", 20_000, 10, 100, "mark"),
    CampaignPlan(Channel.SOCIAL, "LinkedIn organic – Founder posts", "linkedin", "social", 0, 0, None, "maria"),
    CampaignPlan(Channel.SOCIAL, "YouTube – Product tour shorts", "youtube", "video", 4_000, 120, 45, "mark"),
    CampaignPlan(Channel.EMAIL, "Monthly newsletter", "newsletter", "email", 1_500, 0, None, "tom"),
    CampaignPlan(Channel.EMAIL, "Nurture – Trial to paid", "brightloop", "email", 1_000, 0, None, "tom"),
    CampaignPlan(Channel.EMAIL, "Product updates digest", "newsletter", "email", 500, 80, 60, "tom"),
    CampaignPlan(Channel.AFFILIATE, "Partner program – Accounting firms", "partner", "affiliate", 10_000, 0, None, "maria"),
    CampaignPlan(Channel.AFFILIATE, "Customer referral program", "referral", "affiliate", 3_000, 40, None, "maria"),
    CampaignPlan(Channel.EVENT, "SaaStr Annual {year} booth", "saastr", "event", 45_000, 40, 21, "maria"),
    CampaignPlan(Channel.EVENT, "Finance Automation Summit London", "fas-london", "event", 30_000, 110, 21, "maria"),
    CampaignPlan(Channel.EVENT, "Webinar: Close the books in 3 days", "zoom", "webinar", 2_000, 70, 14, "priya"),
    CampaignPlan(Channel.EVENT, "Webinar: AP automation live demo", "zoom", "webinar", 2_000, 150, 14, "priya"),
    CampaignPlan(Channel.PR, "Series B announcement", "press", "pr", 8_000, 55, 30, "maria"),
    CampaignPlan(Channel.PR, "Analyst briefing – Finance automation", "analyst", "pr", 5_000, 130, 40, "maria"),
    CampaignPlan(Channel.PRODUCT, "Launch: AI invoice matching", "product", "launch", 10_000, 75, 45, "tom"),
    CampaignPlan(Channel.PRODUCT, "In-app upgrade prompts", "app", "in-app", 0, 0, None, "tom"),
    CampaignPlan(Channel.PRODUCT, "Pricing page experiment", "website", "product", 2_000, 140, 30, "mark"),
)  # fmt: skip


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    channel: str
    name: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    starts: datetime
    ends: datetime

    @property
    def utm_query(self) -> str:
        return f"utm_source={self.utm_source}&utm_medium={self.utm_medium}&utm_campaign={self.utm_campaign}"

    def context(self) -> dict[str, str]:
        """The Segment ``context.campaign`` object."""
        return {"source": self.utm_source, "medium": self.utm_medium, "name": self.utm_campaign}


def _status(plan: CampaignPlan, start: date, end: date, today: date) -> str:
    if plan.paused and end >= today:
        return Campaign.Status.PAUSED
    if end < today:
        return Campaign.Status.COMPLETED
    return Campaign.Status.ACTIVE if start <= today else Campaign.Status.PLANNED


def _add_monthly_costs(
    campaign: Campaign, plan: CampaignPlan, start: date, end: date, rng: random.Random, by: User
) -> None:
    """Spend the budget month by month over the days the campaign ran (give or take 10 %)."""
    if not plan.budget:
        return
    planned_days = plan.days or WINDOW_DAYS
    day = start
    while day <= end:
        next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        days = (min(end, next_month - timedelta(days=1)) - day).days + 1
        amount = Decimal(plan.budget * days / planned_days * rng.uniform(0.9, 1.1)).quantize(Decimal("0.01"))
        category = COST_CATEGORIES.get(plan.channel, CostCategory.TOOLS)
        add_cost(campaign, date=day, amount=amount, category=category, note=f"{day:%B %Y}", by=by)
        day = next_month


def create_campaigns(staff: Staff, *, now: datetime, rng: random.Random) -> list[CampaignInfo]:
    """Create :data:`CAMPAIGN_PLANS` and their monthly costs through the campaigns actions."""
    window_start = now - timedelta(days=WINDOW_DAYS)
    today = now.date()
    owners = User.objects.in_bulk(list(staff.by_username.values()))
    created: list[CampaignInfo] = []
    for plan in CAMPAIGN_PLANS:
        start = (window_start + timedelta(days=plan.start_day)).date()
        end = today if plan.days is None else min(today, start + timedelta(days=plan.days - 1))
        name = plan.name.format(year=start.year)
        campaign = create_campaign(
            name=name,
            channel=plan.channel,
            status=_status(plan, start, end, today),
            utm_source=plan.utm_source,
            utm_medium=plan.utm_medium,
            utm_campaign=slugify(name),
            budget=Decimal(plan.budget),
            start_date=start,
            end_date=end,
            owner=owners[staff.by_username[plan.owner]],
            description=f"{Channel(plan.channel).label} campaign with a budget of ${plan.budget:,}.",
        )
        _add_monthly_costs(campaign, plan, start, end, rng, owners[staff.by_username[plan.owner]])
        # Campaigns were set up a couple of weeks before they started.
        created_at = datetime.combine(start, time(9), tzinfo=now.tzinfo) - timedelta(days=14)
        Campaign.objects.filter(pk=campaign.pk).update(created_at=created_at, updated_at=created_at)
        starts = datetime.combine(start, time.min, tzinfo=now.tzinfo)
        ends = min(now, datetime.combine(end, time.max, tzinfo=now.tzinfo))
        created.append(
            CampaignInfo(
                campaign.pk, plan.channel, name, plan.utm_source, plan.utm_medium, slugify(name), starts, ends
            )
        )
    return created


class CampaignBook:
    """Which campaigns of a channel were running on a given day, for attributing touchpoints."""

    def __init__(self, campaigns: Sequence[CampaignInfo], *, now: datetime) -> None:
        self.window_start = now - timedelta(days=WINDOW_DAYS)
        self.campaigns = list(campaigns)
        self._running: dict[str, list[list[CampaignInfo]]] = {}
        for channel in Channel.values:
            days: list[list[CampaignInfo]] = []
            for day in range(WINDOW_DAYS + 1):
                noon = self.window_start + timedelta(days=day, hours=12)
                days.append([c for c in campaigns if c.channel == channel and c.starts <= noon <= c.ends])
            self._running[channel] = days
        self.events = [c for c in campaigns if c.channel == Channel.EVENT]

    def _day(self, at: datetime) -> int:
        return max(0, min(WINDOW_DAYS, (at - self.window_start).days))

    def running(self, channel: str, at: datetime, rng: random.Random) -> CampaignInfo | None:
        candidates = self._running[channel][self._day(at)]
        return rng.choice(candidates) if candidates else None

    def pick(self, mix: Weighted[str | None], at: datetime, rng: random.Random) -> CampaignInfo | None:
        """A campaign of a channel drawn from ``mix`` that was running at ``at``; None = unattributed."""
        channel = mix.draw(rng)
        return None if channel is None else self.running(channel, at, rng)
