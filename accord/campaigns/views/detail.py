"""The campaign page and its tabs.

Each tab has its own URL, serving the whole page or, for htmx requests, only the ``tab-area``
partial (tab bar and panel). Form posts answer the same way: a redirect back to the tab after a
plain post, the re-rendered tab (with the message or the form's errors) after an htmx post.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accord.accounts.permissions import Action, Resource, can
from accord.campaigns.models import Campaign
from accord.campaigns.views._common import manages_all, may_change, require, user_of, wants_partial

TEMPLATE = "campaigns/campaign_detail.html"


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str
    template: str
    shown: Callable[[Campaign], bool] = lambda campaign: True

    def url(self, campaign: Campaign) -> str:
        return reverse(self.url_name, args=[campaign.pk])


TABS: tuple[Tab, ...] = (
    Tab("overview", "Overview", "campaigns:campaign_detail", "campaigns/tabs/overview.html"),
    Tab("links", "Tracking links", "campaigns:links", "campaigns/tabs/links.html"),
    Tab("utm", "UTM rules", "campaigns:utm_rules", "campaigns/tabs/utm.html"),
    Tab(
        "affiliates", "Affiliates", "campaigns:affiliates", "campaigns/tabs/affiliates.html",
        lambda c: c.is_affiliate,
    ),
    Tab("event", "Event", "campaigns:event", "campaigns/tabs/event.html", lambda c: c.is_event),
    Tab("mentions", "Mentions", "campaigns:mentions", "campaigns/tabs/mentions.html"),
)  # fmt: skip
TAB_BY_KEY = {tab.key: tab for tab in TABS}


def campaign_for(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Campaign:
    """The campaign ``pk`` (404 if missing) if the user may ``action`` it (403 if not)."""
    require(request, Action.VIEW)
    campaign = get_object_or_404(Campaign.objects.select_related("owner"), pk=pk)
    if action != Action.VIEW:
        require(request, action, campaign)
    return campaign


def render_tab(
    request: HttpRequest, campaign: Campaign, key: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    tab = TAB_BY_KEY[key]
    partial = wants_partial(request)
    full_context = {
        "campaign": campaign,
        "tabs": [(t, t.url(campaign)) for t in TABS if t.shown(campaign)],
        "tab": tab,
        "partial": partial,
        "can_change": may_change(request, campaign),
        "can_delete": can(user_of(request), Action.DELETE, Resource.CAMPAIGN, campaign),
        "manages_all": manages_all(user_of(request)),
        **context,
    }
    if partial:  # htmx only swaps 2xx answers: errors come back as 200 with the form re-rendered
        return render(request, TEMPLATE + "#tab-area", full_context)
    return render(request, TEMPLATE, full_context, status=status)


def done(
    request: HttpRequest, campaign: Campaign, key: str, message: str, context: Callable[[], dict[str, Any]]
) -> HttpResponse:
    """After a successful post: the fresh tab for htmx, else a redirect to it (post/redirect/get)."""
    messages.success(request, message)
    if wants_partial(request):
        return render_tab(request, campaign, key, context())
    return redirect(TAB_BY_KEY[key].url(campaign))
