"""Scoring pages: the settings page (threshold, rules, recompute, win model) and the score panel the
contact page loads.

Views are thin: parse the form, check permission (:mod:`accord.scoring.access`), call one action.
The recompute status is a partial the page polls with htmx while a run is queued or running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accord.accounts.models import User
from accord.contacts.models import Contact
from accord.core.errors import ActionError, Forbidden
from accord.scoring import access, actions, tasks
from accord.scoring.explain import explain_score
from accord.scoring.forms import EngagementRuleForm, FitRuleForm, ThresholdForm, apply_errors
from accord.scoring.models import EngagementRule, FitRule, ScoreRun, ScoringSettings
from accord.scoring.predictive import current_model, predict_contact
from accord.scoring.presenters import engagement_rule_rows, fit_rule_rows, model_report


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require_view(request: HttpRequest) -> None:
    if not access.can_view(_user(request)):
        raise PermissionDenied("You do not have permission to see scores.")


def _require_manage(request: HttpRequest) -> None:
    try:
        access.check_manage(_user(request))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _settings_url() -> str:
    return reverse("scoring:settings")


# --------------------------------------------------------------------------- settings page
@require_GET
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    current = ScoringSettings.load()
    context: dict[str, Any] = {
        "settings": current,
        "threshold_form": ThresholdForm(initial={"mql_threshold": current.mql_threshold}),
        "fit_rules": fit_rule_rows(),
        "engagement_rules": engagement_rule_rows(),
        "run": ScoreRun.objects.order_by("-created_at", "-pk").first(),
        "model": model_report(current_model()),
        "can_manage": access.can_manage(_user(request)),
    }
    return render(request, "scoring/settings.html", context)


@require_POST
@login_required
def threshold(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            actions.set_mql_threshold(form.cleaned_data["mql_threshold"], by=_user(request))
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Threshold saved. Recompute to move contacts who now reach it.")
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_settings_url())


# --------------------------------------------------------------------------- rules
RuleForm = FitRuleForm | EngagementRuleForm


def _rule_form(
    request: HttpRequest,
    *,
    kind: str,
    rule: FitRule | EngagementRule | None,
    form_class: type[FitRuleForm] | type[EngagementRuleForm],
    save: Callable[[dict[str, Any]], Any],
) -> HttpResponse:
    _require_manage(request)
    form: forms.Form
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    save(form.cleaned_data)
            except ActionError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, f"Rule saved. Recompute to apply it to every contact ({kind} rules)."
                )
                return redirect(_settings_url())
    elif rule is not None:
        form = form_class.for_rule(rule)  # type: ignore[arg-type]
    else:
        form = form_class()
    status = 422 if request.method == "POST" else 200
    return render(
        request, "scoring/rule_form.html", {"form": form, "rule": rule, "kind": kind}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def fit_rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form(
        request, kind="fit", rule=None, form_class=FitRuleForm, save=lambda d: actions.create_fit_rule(**d)
    )


@require_http_methods(["GET", "POST"])
@login_required
def fit_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(FitRule, pk=pk)
    return _rule_form(
        request,
        kind="fit",
        rule=rule,
        form_class=FitRuleForm,
        save=lambda d: actions.update_fit_rule(rule, **d),
    )


@require_http_methods(["GET", "POST"])
@login_required
def engagement_rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form(
        request,
        kind="engagement",
        rule=None,
        form_class=EngagementRuleForm,
        save=lambda d: actions.create_engagement_rule(**d),
    )


@require_http_methods(["GET", "POST"])
@login_required
def engagement_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(EngagementRule, pk=pk)
    return _rule_form(
        request,
        kind="engagement",
        rule=rule,
        form_class=EngagementRuleForm,
        save=lambda d: actions.update_engagement_rule(rule, **d),
    )


@require_POST
@login_required
def fit_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    rule = get_object_or_404(FitRule, pk=pk)
    actions.delete_fit_rule(rule)
    messages.success(request, f"Fit rule “{rule.name}” deleted. Recompute to apply.")
    return redirect(_settings_url())


@require_POST
@login_required
def engagement_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    rule = get_object_or_404(EngagementRule, pk=pk)
    actions.delete_engagement_rule(rule)
    messages.success(request, f"Engagement rule “{rule.name}” deleted. Recompute to apply.")
    return redirect(_settings_url())


# --------------------------------------------------------------------------- recompute and retrain
@require_POST
@login_required
def recompute(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    run = actions.request_recompute(by=_user(request))
    if _wants_partial(request):
        return render(request, "scoring/settings.html#recompute-status", {"run": run, "can_manage": True})
    messages.success(request, "Recompute queued.")
    return redirect(_settings_url() + "#recompute")


@require_GET
@login_required
def recompute_status(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    run = get_object_or_404(ScoreRun, pk=pk)
    context = {"run": run, "can_manage": access.can_manage(_user(request))}
    return render(request, "scoring/settings.html#recompute-status", context)


@require_POST
@login_required
def retrain(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    transaction.on_commit(tasks.retrain_win_model_task)
    messages.success(request, "Retraining queued; the report below updates when it is done.")
    return redirect(_settings_url() + "#win-model")


# --------------------------------------------------------------------------- the contact page panel
def panel_context(contact_id: int) -> dict[str, Any]:
    """What ``scoring/_score_panel_body.html`` shows for a contact, at the current time."""
    now = timezone.now()
    return {
        "contact_id": contact_id,
        "explanation": explain_score(contact_id, now),
        "prediction": predict_contact(contact_id, now),
        "threshold": ScoringSettings.load().mql_threshold,
    }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def contact_panel(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The score panel: a fragment for the contact page's htmx load, a page of its own otherwise."""
    _require_view(request)
    contact = get_object_or_404(Contact, pk=contact_id)
    context = panel_context(contact_id)
    if _wants_partial(request):
        return render(request, "scoring/_score_panel_body.html", context)
    return render(request, "scoring/contact_score.html", {**context, "contact": contact})
