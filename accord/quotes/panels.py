"""What quotes add to the deal and company pages (through :mod:`accord.core.panels`)."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest

from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, can
from accord.quotes import upsell
from accord.quotes.models import Quote
from accord.sales.models import Deal

MAX_QUOTES_SHOWN = 10


def may_quote(user: User, deal: Deal) -> bool:
    """May ``user`` start a quote on ``deal``: add quotes, change that deal, and the deal is open."""
    return (
        deal.status == Deal.Status.OPEN
        and can(user, Action.ADD, Resource.QUOTE)
        and can(user, Action.CHANGE, Resource.DEAL, deal)
    )


def deal_quotes(request: HttpRequest, deal: Deal) -> dict[str, Any] | None:
    user = cast(User, request.user)
    if not can(user, Action.VIEW, Resource.QUOTE):
        return None
    quotes = Quote.objects.filter(deal=deal).select_related("owner").order_by("-created_at", "-id")
    return {
        "deal": deal,
        "quotes": list(quotes[:MAX_QUOTES_SHOWN]),
        "quote_count": quotes.count(),
        "can_add": may_quote(user, deal),
    }


def _upsell(request: HttpRequest, company_id: int | None, company: Any) -> dict[str, Any] | None:
    if company_id is None or not can(cast(User, request.user), Action.VIEW, Resource.PRODUCT):
        return None
    return {
        "company": company,
        "suggestions": upsell.suggestions(company_id),
        "bought": list(upsell.bought_products(company_id)[:20]),
    }


def deal_upsell(request: HttpRequest, deal: Deal) -> dict[str, Any] | None:
    return _upsell(request, deal.company_id, deal.company if deal.company_id else None)


def company_upsell(request: HttpRequest, company: Any) -> dict[str, Any] | None:
    return _upsell(request, company.pk, company)


def register() -> None:
    from accord.core import panels

    panels.register("deal", "quotes", template="quotes/_deal_quotes.html", context=deal_quotes, order=30)
    panels.register("deal", "upsell", template="quotes/_upsell.html", context=deal_upsell, order=60)
    panels.register("company", "upsell", template="quotes/_upsell.html", context=company_upsell, order=60)
