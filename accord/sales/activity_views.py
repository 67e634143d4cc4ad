"""Activity pages: the list (mine/overdue/upcoming/done), the week calendar, logging, completing;
and the onboarding template settings page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import DateTimeField, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.models import User
from accord.accounts.permissions import ALL, Action, Resource, can, grant
from accord.contacts.models import Contact
from accord.core.dates import EARLIEST_DATE, LATEST_DATE
from accord.core.errors import ActionError
from accord.core.numbers import ascii_int
from accord.sales import actions
from accord.sales.activity_kinds import describe
from accord.sales.forms import ActivityForm, apply_errors
from accord.sales.models import Activity, Deal, OnboardingTemplate

ACTIVITIES_PER_PAGE = 25
CALENDAR_LIMIT = 500
TEMPLATE_ROWS = 8
SHOWS = [("open", "Open"), ("overdue", "Overdue"), ("upcoming", "Upcoming"), ("done", "Done"), ("all", "All")]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, action: Action, activity: Activity | None = None) -> None:
    if not can(_user(request), action, Resource.ACTIVITY, activity):
        raise PermissionDenied("You may not do this with activities.")


def _at() -> Coalesce:
    return Coalesce("due_at", "done_at", "created_at", output_field=DateTimeField())


# ---------------------------------------------------------------------- list
@require_http_methods(["GET"])
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    now = timezone.now()
    show = request.GET.get("show", "open")
    show = show if show in dict(SHOWS) else "open"
    mine = request.GET.get("mine", "1") == "1"
    kind = request.GET.get("kind", "")
    qs = Activity.objects.select_related("owner", "contact", "deal").annotate(at=_at())
    if mine:
        qs = qs.filter(owner=_user(request))
    if kind in Activity.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    if show == "open":
        qs = qs.filter(done_at=None).order_by("at", "id")
    elif show == "overdue":
        qs = qs.filter(done_at=None, due_at__lt=now).order_by("due_at", "id")
    elif show == "upcoming":
        qs = qs.filter(done_at=None, due_at__gte=now).order_by("due_at", "id")
    elif show == "done":
        qs = qs.exclude(done_at=None).order_by("-done_at", "-id")
    else:
        qs = qs.order_by("-at", "-id")
    paginator = Paginator(qs, ACTIVITIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(a, describe(a.details)) for a in page.object_list],
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "show": show,
        "shows": SHOWS,
        "mine": mine,
        "kind": kind,
        "kinds": Activity.Kind.choices,
        "now": now,
        "user_id": _user(request).pk,
    }
    template = "sales/activity_list.html"
    if getattr(request, "htmx", None):
        template += "#list"
    return render(request, template, context)


# ---------------------------------------------------------------------- week calendar


def _week_start(text: str | None, today: date) -> date:
    """Monday of the week of ``text`` (an ISO date); today's week for anything else."""
    try:
        day = date.fromisoformat(text) if text else today
    except ValueError:
        day = today
    if not EARLIEST_DATE <= day <= LATEST_DATE:  # the ±7-day links stay inside date's range
        day = today
    return day - timedelta(days=day.weekday())


