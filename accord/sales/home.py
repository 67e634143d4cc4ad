"""The home page's "Your pipeline" card (a panel on slot "home"): the user's open deals, a few
aggregate queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.http import HttpRequest
from django.utils import timezone

from accord.accounts.models import Role
from accord.accounts.permissions import Action, Resource, can
from accord.sales.models import Deal
from accord.sales.queries import rotting_deal_ids

CLOSING_SOON_DAYS = 30


def home_pipeline(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if not can(user, Action.CHANGE, Resource.DEAL):
        return None
    mine = Deal.objects.filter(owner=user, status=Deal.Status.OPEN)
    count = mine.count()
    if not count and user.effective_role != Role.ACCOUNT_EXECUTIVE:
        return None  # an SDR or a manager without deals of their own: no empty card
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability") / 100,
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    # one row per currency: amounts in different currencies are never added together
    totals = list(
        mine.values("currency")
        .annotate(total_amount=Sum("amount"), total_weighted=Sum(weighted))
        .order_by("-total_amount", "currency")
    )
    return {
        "count": count,
        "totals": [
            {
                "currency": t["currency"],
                "amount": t["total_amount"] or Decimal(0),
                "weighted": t["total_weighted"] or Decimal(0),
            }
            for t in totals
        ],
        "rotting": len(rotting_deal_ids(mine, timezone.now())),
        "closing_soon": mine.filter(
            expected_close__lte=timezone.localdate() + timedelta(days=CLOSING_SOON_DAYS)
        ).count(),
    }
