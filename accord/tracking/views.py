"""Tracking pages: the website snippet and the write keys page.

The Segment-compatible ingest endpoints are in :mod:`accord.tracking.ingest.http`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.models import User
from accord.accounts.permissions import ALL, Action, Resource, grant
from accord.core.errors import ActionError
from accord.tracking.actions import create_write_key, revoke_write_key
from accord.tracking.models import WriteKey

SNIPPET_PATH = Path(__file__).resolve().parent / "static" / "accord" / "tracking.js"


@functools.cache
def _snippet() -> bytes:
    return SNIPPET_PATH.read_bytes()


@require_GET
def snippet(request: HttpRequest) -> HttpResponse:
    """``/t/accord.js``: the snippet at a URL that never changes, from Accord's own files."""
    response = HttpResponse(_snippet(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def may_manage_write_keys(user: User) -> bool:
    return grant(user, Action.CHANGE, Resource.WRITE_KEY) == ALL


def _require(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not may_manage_write_keys(user):
        raise PermissionDenied("You do not have permission to manage write keys.")
    return user


def _page(request: HttpRequest, *, new_secret: str = "", error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "keys": WriteKey.objects.all(),
        "new_secret": new_secret,
        "error": error,
        "host_url": request.build_absolute_uri("/").rstrip("/"),
        "snippet_url": request.build_absolute_uri("/t/accord.js"),
    }
    response = render(request, "tracking/write_keys.html", context, status=status)
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def write_key_list(request: HttpRequest) -> HttpResponse:
    """List write keys; POST creates one and shows its secret once (in this response only)."""
    if request.method == "POST":
        user = _require(request)
        try:
            new = create_write_key(
                request.POST.get("name", ""), by=user, may_merge=request.POST.get("may_merge") == "on"
            )
        except ActionError as exc:
            return _page(request, error=exc.message, status=422)
        return _page(request, new_secret=new.secret)
    _require(request)
    return _page(request)


@login_required
@require_POST
def write_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    revoke_write_key(get_object_or_404(WriteKey, pk=pk))
    return redirect("tracking:write_key_list")
