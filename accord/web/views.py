"""The app shell's own pages: home."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, can
from accord.web import dashboard

HOME_LIST_SIZE = 8


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    context: dict[str, object] = {"now": timezone.now()}
    if can(user, Action.VIEW, Resource.CONTACT):
        stages = dashboard.contacts_by_stage()
        context["stages"] = stages
        context["contact_total"] = sum(s.count for s in stages)
        context["recent_contacts"] = list(dashboard.recent_contacts()[:HOME_LIST_SIZE])
    if can(user, Action.VIEW, Resource.ACTIVITY):
        activities = dashboard.open_activities(user)
        shown = list(activities[:HOME_LIST_SIZE])
        context["open_activities"] = shown
        context["open_activity_total"] = len(shown) if len(shown) < HOME_LIST_SIZE else activities.count()
    return render(request, "web/home.html", context)
