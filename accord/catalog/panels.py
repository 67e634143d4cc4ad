"""What the catalog adds to other apps' pages through :mod:`accord.core.panels`.

The deal page (``sales``, a higher app) shows the battle card of the competitor a deal names.
The context function reads only ``deal.competitor_id``, so the catalog never imports ``sales``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accord.accounts.permissions import Action, Resource, can
from accord.catalog.models import BattleCard, Competitor


def deal_battle_card(request: HttpRequest, deal: Any) -> dict[str, Any] | None:
    competitor_id = getattr(deal, "competitor_id", None)
    if competitor_id is None or not can(request.user, Action.VIEW, Resource.PRODUCT):  # type: ignore[arg-type]
        return None
    competitor = Competitor.objects.filter(pk=competitor_id).first()
    if competitor is None:
        return None
    return {"competitor": competitor, "card": BattleCard.objects.filter(competitor=competitor).first()}


def register() -> None:
    from accord.core import panels

    panels.register(
        "deal", "battle_card", template="catalog/_deal_battle_card.html", context=deal_battle_card, order=40
    )
