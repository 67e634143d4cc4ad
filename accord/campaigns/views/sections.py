"""Campaign tabs: tracking links, UTM rules and brand mentions."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accord.accounts.permissions import Action
from accord.campaigns import actions, reports
from accord.campaigns.forms import LinkForm, MentionUploadForm, UtmRuleForm, show_errors
from accord.campaigns.mentions_csv import import_mentions_csv
from accord.campaigns.models import Campaign, UtmRule
from accord.campaigns.views._common import user_of
from accord.campaigns.views.detail import campaign_for, done, render_tab
from accord.core.errors import ActionError

LINKS_SHOWN = 100
MENTION_WEEKS = 12
MENTIONS_SHOWN = 25
MAX_ERRORS_SHOWN = 20


# ---------------------------------------------------------------- tracking links
def _links(request: HttpRequest, campaign: Campaign, form: LinkForm | None = None) -> dict[str, Any]:
    links = list(campaign.links.select_related("affiliate_link__affiliate")[:LINKS_SHOWN])
    stats = reports.click_stats([link.pk for link in links])
    base = request.build_absolute_uri("/").rstrip("/")
    return {
        "links": [
            (link, base + link.get_short_path(), stats.get(link.pk, reports.ClickStats())) for link in links
        ],
        "link_count": campaign.links.count(),
        "link_form": form or LinkForm(initial={"add_utm": True}),
    }


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def links(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's tracking links; POST creates one and shows its short URL."""
    if request.method == "GET":
        campaign = campaign_for(request, pk)
        return render_tab(request, campaign, "links", _links(request, campaign))
    campaign = campaign_for(request, pk, Action.CHANGE)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            link = actions.create_tracking_link(campaign, by=user_of(request), **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            short = request.build_absolute_uri(link.get_short_path())
            return done(
                request, campaign, "links", f"Short link created: {short}", lambda: _links(request, campaign)
            )
    return render_tab(request, campaign, "links", _links(request, campaign, form), status=422)


# ---------------------------------------------------------------- UTM rules
def _rules(campaign: Campaign, form: UtmRuleForm | None = None) -> dict[str, Any]:
    return {
        "rules": list(campaign.utm_rules.all()),
        "rule_form": form or UtmRuleForm(initial={"priority": 0}),
    }


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def utm_rules(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        campaign = campaign_for(request, pk)
        return render_tab(request, campaign, "utm", _rules(campaign))
    campaign = campaign_for(request, pk, Action.CHANGE)
    form = UtmRuleForm(request.POST)
    if form.is_valid():
        try:
            actions.add_utm_rule(campaign, by=user_of(request), **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            return done(request, campaign, "utm", "UTM rule added.", lambda: _rules(campaign))
    return render_tab(request, campaign, "utm", _rules(campaign, form), status=422)


@login_required
@require_POST
def utm_rule_delete(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    campaign = campaign_for(request, pk, Action.CHANGE)
    actions.delete_utm_rule(get_object_or_404(UtmRule, pk=rule_pk, campaign=campaign))
    return done(request, campaign, "utm", "UTM rule removed.", lambda: _rules(campaign))


# ---------------------------------------------------------------- mentions
def _mentions(
    campaign: Campaign, form: MentionUploadForm | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    start = today - timedelta(weeks=MENTION_WEEKS - 1)
    weeks = reports.mention_counts("week", campaign_id=campaign.pk, start=start, end=today, fill=True)
    peak = max((w.count for w in weeks), default=0)
    return {
        "weeks": [(w, reports.percent_of(w.count, peak) or 0) for w in weeks],
        "mention_total": campaign.mentions.count(),
        "recent_mentions": list(campaign.mentions.all()[:MENTIONS_SHOWN]),
        "by_month": reports.mention_counts("month", campaign_id=campaign.pk),
        "upload_form": form or MentionUploadForm(),
        **(extra or {}),
    }


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def mentions(request: HttpRequest, pk: int) -> HttpResponse:
    """Mentions per week; POST imports a CSV file of mentions into this campaign."""
    if request.method == "GET":
        campaign = campaign_for(request, pk)
        return render_tab(request, campaign, "mentions", _mentions(campaign))
    campaign = campaign_for(request, pk, Action.CHANGE)
    form = MentionUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_tab(request, campaign, "mentions", _mentions(campaign, form), status=422)
    try:
        content = form.cleaned_data["file"].read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.add_error("file", "The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")
        return render_tab(request, campaign, "mentions", _mentions(campaign, form), status=422)
    result = import_mentions_csv(io.StringIO(content, newline=""), campaign_id=campaign.pk)
    summary = f"{result.created} mention(s) imported, {result.duplicates} already known"
    if result.errors:
        messages.warning(request, f"{summary}; {len(result.errors)} problem(s) — see below.")
        extra = {"import_errors": result.errors[:MAX_ERRORS_SHOWN], "import_error_count": len(result.errors)}
        return render_tab(request, campaign, "mentions", _mentions(campaign, extra=extra))
    return done(request, campaign, "mentions", summary + ".", lambda: _mentions(campaign))
