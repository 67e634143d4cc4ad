"""REST endpoints for campaigns, their costs and tracking links, and brand mentions.

Mounted under ``/api/campaigns``. Each endpoint validates input (schemas), checks permission
(:mod:`accord.accounts.permissions`, resource ``campaign``) and calls one action.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from accord.accounts.api_auth import api_user
from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, check
from accord.campaigns import actions, reports
from accord.campaigns.models import BrandMention, Campaign, TrackingLink
from accord.campaigns.schemas import (
    CampaignCreate,
    CampaignOut,
    CampaignQuery,
    CampaignUpdate,
    CostCreate,
    CostOut,
    CostQuery,
    LinkCreate,
    LinkOut,
    MentionBatch,
    MentionCountOut,
    MentionCountQuery,
    MentionIngestOut,
    MentionOut,
    MentionQuery,
)
from accord.core.api_support import Page, PageParams, error_responses, paginate
from accord.core.errors import Invalid, NotFound

router = Router(tags=["campaigns"])

LIST_ERRORS = error_responses(401, 403, 422)
READ_ERRORS = error_responses(401, 403, 404)
SUB_LIST_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def _check(user: User, action: Action, obj: Campaign | None = None) -> None:
    check(user, action, Resource.CAMPAIGN, obj)


def _campaigns() -> QuerySet[Campaign]:
    return reports.with_spend(Campaign.objects.all())


def _get(pk: int, *, for_update: bool = False) -> Campaign:
    campaigns = Campaign.objects.select_for_update() if for_update else _campaigns()
    campaign = campaigns.filter(pk=pk).first()
    if campaign is None:
        raise NotFound(f"Campaign {pk} does not exist.")
    return campaign


def _owner(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``owner_id`` into the user the actions take; 422 if there is no such user."""
    if "owner_id" in data:
        pk = data.pop("owner_id")
        owner = User.objects.filter(pk=pk).first() if pk is not None else None
        if pk is not None and owner is None:
            raise Invalid(
                "Some fields are not valid.", field_errors={"owner_id": [f"There is no user with id {pk}."]}
            )
        data["owner"] = owner
    return data


# ------------------------------------------------------------------ campaigns
@router.get("", response={200: Page[CampaignOut], **LIST_ERRORS})
def list_campaigns(request: HttpRequest, query: Query[CampaignQuery]) -> dict[str, Any]:
    """Campaigns, latest start first, with what they spent."""
    _check(api_user(request), Action.VIEW)
    campaigns = _campaigns()
    if query.q:
        for term in query.q.split():
            campaigns = campaigns.filter(Q(name__icontains=term) | Q(utm_campaign__icontains=term))
    if query.channel:
        campaigns = campaigns.filter(channel=query.channel)
    if query.status:
        campaigns = campaigns.filter(status=query.status)
    if query.owner_id is not None:
        campaigns = campaigns.filter(owner_id=query.owner_id)
    return paginate(request, campaigns.order_by("-created_at", "-id"), query)


@router.post("", response={201: CampaignOut, **WRITE_ERRORS})
def create_campaign(request: HttpRequest, payload: CampaignCreate) -> Status[Campaign]:
    """Create a campaign; without `owner_id` the API key's user owns it."""
    user = api_user(request)
    _check(user, Action.ADD)
    data = _owner(payload.model_dump(exclude_unset=True))
    campaign = actions.create_campaign(by=user, **data)
    return Status(201, _get(campaign.pk))


@router.get("/{int:campaign_id}", response={200: CampaignOut, **READ_ERRORS})
def get_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    _check(api_user(request), Action.VIEW)
    return _get(campaign_id)


@router.patch("/{int:campaign_id}", response={200: CampaignOut, **WRITE_ERRORS})
def update_campaign(request: HttpRequest, campaign_id: int, payload: CampaignUpdate) -> Campaign:
    """Change the fields sent."""
    user = api_user(request)
    data = _owner(payload.model_dump(exclude_unset=True))
    with transaction.atomic():
        campaign = _get(campaign_id, for_update=True)
        _check(user, Action.CHANGE, campaign)
        if data:
            actions.update_campaign(campaign, by=user, **data)
    return _get(campaign_id)


@router.delete("/{int:campaign_id}", response={204: None, **error_responses(401, 403, 404, 409)})
def delete_campaign(request: HttpRequest, campaign_id: int) -> Status[None]:
    """Delete a campaign with its costs, links, rules and sessions (409 while affiliate
    conversions are recorded against it)."""
    user = api_user(request)
    campaign = _get(campaign_id)
    _check(user, Action.DELETE, campaign)
    actions.delete_campaign(campaign)
    return Status(204, None)


