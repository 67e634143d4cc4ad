"""Template context shared by every page: the left navigation.

The menu is declared once in :data:`MENU`. Each item names the URL it links to and the permission
(``accounts.permissions.can``) a user needs to see it. An item whose URL does not exist yet (a later
issue builds that page) is shown as a disabled "coming soon" entry instead of a link to a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from accord.accounts.notifications import unread_count
from accord.accounts.permissions import Action, Resource, can


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    icon: str
    resource: Resource | None  # None: every signed-in user
    action: Action = Action.VIEW
    # other URL names under which this item is highlighted as the current section
    also_active_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuGroup:
    label: str
    items: tuple[MenuItem, ...]


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    url: str | None  # None: the page does not exist yet
    active: bool

    @property
    def coming_soon(self) -> bool:
        return self.url is None


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


MENU: tuple[MenuGroup, ...] = (
    MenuGroup(
        "Shared",
        (
            MenuItem("Home", "web:home", "home", None),
            MenuItem(
                "Contacts",
                "contacts:contact_list",
                "users",
                Resource.CONTACT,
                also_active_for=("contacts:contact_detail",),
            ),
            MenuItem(
                "Companies",
                "contacts:company_list",
                "building",
                Resource.COMPANY,
                also_active_for=("contacts:company_detail",),
            ),
        ),
    ),
    MenuGroup(
        "Marketing",
        (
            MenuItem("Campaigns", "campaigns:campaign_list", "megaphone", Resource.CAMPAIGN),
            MenuItem("Segments", "segments:segment_list", "filter", Resource.SEGMENT),
            MenuItem("Forms", "webforms:form_list", "form", Resource.FORM),
            MenuItem("Email", "messaging:email_list", "mail", Resource.CAMPAIGN),
        ),
    ),
    MenuGroup(
        "Sales",
        (
            # The inbox is where reps accept or reject leads, so it needs the right to log work.
            # The inbox is where reps give verdicts; marketers see verdicts on campaign pages.
            MenuItem("Lead inbox", "handoff:lead_inbox", "inbox", Resource.LEAD, Action.CHANGE),
            MenuItem("Team leads", "handoff:team_inbox", "users", Resource.ROUTING, Action.CHANGE),
            MenuItem("Pipeline", "sales:pipeline", "columns", Resource.DEAL),
            MenuItem("Activities", "sales:activity_list", "check", Resource.ACTIVITY),
            MenuItem("Quotes", "quotes:quote_list", "file", Resource.QUOTE),
            MenuItem("Products", "catalog:product_list", "box", Resource.PRODUCT),
            MenuItem("Competitors", "catalog:competitor_list", "shield", Resource.PRODUCT),
        ),
    ),
    MenuGroup(
        "Settings",
        (
            MenuItem(
                "Import & export",
                "integrations:import_list",
                "download",
                Resource.CONTACT,
                Action.ADD,
                also_active_for=(
                    "integrations:import_new",
                    "integrations:import_map",
                    "integrations:import_detail",
                    "integrations:export",
                ),
            ),
            MenuItem("Lead scoring", "scoring:settings", "bolt", Resource.SCORING_RULE),
            MenuItem("Lead routing", "handoff:routing_settings", "route", Resource.ROUTING, Action.CHANGE),
            MenuItem(
                "Pipelines",
                "sales:pipeline_settings",
                "columns",
                Resource.PIPELINE,
                Action.CHANGE,
                also_active_for=(
                    "sales:stage_edit",
                    "sales:stage_delete",
                    "sales:stage_archive",
                    "sales:pipeline_delete",
                ),
            ),
            MenuItem("Write keys", "tracking:write_key_list", "key", Resource.WRITE_KEY, Action.CHANGE),
            MenuItem("API keys", "accounts:api_key_list", "key", Resource.API_KEY),
        ),
    ),
)


def _url(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def build_navigation(request: HttpRequest) -> list[NavGroup]:
    """The groups and items ``request.user`` may see; empty for anonymous users."""
    user = request.user
    if not user.is_authenticated:
        return []
    match = request.resolver_match
    current = match.view_name if match else ""
    groups: list[NavGroup] = []
    for group in MENU:
        items = tuple(
            NavItem(
                label=item.label,
                icon=item.icon,
                url=_url(item.url_name),
                active=current == item.url_name or current in item.also_active_for,
            )
            for item in group.items
            if item.resource is None or can(user, item.action, item.resource)
        )
        if items:
            groups.append(NavGroup(group.label, items))
    return groups


def _unread(request: HttpRequest) -> int:
    user = request.user
    return unread_count(user) if user.is_authenticated else 0


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``navigation`` and ``unread_notifications``, each computed only when a
    template uses it."""
    return {
        "navigation": cast(list[NavGroup], SimpleLazyObject(lambda: build_navigation(request))),
        "unread_notifications": SimpleLazyObject(lambda: _unread(request)),
    }
