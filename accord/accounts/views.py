"""Self-service pages of the signed-in user: their API keys."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accord.accounts.actions import create_api_key, revoke_api_key
from accord.accounts.models import ApiKey, User
from accord.accounts.permissions import ALL, Action, Resource, can, grant
from accord.core.numbers import ascii_int


def _visible_keys(user: User) -> list[ApiKey]:
    qs = ApiKey.objects.select_related("user")
    if grant(user, Action.VIEW, Resource.API_KEY) != ALL:
        qs = qs.filter(user=user)
    return list(qs.order_by("-created_at")[:200])


@login_required
def api_key_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not can(user, Action.VIEW, Resource.API_KEY):
        raise PermissionDenied
    new_secret = ""
    error = ""
    status = 200
    if request.method == "POST":
        if not can(user, Action.ADD, Resource.API_KEY):
            raise PermissionDenied
        name = request.POST.get("name", "").strip()
        if not name:
            error, status = "Give the key a name, so you can recognise it later.", 422
        elif len(name) > 100:
            error, status = "The name must be at most 100 characters.", 422
        else:
            new_secret = create_api_key(user, name).secret
    context = {"keys": _visible_keys(user), "new_secret": new_secret, "error": error, "me": user}
    response = render(request, "accounts/api_keys.html", context, status=status)
    if new_secret:  # shown once: no cache (browser, proxy, back button) may keep a copy
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    key = get_object_or_404(ApiKey, pk=pk)
    if not can(user, Action.DELETE, Resource.API_KEY, key):
        raise PermissionDenied
    revoke_api_key(key)
    return redirect("accounts:api_key_list")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notices, newest first; POST marks them all (or ``ids``) read."""
    from django.core.paginator import Paginator

    from accord.accounts import notifications
    from accord.accounts.models import Notification

    user = cast(User, request.user)
    if request.method == "POST":
        raw = request.POST.getlist("ids")
        ids = [n for n in map(ascii_int, raw) if n is not None] if raw else None
        notifications.mark_read(user, ids)
        return redirect("accounts:notification_list")
    page = Paginator(Notification.objects.filter(user=user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page, "paging": {"page": page}})
