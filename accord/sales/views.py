"""Deal pages: the kanban board (with forecast), the deal table, a deal, create/edit, move and close.

Views are thin: parse the form, check permission through ``accounts.permissions``, call one action.
The move endpoint serves the board's drag and drop (``Accept: application/json``) and the
keyboard/no-JS "Move to…" form (a plain POST answered with a redirect).
"""

from __future__ import annotations

import re
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.models import User
from accord.accounts.permissions import ALL, Action, Resource, can, grant
from accord.catalog.models import Competitor
from accord.core.errors import ActionError
from accord.core.numbers import ascii_int
from accord.sales import actions, queries
from accord.sales.activity_kinds import describe
from accord.sales.forms import ActivityForm, CloseForm, DealForm, ReopenForm, apply_errors, owners
from accord.sales.models import Deal, Pipeline, PipelineStage

DEALS_PER_PAGE = 25


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, action: Action, deal: Deal | None = None) -> None:
    if not can(_user(request), action, Resource.DEAL, deal):
        raise PermissionDenied("You may not do this with this deal.")


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _int(value: str | None) -> int | None:
    return ascii_int(value)


def _pipeline(request: HttpRequest) -> Pipeline | None:
    pipeline_id = _int(request.GET.get("pipeline"))
    pipelines = Pipeline.objects.all()
    found = pipelines.filter(pk=pipeline_id).first() if pipeline_id else None
    return found or pipelines.filter(is_default=True).first() or pipelines.first()


def _filters(request: HttpRequest) -> dict[str, Any]:
    return {
        "owner": _int(request.GET.get("owner")),
        "mine": request.GET.get("mine") == "1",
        "q": request.GET.get("q", "")[:100],
    }