# ------------------------------------------------------------------ costs
@router.get("/{int:campaign_id}/costs", response={200: Page[CostOut], **SUB_LIST_ERRORS})
def list_costs(request: HttpRequest, campaign_id: int, query: Query[CostQuery]) -> dict[str, Any]:
    """The campaign's cost entries, newest date first."""
    _check(api_user(request), Action.VIEW)
    campaign = _get(campaign_id)
    costs = campaign.costs.all()
    if query.start:
        costs = costs.filter(date__gte=query.start)
    if query.end:
        costs = costs.filter(date__lte=query.end)
    return paginate(request, costs.order_by("-date", "-id"), query)


@router.post("/{int:campaign_id}/costs", response={201: CostOut, **WRITE_ERRORS})
def add_cost(request: HttpRequest, campaign_id: int, payload: CostCreate) -> Status[Any]:
    """Record money spent on the campaign on a date."""
    user = api_user(request)
    campaign = _get(campaign_id)
    _check(user, Action.CHANGE, campaign)
    return Status(201, actions.add_cost(campaign, by=user, **payload.model_dump()))


# ------------------------------------------------------------------ tracking links
def _with_clicks(links: list[TrackingLink]) -> list[TrackingLink]:
    stats = reports.click_stats([link.pk for link in links])
    for link in links:
        found = stats.get(link.pk, reports.ClickStats())
        link.click_total, link.unique_total = found.clicks, found.unique  # type: ignore[attr-defined]
    return links


@router.get("/{int:campaign_id}/links", response={200: Page[LinkOut], **SUB_LIST_ERRORS})
def list_links(request: HttpRequest, campaign_id: int, query: Query[PageParams]) -> dict[str, Any]:
    """The campaign's tracking links with their click counts, newest first."""
    _check(api_user(request), Action.VIEW)
    campaign = _get(campaign_id)
    page = paginate(request, campaign.links.order_by("-created_at", "-id"), query)
    page["items"] = _with_clicks(page["items"])
    return page


@router.post("/{int:campaign_id}/links", response={201: LinkOut, **WRITE_ERRORS})
def create_link(request: HttpRequest, campaign_id: int, payload: LinkCreate) -> Status[TrackingLink]:
    """Create a short link. The destination (with the campaign's UTM codes) is stored now; the
    short URL will only ever redirect there."""
    user = api_user(request)
    campaign = _get(campaign_id)
    _check(user, Action.CHANGE, campaign)
    link = actions.create_tracking_link(campaign, by=user, **payload.model_dump())
    return Status(201, _with_clicks([link])[0])


# ------------------------------------------------------------------ mentions
@router.post("/mentions", response={200: MentionIngestOut, **WRITE_ERRORS}, tags=["mentions"])
def ingest_mentions(request: HttpRequest, payload: MentionBatch) -> dict[str, int]:
    """Store brand mentions (PR, social, blogs, forums, news) in bulk.

    Idempotent: a mention whose `external_id` is known already is counted as a duplicate and left
    unchanged, so a batch can be retried safely. All or nothing: if one mention is not valid, none
    is stored and `field_errors` names it (`mentions.3.campaign_id`).
    """
    _check(api_user(request), Action.ADD)
    rows = [mention.model_dump(exclude_none=True) for mention in payload.mentions]
    result = actions.ingest_mentions(rows, partial=False)
    if result.errors:
        raise Invalid(
            "Some mentions are not valid; none was stored.",
            field_errors={
                f"mentions.{index}.{name}": messages
                for index, fields in sorted(result.errors.items())
                for name, messages in fields.items()
            },
        )
    return {"created": result.created, "duplicates": result.duplicates}


@router.get("/mentions", response={200: Page[MentionOut], **LIST_ERRORS}, tags=["mentions"])
def list_mentions(request: HttpRequest, query: Query[MentionQuery]) -> dict[str, Any]:
    """Brand mentions, newest first."""
    _check(api_user(request), Action.VIEW)
    mentions = BrandMention.objects.all()
    if query.campaign_id is not None:
        mentions = mentions.filter(campaign_id=query.campaign_id)
    if query.channel:
        mentions = mentions.filter(channel=query.channel)
    if query.since:
        mentions = mentions.filter(occurred_at__gte=query.since)
    if query.until:
        mentions = mentions.filter(occurred_at__lt=query.until)
    return paginate(request, mentions.order_by("-occurred_at", "-id"), query)


@router.get("/mentions/counts", response={200: list[MentionCountOut], **LIST_ERRORS}, tags=["mentions"])
def mention_counts(request: HttpRequest, query: Query[MentionCountQuery]) -> list[reports.MentionPeriod]:
    """Mentions per week (Monday) or month, of one campaign or all, oldest first."""
    _check(api_user(request), Action.VIEW)
    return reports.mention_counts(
        query.period, campaign_id=query.campaign_id, start=query.start, end=query.end
    )