@require_http_methods(["GET"])
@login_required
def activity_calendar(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start = _week_start(request.GET.get("week"), today)
    mine = request.GET.get("mine", "1") == "1"
    begin = datetime.combine(start, time.min, tzinfo=tz)
    end = begin + timedelta(days=7)
    qs = (
        Activity.objects.annotate(at=_at())
        .filter(at__gte=begin, at__lt=end)
        .select_related("owner", "contact", "deal")
        .order_by("at", "id")
    )
    if mine:
        qs = qs.filter(owner=_user(request))
    items = list(qs[:CALENDAR_LIMIT])
    days: list[dict[str, Any]] = [{"date": start + timedelta(days=i), "items": []} for i in range(7)]
    for item in items:
        days[(timezone.localtime(item.at, tz).date() - start).days]["items"].append(item)
    context = {
        "days": days,
        "start": start,
        "end": start + timedelta(days=6),
        "prev": (start - timedelta(days=7)).isoformat(),
        "next": (start + timedelta(days=7)).isoformat(),
        "this_week": _week_start(None, today).isoformat(),
        "today": today,
        "mine": mine,
        "truncated": len(items) == CALENDAR_LIMIT,
    }
    return render(request, "sales/activity_calendar.html", context)


# ---------------------------------------------------------------------- log / complete
def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    """Log an activity (from the deal page, the contact panel, or this page itself)."""
    _require(request, Action.ADD)
    form = ActivityForm(request.POST or None, initial={"kind": request.GET.get("kind", "call")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deal = Deal.objects.filter(pk=data["deal"]).first() if data.get("deal") else None
        contact = Contact.objects.filter(pk=data["contact"]).first() if data.get("contact") else None
        if data.get("deal") and deal is None:
            form.add_error(None, "That deal does not exist any more.")
        elif data.get("contact") and contact is None:
            form.add_error(None, "That contact does not exist any more.")
        else:
            links: dict[str, Any] = {"deal": deal, "contact": contact}
            if deal is not None:
                links["contact"] = contact or deal.contact
                links["company_id"] = deal.company_id
            elif contact is not None:
                links["company_id"] = contact.company_id
            try:
                activity = actions.log_activity(owner=_user(request), **form.activity_fields(), **links)
            except ActionError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"{activity.get_kind_display()} logged.")
                fallback = deal.get_absolute_url() if deal else reverse("sales:activity_list")
                return redirect(_back(request, fallback))
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/activity_form.html", {"form": form}, status=status)


@require_POST
@login_required
def activity_complete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    _require(request, Action.CHANGE, activity)
    status = request.POST.get("status", "")
    try:
        actions.complete_activity(activity, by=_user(request), status=status)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{activity.subject}” done.")
    return redirect(_back(request, reverse("sales:activity_list")))


# ---------------------------------------------------------------------- onboarding settings
@require_http_methods(["GET", "POST"])
@login_required
def onboarding_settings(request: HttpRequest) -> HttpResponse:
    """The onboarding template: the tasks a won deal creates, and the post-sale follow-up delay."""
    user = _user(request)
    if not can(user, Action.VIEW, Resource.DEAL):
        raise PermissionDenied("You may not see sales settings.")
    may_edit = grant(user, Action.CHANGE, Resource.DEAL) == ALL  # managers and admins
    template = actions.default_onboarding_template()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only a manager can change the onboarding template.")
        subjects = request.POST.getlist("subject")
        offsets = request.POST.getlist("day_offset")
        items = []
        for i, subject in enumerate(subjects):
            raw = offsets[i] if i < len(offsets) else ""
            offset = ascii_int(raw, max_digits=5)
            offset = -1 if offset is None else offset
            if subject.strip():
                items.append((subject, offset))
        follow = request.POST.get("follow_up_days", "")
        try:
            template = actions.save_onboarding_template(
                name=request.POST.get("name", ""),
                follow_up_days=-1 if (days := ascii_int(follow, max_digits=5)) is None else days,
                items=items,
                template=template,
            )
        except ActionError as exc:
            errors = exc.field_errors or {"__all__": [exc.message]}
        else:
            messages.success(request, "Onboarding template saved.")
            return redirect("sales:onboarding_settings")
    rows: list[tuple[str, int | str]] = (
        [(i.subject, i.day_offset) for i in template.items.all()] if template else []
    )
    rows += [("", "")] * max(2, TEMPLATE_ROWS - len(rows))
    context = {
        "template": template or OnboardingTemplate(name="Standard onboarding"),
        "rows": rows,
        "may_edit": may_edit,
        "errors": errors,
    }
    return render(request, "sales/onboarding_settings.html", context, status=422 if errors else 200)


def contact_panel(request: HttpRequest, contact: Any) -> dict[str, Any] | None:
    """The contact page's sales panel: open tasks and a compact "log activity" form."""
    user = _user(request)
    if not can(user, Action.VIEW, Resource.ACTIVITY):
        return None
    open_tasks = list(
        Activity.objects.filter(contact=contact, done_at=None)
        .filter(Q(kind=Activity.Kind.TASK) | Q(due_at__isnull=False))
        .select_related("owner")
        .order_by(Coalesce("due_at", "created_at").asc(), "id")[:10]
    )
    return {
        "contact": contact,
        "open_tasks": open_tasks,
        "now": timezone.now(),
        "can_log": can(user, Action.ADD, Resource.ACTIVITY),
        "form": ActivityForm(
            initial={"contact": contact.pk, "kind": "call", "next": contact.get_absolute_url()}
        ),
        "deals": list(contact.deals.select_related("stage").order_by("-created_at")[:5]),
        "user_id": user.pk,
    }