def _currency(value: str | None) -> str:
    """A currency code from the query string: three ASCII letters, upper-cased; anything else is
    ignored ("") like the board's other filters."""
    value = value or ""
    return value.upper() if re.fullmatch(r"[A-Za-z]{3}", value) else ""


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# ---------------------------------------------------------------------- board
@require_http_methods(["GET"])
@login_required
def pipeline_board(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    pipeline = _pipeline(request)
    filters = {**_filters(request), "currency": _currency(request.GET.get("currency"))}
    now = timezone.now()
    columns: list[queries.Column] = []
    forecast: list[queries.ForecastMonth] = []
    currencies: list[str] = []
    if pipeline is not None:
        deals = queries.board_deals(pipeline, user=_user(request), **filters)
        columns = queries.board(pipeline, deals, now)
        forecast = queries.forecast_by_month(deals)
        currencies = queries.pipeline_currencies(pipeline)
    if filters["currency"] and filters["currency"] not in currencies:
        currencies = sorted([*currencies, filters["currency"]])
    context = {
        "pipeline": pipeline,
        "pipelines": Pipeline.objects.all(),
        "columns": columns,
        "stages": [c.stage for c in columns],
        "filters": filters,
        "owners": owners(),
        "currencies": currencies,
        "board_currency": queries.single_currency(columns),
        "forecast": forecast,
        "chart": queries.forecast_chart(forecast, currency=filters["currency"]),
        "competitors": Competitor.objects.all(),
        "can_add": can(_user(request), Action.ADD, Resource.DEAL),
        "user_id": _user(request).pk,
        "manager": grant(_user(request), Action.CHANGE, Resource.DEAL) == ALL,
        "can_manage_pipelines": can(_user(request), Action.CHANGE, Resource.PIPELINE),
    }
    template = "sales/pipeline_board.html"
    if _wants_partial(request):
        template += "#board"
    return render(request, template, context)


@require_POST
@login_required
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a deal to another stage. JSON for the board's drag and drop; a redirect for the form."""
    deal = get_object_or_404(Deal.objects.select_related("stage"), pk=pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not can(_user(request), Action.CHANGE, Resource.DEAL, deal):
        if wants_json:
            return JsonResponse({"code": "forbidden", "message": "You may not move this deal."}, status=403)
        raise PermissionDenied("You may not move this deal.")
    stage = PipelineStage.objects.filter(pk=_int(request.POST.get("stage")) or 0).first()
    back = _safe_next(request, reverse("sales:pipeline") + f"?pipeline={deal.pipeline_id}")
    if stage is None:
        if wants_json:
            return JsonResponse(
                {"code": "invalid", "message": "Pick a stage.", "field_errors": {}}, status=422
            )
        messages.error(request, "Pick a stage to move the deal to.")
        return redirect(back)
    closing = stage.outcome != PipelineStage.Outcome.OPEN and not stage.is_archived
    reason = request.POST.get("reason", "")
    if closing and not wants_json and not reason.strip() and deal.status == Deal.Status.OPEN:
        # the keyboard/no-JS form: ask for the reason on the close page
        return redirect(reverse("sales:deal_close", args=[deal.pk]) + f"?outcome={stage.outcome}&next={back}")
    competitor = Competitor.objects.filter(pk=_int(request.POST.get("competitor")) or 0).first()
    try:
        actions.move_deal(deal, stage, by=_user(request), reason=reason, competitor=competitor)
    except ActionError as exc:
        if wants_json:
            body = {"code": exc.code, "message": exc.message, "field_errors": exc.field_errors}
            return JsonResponse(body, status=exc.status)
        messages.error(request, exc.message)
        return redirect(back)
    if wants_json:
        return JsonResponse({"id": deal.pk, "stage": deal.stage_id, "status": deal.status})
    messages.success(request, f"“{deal.name}” moved to {stage.name}.")
    return redirect(back)


# ---------------------------------------------------------------------- table
@require_http_methods(["GET"])
@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    filters = _filters(request)
    status = request.GET.get("status", "")
    status = status if status in Deal.Status.values else ""
    pipeline_id = _int(request.GET.get("pipeline"))
    deals = queries.filter_deals(
        Deal.objects.select_related("stage", "owner", "contact", "company", "pipeline"),
        user=_user(request), pipeline=pipeline_id, status=status, stage=_int(request.GET.get("stage")), **filters,
    )  # fmt: skip
    deals, sort = queries.sort_deals(deals, request.GET.get("sort", "-created"))
    paginator = Paginator(deals, DEALS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "sort": sort,
        "filters": filters,
        "status": status,
        "statuses": Deal.Status.choices,
        "pipeline_id": pipeline_id,
        "pipelines": Pipeline.objects.all(),
        "owners": owners(),
        "columns": [
            ("name", "Deal"), ("stage", "Stage"), ("amount", "Amount"), ("expected_close", "Expected close"),
            ("owner", "Owner"), ("status", "Status"),
        ],
        "can_add": can(_user(request), Action.ADD, Resource.DEAL),
    }  # fmt: skip
    template = "sales/deal_list.html"
    if _wants_partial(request):
        template += "#table"
    return render(request, template, context)


# ---------------------------------------------------------------------- one deal
@require_http_methods(["GET"])
@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(
        Deal.objects.select_related("pipeline", "stage", "owner", "contact", "company", "competitor"), pk=pk
    )
    _require(request, Action.VIEW, deal)
    user = _user(request)
    now = timezone.now()
    activities = list(deal.activities.select_related("owner").order_by("-created_at", "-id")[:100])
    deal.last_touch = queries.last_touch(deal.pk)  # type: ignore[attr-defined]
    context = {
        "deal": deal,
        "history": queries.stage_history(deal, now),
        "activities": [(a, describe(a.details)) for a in activities],
        "activity_form": ActivityForm(
            initial={"deal": deal.pk, "kind": "call", "next": deal.get_absolute_url()}
        ),
        "stages": deal.pipeline.stages.filter(archived_at=None).order_by("position"),
        "rotting": queries.rotting_days(deal, deal.stage, now),
        "weighted": deal.amount * deal.stage.probability / 100,
        "can_change": can(user, Action.CHANGE, Resource.DEAL, deal),
        "can_log": can(user, Action.ADD, Resource.ACTIVITY),
        "can_reopen": deal.is_closed and grant(user, Action.CHANGE, Resource.DEAL) == ALL,
        "now": now,
    }
    return render(request, "sales/deal_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    user = _user(request)
    initial = {"owner": user.pk, "pipeline": _pipeline(request), "currency": "USD", "amount": 0}
    form = DealForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deal = actions.create_deal(
                pipeline=form.cleaned_data["pipeline"], stage=form.cleaned_data.get("stage"), by=user,
                **form.deal_fields(),
            )  # fmt: skip
        except ActionError as exc:
            apply_errors(form, exc, {"contact": "contact_email"})
        else:
            messages.success(request, f"Deal “{deal.name}” created.")
            return redirect(deal)
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/deal_form.html", {"form": form, "deal": None}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(Deal.objects.select_related("contact"), pk=pk)
    _require(request, Action.CHANGE, deal)
    initial = {
        "name": deal.name, "amount": deal.amount, "currency": deal.currency, "expected_close": deal.expected_close,
        "owner": deal.owner_id, "contact_email": deal.contact.email if deal.contact else "",
        "competitor": deal.competitor_id,
    }  # fmt: skip
    form = DealForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_deal(deal, by=_user(request), **form.deal_fields())
        except ActionError as exc:
            apply_errors(form, exc, {"contact": "contact_email"})
        else:
            messages.success(request, "Deal saved.")
            return redirect(deal)
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/deal_form.html", {"form": form, "deal": deal}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close as won or lost, with the required reason (and competitor when lost)."""
    deal = get_object_or_404(Deal.objects.select_related("stage", "pipeline"), pk=pk)
    _require(request, Action.CHANGE, deal)
    outcome = request.GET.get("outcome") if request.GET.get("outcome") in ("won", "lost") else None
    form = CloseForm(request.POST or None, initial={"outcome": outcome})
    back = _safe_next(request, deal.get_absolute_url())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == "won":
                actions.win_deal(deal, by=_user(request), reason=data["reason"])
            else:
                actions.lose_deal(
                    deal, by=_user(request), reason=data["reason"], competitor=data["competitor"]
                )
        except ActionError as exc:
            if exc.status == 409:
                messages.error(request, exc.message)
                return redirect(deal)
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{deal.name}” closed as {deal.get_status_display().lower()}.")
            return redirect(back)
    status = 422 if request.method == "POST" else 200
    if deal.is_closed and request.method == "GET":
        messages.info(request, "This deal is closed already.")
        return redirect(deal)
    return render(request, "sales/deal_close.html", {"form": form, "deal": deal, "next": back}, status=status)


@require_POST
@login_required
def deal_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(Deal, pk=pk)
    if grant(_user(request), Action.CHANGE, Resource.DEAL) != ALL:
        raise PermissionDenied("Only a manager can reopen a closed deal.")
    form = ReopenForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        actions.reopen_deal(deal, by=_user(request), reason=reason)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{deal.name}” reopened in {deal.stage.name}.")
    return redirect(deal)
