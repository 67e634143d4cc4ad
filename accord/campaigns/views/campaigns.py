"""Campaign list, create/edit/delete, and the overview tab with its cost entries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accord.accounts.permissions import Action, Resource, can
from accord.campaigns import actions, reports
from accord.campaigns.forms import CampaignFilterForm, CampaignForm, CostForm, show_errors
from accord.campaigns.models import Campaign, CampaignCost
from accord.campaigns.views._common import paginate, require, user_of, wants_partial
from accord.campaigns.views.detail import campaign_for, done, render_tab
from accord.core.errors import ActionError

COSTS_SHOWN = 50


@require_GET
@login_required
@vary_on_headers("HX-Request")
def campaign_list(request: HttpRequest) -> HttpResponse:
    require(request, Action.VIEW)
    form = CampaignFilterForm(request.GET, user=user_of(request))
    campaigns = form.filter(reports.with_spend(Campaign.objects.select_related("owner")))
    paging = paginate(request, campaigns)
    context = {
        "form": form,
        "paging": paging,
        "has_any": bool(paging.page.object_list) or Campaign.objects.exists(),
        "can_add": _can_add(request),
    }
    template = "campaigns/campaign_list.html"
    return render(request, template + "#results" if wants_partial(request) else template, context)


def _can_add(request: HttpRequest) -> bool:
    return can(user_of(request), Action.ADD, Resource.CAMPAIGN)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    require(request, Action.ADD)
    form = CampaignForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = actions.create_campaign(by=user_of(request), **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"Campaign “{campaign.name}” created.")
            return redirect(campaign)
    status = 422 if form.errors else 200
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for(request, pk, Action.CHANGE)
    initial = {name: getattr(campaign, name) for name in CampaignForm.base_fields}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                actions.update_campaign(campaign, by=user_of(request), **changed)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "Campaign saved." if changed else "Nothing changed.")
            return redirect(campaign)
    status = 422 if form.errors else 200
    return render(
        request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign}, status=status
    )


@login_required
@require_POST
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for(request, pk, Action.DELETE)
    try:
        actions.delete_campaign(campaign)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(campaign)
    messages.success(request, f"Campaign “{campaign.name}” deleted.")
    return redirect("campaigns:campaign_list")


# ---------------------------------------------------------------- overview and costs
def _overview(campaign: Campaign, cost_form: CostForm | None = None) -> dict[str, Any]:
    spent = reports.cost_total(campaign_ids=[campaign.pk])
    remaining = campaign.budget - spent
    return {
        "spent": spent,
        "remaining": remaining,
        "spent_percent": reports.percent_of(spent, campaign.budget),
        "over_budget": remaining < 0,
        "costs": list(campaign.costs.select_related("created_by")[:COSTS_SHOWN]),
        "cost_count": campaign.costs.count(),
        "by_category": reports.costs_by_category(campaign.pk),
        "by_month": reports.costs_by_period("month", campaign_ids=[campaign.pk]),
        "cost_form": cost_form or CostForm(initial={"category": "media"}),
    }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for(request, pk)
    return render_tab(request, campaign, "overview", _overview(campaign))


@login_required
@require_POST
def cost_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for(request, pk, Action.CHANGE)
    form = CostForm(request.POST)
    if form.is_valid():
        try:
            cost = actions.add_cost(campaign, by=user_of(request), **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            return done(
                request,
                campaign,
                "overview",
                f"Cost of {cost.amount:,.2f} added.",
                lambda: _overview(campaign),
            )
    return render_tab(request, campaign, "overview", _overview(campaign, form), status=422)


@login_required
@require_POST
def cost_delete(request: HttpRequest, pk: int, cost_pk: int) -> HttpResponse:
    campaign = campaign_for(request, pk, Action.CHANGE)
    cost = get_object_or_404(CampaignCost, pk=cost_pk, campaign=campaign)
    actions.delete_cost(cost)
    return done(request, campaign, "overview", "Cost entry removed.", lambda: _overview(campaign))
