"""Which leads a user may see: one query both the API and the pages use."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accord.accounts.permissions import ALL, Action, PermissionDenied, Resource, grant
from accord.handoff.models import LeadAssignment


def visible_leads(user: Any) -> QuerySet[LeadAssignment]:
    """Leads ``user`` may see: every lead with the ALL grant, own and team's with TEAM, else none."""
    scope = grant(user, Action.VIEW, Resource.LEAD)
    qs = LeadAssignment.objects.select_related("contact", "owner")
    if scope == ALL:
        return qs
    if scope is None:
        raise PermissionDenied(Action.VIEW, Resource.LEAD)
    team = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    return qs.filter(Q(owner_id=user.pk) | team)
