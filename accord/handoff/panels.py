"""Panels the handoff adds to lower apps' pages: lead quality on the campaign page (marketing sees
every verdict), the open lead on the contact page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accord.accounts.permissions import ALL, Action, Resource, can, grant
from accord.handoff.models import LeadAssignment
from accord.handoff.quality import campaign_lead_quality


def campaign_quality(request: HttpRequest, campaign: Any) -> dict[str, Any] | None:
    user: Any = request.user
    if grant(user, Action.VIEW, Resource.LEAD) != ALL:
        return None
    return {"quality": campaign_lead_quality(campaign.pk), "campaign": campaign}


def contact_lead(request: HttpRequest, contact: Any) -> dict[str, Any] | None:
    lead = (
        LeadAssignment.objects.filter(contact_id=contact.pk)
        .select_related("owner", "team")
        .order_by("-assigned_at", "-pk")
        .first()
    )
    if lead is None or not can(request.user, Action.VIEW, Resource.LEAD, lead):  # type: ignore[arg-type]
        return None
    return {"lead": lead}


HOME_LEADS = 5


def home_leads(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    """The home page's "Your leads": the rep's open leads with their SLA clocks, soonest due first."""
    from accord.handoff.sla import clocks

    if not can(user, Action.CHANGE, Resource.LEAD):
        return None
    mine = LeadAssignment.objects.filter(owner=user, status__in=LeadAssignment.ACTIVE)
    total = mine.count()
    leads = list(mine.select_related("contact").order_by("verdict_due", "pk")[:HOME_LEADS])
    times = clocks(leads)
    return {"leads": [(lead, times[lead.pk]) for lead in leads], "total": total}
