"""What the campaign pages share: the user, permission checks, htmx partials, paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from accord.accounts.models import User
from accord.accounts.permissions import ALL, Action, Resource, can, grant
from accord.campaigns.models import Campaign

LIST_PAGE_SIZE = 25


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def require(request: HttpRequest, action: Action, obj: Any = None) -> None:
    """403 unless the one permission module (accounts.permissions) allows ``action`` on campaigns."""
    if not can(user_of(request), action, Resource.CAMPAIGN, obj):
        raise PermissionDenied(f"You do not have permission to {action.value} this campaign.")


def may_change(request: HttpRequest, campaign: Campaign) -> bool:
    return can(user_of(request), Action.CHANGE, Resource.CAMPAIGN, campaign)


def manages_all(user: User) -> bool:
    """May change every campaign (marketing managers, admins): approves and pays commissions,
    changes affiliates, which belong to no one campaign."""
    return grant(user, Action.CHANGE, Resource.CAMPAIGN) == ALL


def require_manager(request: HttpRequest) -> None:
    if not manages_all(user_of(request)):
        raise PermissionDenied("Only marketing managers and admins may do this.")


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps in a fragment (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


@dataclass(frozen=True)
class Paging:
    page: Page[Any]
    page_range: list[int | str]  # page numbers with "…" gaps


def paginate(request: HttpRequest, qs: QuerySet[Any], per_page: int = LIST_PAGE_SIZE) -> Paging:
    paginator = Paginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return Paging(page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)))
