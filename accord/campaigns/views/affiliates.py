"""The affiliates page and the affiliate tab of affiliate campaigns (links, rules, conversions)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accord.accounts.permissions import Action, Resource, can
from accord.campaigns import actions, reports
from accord.campaigns.forms import (
    AffiliateForm,
    AffiliateLinkForm,
    AffiliateStatusForm,
    CommissionRuleForm,
    ConversionForm,
    ConversionStatusForm,
    show_errors,
)
from accord.campaigns.models import Affiliate, AffiliateConversion, Campaign
from accord.campaigns.views._common import manages_all, paginate, require, require_manager, user_of
from accord.campaigns.views.detail import campaign_for, done, render_tab
from accord.core.errors import ActionError, Invalid

CONVERSIONS_SHOWN = 50
TAB = "affiliates"


def _campaign_affiliates(campaign: Campaign) -> QuerySet[Affiliate]:
    return Affiliate.objects.filter(links__link__campaign=campaign).distinct()


def _tab(request: HttpRequest, campaign: Campaign, **forms: Any) -> dict[str, Any]:
    active = Affiliate.objects.filter(status=Affiliate.Status.ACTIVE)
    links = list(
        campaign.links.filter(affiliate_link__isnull=False).select_related("affiliate_link__affiliate")
    )
    stats = reports.click_stats([link.pk for link in links])
    base = request.build_absolute_uri("/").rstrip("/")
    return {
        "summary": reports.affiliate_summary(campaign.pk),
        "affiliate_links": [
            (link, base + link.get_short_path(), stats.get(link.pk, reports.ClickStats())) for link in links
        ],
        "rules": list(campaign.commission_rules.select_related("affiliate")),
        "conversions": list(
            campaign.affiliate_conversions.select_related("affiliate", "contact")[:CONVERSIONS_SHOWN]
        ),
        "conversion_statuses": AffiliateConversion.Status.choices,
        "has_affiliates": Affiliate.objects.exists(),
        "link_form": forms.get("link_form") or AffiliateLinkForm(affiliates=active),
        "rule_form": forms.get("rule_form")
        or CommissionRuleForm(affiliates=_campaign_affiliates(campaign), initial={"kind": "percent"}),
        "conversion_form": forms.get("conversion_form")
        or ConversionForm(affiliates=_campaign_affiliates(campaign)),
    }


def _affiliate_campaign(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Campaign:
    campaign = campaign_for(request, pk, action)
    if not campaign.is_affiliate:
        raise Http404("Not an affiliate campaign.")
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def affiliate_tab(request: HttpRequest, pk: int) -> HttpResponse:
    """Affiliates of the campaign; POST gives an affiliate a tracking link."""
    if request.method == "GET":
        campaign = _affiliate_campaign(request, pk)
        return render_tab(request, campaign, TAB, _tab(request, campaign))
    campaign = _affiliate_campaign(request, pk, Action.CHANGE)
    form = AffiliateLinkForm(
        request.POST, affiliates=Affiliate.objects.filter(status=Affiliate.Status.ACTIVE)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.create_affiliate_link(
                campaign, data["affiliate"], destination=data["destination"], label=data["label"],
                by=user_of(request),
            )  # fmt: skip
        except ActionError as exc:
            show_errors(form, exc)
        else:
            message = f"Link created for {data['affiliate']}."
            return done(request, campaign, TAB, message, lambda: _tab(request, campaign))
    return render_tab(request, campaign, TAB, _tab(request, campaign, link_form=form), status=422)


@login_required
@require_POST
def commission_rule_set(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _affiliate_campaign(request, pk, Action.CHANGE)
    form = CommissionRuleForm(request.POST, affiliates=_campaign_affiliates(campaign))
    if form.is_valid():
        try:
            actions.set_commission_rule(campaign, **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            return done(request, campaign, TAB, "Commission rule saved.", lambda: _tab(request, campaign))
    return render_tab(request, campaign, TAB, _tab(request, campaign, rule_form=form), status=422)


@login_required
@require_POST
def conversion_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _affiliate_campaign(request, pk, Action.CHANGE)
    form = ConversionForm(request.POST, affiliates=_campaign_affiliates(campaign))
    if form.is_valid():
        data = form.cleaned_data
        try:
            conversion = actions.record_affiliate_conversion(
                data["affiliate"], campaign, deal_amount=data["deal_amount"], reference=data["reference"],
                contact_id=data["contact_id"],
            )  # fmt: skip
        except ActionError as exc:
            show_errors(form, exc)
        else:
            message = f"Conversion recorded; commission {conversion.commission}."
            return done(request, campaign, TAB, message, lambda: _tab(request, campaign))
    return render_tab(request, campaign, TAB, _tab(request, campaign, conversion_form=form), status=422)


@login_required
@require_POST
def conversion_status(request: HttpRequest, pk: int, conversion_pk: int) -> HttpResponse:
    """Approve, pay or reject a conversion: marketing managers and admins only."""
    campaign = _affiliate_campaign(request, pk)
    require_manager(request)
    conversion = get_object_or_404(AffiliateConversion, pk=conversion_pk, campaign=campaign)
    form = ConversionStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid("Choose a status.")
        updated = actions.set_conversion_status(conversion, form.cleaned_data["status"])
    except ActionError as exc:
        messages.error(request, exc.message)
        return render_tab(request, campaign, TAB, _tab(request, campaign), status=409)
    message = f"Conversion marked {updated.get_status_display().lower()}."
    return done(request, campaign, TAB, message, lambda: _tab(request, campaign))


# ---------------------------------------------------------------- the affiliates page
@login_required
@require_http_methods(["GET", "POST"])
def affiliate_list(request: HttpRequest) -> HttpResponse:
    """Every affiliate with their link and conversion counts; POST adds an affiliate."""
    require(request, Action.VIEW)
    form = AffiliateForm(request.POST or None)
    if request.method == "POST":
        require(request, Action.ADD)
        if form.is_valid():
            try:
                affiliate = actions.create_affiliate(by=user_of(request), **form.cleaned_data)
            except ActionError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, f"Affiliate {affiliate.name} added.")
                return redirect("campaigns:affiliate_list")
    affiliates = Affiliate.objects.annotate(
        link_count=Count("links", distinct=True), conversion_count=Count("conversions", distinct=True)
    ).order_by(Lower("name"), "id")
    context = {
        "form": form,
        "paging": paginate(request, affiliates),
        "can_add": can(user_of(request), Action.ADD, Resource.CAMPAIGN),
        "manages_all": manages_all(user_of(request)),
        "statuses": Affiliate.Status.choices,
    }
    return render(request, "campaigns/affiliate_list.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def affiliate_status(request: HttpRequest, affiliate_pk: int) -> HttpResponse:
    require(request, Action.VIEW)
    require_manager(request)
    affiliate = get_object_or_404(Affiliate, pk=affiliate_pk)
    form = AffiliateStatusForm(request.POST)
    if form.is_valid():
        actions.update_affiliate(affiliate, status=form.cleaned_data["status"])
        messages.success(request, f"{affiliate.name} is now {affiliate.get_status_display().lower()}.")
    else:
        messages.error(request, "Choose a status.")
    return redirect("campaigns:affiliate_list")
