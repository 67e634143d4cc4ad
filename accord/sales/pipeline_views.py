"""Pipeline settings pages: every pipeline with its stages; create, rename, make default and delete
pipelines; add, edit, move, archive, restore and delete stages.

Everyone who may see deals sees the page (read-only); the write endpoints need the pipeline grants
(sales managers and admins) and answer 403 otherwise. Views parse the form, check permission and
call one action of :mod:`accord.sales.pipeline_actions`. Moving a stage is a plain POST answered
with a redirect; with htmx it answers with the pipeline's card only. Deleting and archiving ask
first (GET: the confirm step, or why it cannot be done; POST: do it); restoring is a plain POST.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, can
from accord.core.errors import ActionError
from accord.sales import pipeline_actions
from accord.sales.forms import apply_errors
from accord.sales.models import Pipeline, PipelineStage


# ---------------------------------------------------------------------- forms
class PipelineForm(forms.Form):
    name = forms.CharField(max_length=pipeline_actions.PIPELINE_NAME_MAX, label="Pipeline name")


NUMBER = {"inputmode": "numeric", "autocomplete": "off"}  # a text box: styled like the others


class StageForm(forms.Form):
    name = forms.CharField(max_length=pipeline_actions.STAGE_NAME_MAX)
    probability = forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Probability (%)",
        help_text="Chance a deal here is won, 0–100.",
        widget=forms.TextInput(attrs=NUMBER),
    )
    rotting_days = forms.IntegerField(
        min_value=0,
        max_value=pipeline_actions.MAX_ROTTING_DAYS,
        required=False,
        label="Rotting after (days)",
        help_text="Days without activity before a deal is flagged; blank for never.",
        widget=forms.TextInput(attrs=NUMBER),
    )
    outcome = forms.ChoiceField(choices=PipelineStage.Outcome.choices, initial=PipelineStage.Outcome.OPEN)

    def stage_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in pipeline_actions.STAGE_FIELDS}


# ---------------------------------------------------------------------- helpers
def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, action: Action) -> None:
    if not can(_user(request), action, Resource.PIPELINE):
        if action == Action.VIEW:
            raise PermissionDenied("You may not see the pipeline settings.")
        raise PermissionDenied("Only a sales manager or an admin can change pipelines.")


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _settings_url(pipeline_id: int | None = None) -> str:
    url = reverse("sales:pipeline_settings")
    return f"{url}#pipeline-{pipeline_id}" if pipeline_id else url


def _pipelines() -> list[Pipeline]:
    """Every pipeline with ``active_stages`` (board order) and ``archived_stages``, each stage with
    its ``deal_count``."""
    stages = Prefetch(
        "stages", queryset=PipelineStage.objects.annotate(deal_count=Count("deals")).order_by("position")
    )
    pipelines: list[Pipeline] = list(
        Pipeline.objects.annotate(deal_count=Count("deals")).prefetch_related(stages)
    )
    for p in pipelines:
        p.active_stages = [s for s in p.stages.all() if not s.is_archived]  # type: ignore[attr-defined]
        p.archived_stages = [s for s in p.stages.all() if s.is_archived]  # type: ignore[attr-defined]
    return pipelines


def _permissions(request: HttpRequest) -> dict[str, bool]:
    user = _user(request)
    return {
        "can_add": can(user, Action.ADD, Resource.PIPELINE),
        "can_change": can(user, Action.CHANGE, Resource.PIPELINE),
        "can_delete": can(user, Action.DELETE, Resource.PIPELINE),
    }


def _card_context(request: HttpRequest, pipeline: Pipeline, **forms_: Any) -> dict[str, Any]:
    return {
        "p": pipeline,
        "rename_form": forms_.get(f"rename_form_{pipeline.pk}")
        or PipelineForm(initial={"name": pipeline.name}, prefix=f"p{pipeline.pk}"),
        "stage_form": forms_.get(f"stage_form_{pipeline.pk}")
        or StageForm(initial={"outcome": PipelineStage.Outcome.OPEN}, prefix=f"s{pipeline.pk}"),
        **_permissions(request),
    }


def _show_error(form: forms.Form, exc: ActionError) -> None:
    """The action's message on top of the form, its field errors beside the fields."""
    if exc.field_errors:
        form.add_error(None, exc.message)
    apply_errors(form, exc)


def _settings_page(request: HttpRequest, status: int = 200, **forms_: Any) -> HttpResponse:
    context = {
        "cards": [_card_context(request, p, **forms_) for p in _pipelines()],
        "pipeline_form": forms_.get("pipeline_form") or PipelineForm(),
        "layout": [name for name, *_ in pipeline_actions.default_layout()],
        "not_saved": status >= 400,
        **_permissions(request),
    }
    return render(request, "sales/pipeline_settings.html", context, status=status)


# ---------------------------------------------------------------------- the page
@require_GET
@login_required
def pipeline_settings(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    return _settings_page(request)


# ---------------------------------------------------------------------- pipelines
@require_POST
@login_required
def pipeline_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    form = PipelineForm(request.POST)
    if form.is_valid():
        try:
            pipeline = pipeline_actions.create_pipeline(form.cleaned_data["name"])
        except ActionError as exc:
            _show_error(form, exc)
        else:
            count = pipeline.stages.count()
            messages.success(request, f"Pipeline “{pipeline.name}” created with {count} stages.")
            return redirect(_settings_url(pipeline.pk))
    return _settings_page(request, status=422, pipeline_form=form)


@require_POST
@login_required
def pipeline_rename(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = PipelineForm(request.POST, prefix=f"p{pipeline.pk}")
    if form.is_valid():
        try:
            pipeline_actions.rename_pipeline(pipeline, form.cleaned_data["name"])
        except ActionError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, f"Pipeline renamed to “{pipeline.name}”.")
            return redirect(_settings_url(pipeline.pk))
    return _settings_page(request, status=422, **{f"rename_form_{pipeline.pk}": form})


@require_POST
@login_required
def pipeline_make_default(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    pipeline = get_object_or_404(Pipeline, pk=pk)
    try:
        pipeline_actions.make_default_pipeline(pipeline)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{pipeline.name}” is now the default pipeline.")
    return redirect(_settings_url(pipeline.pk))


def _confirm(
    request: HttpRequest,
    *,
    kind: str,
    target: Pipeline | PipelineStage,
    refusal: ActionError | None,
    do: Callable[[], object],
    done: str,
    action: str,
    back: str,
    after: str | None = None,
    template: str = "sales/pipeline_settings_delete.html",
    **extra: Any,
) -> HttpResponse:
    """GET: the confirm step (or why it cannot be done; ``back`` cancels); POST: ``do`` it, then
    go to ``after`` (default ``back``) with the ``done`` message."""
    if request.method == "POST":
        try:
            do()
        except ActionError as exc:
            refusal = exc
        else:
            messages.success(request, done)
            return redirect(after or back)
    context = {"kind": kind, "target": target, "refusal": refusal, "action": action, "back": back, **extra}
    status = refusal.status if request.method == "POST" and refusal else 200
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def pipeline_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.DELETE)
    pipeline = get_object_or_404(Pipeline.objects.annotate(stage_count=Count("stages")), pk=pk)
    return _confirm(
        request,
        kind="pipeline",
        target=pipeline,
        refusal=pipeline_actions.pipeline_deletion_refusal(pipeline),
        do=lambda: pipeline_actions.delete_pipeline(pipeline),
        done=f"Pipeline “{pipeline.name}” deleted.",
        action=reverse("sales:pipeline_delete", args=[pipeline.pk]),
        back=_settings_url(pipeline.pk),
        after=_settings_url(),
    )


# ---------------------------------------------------------------------- stages
@require_POST
@login_required
def stage_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = StageForm(request.POST, prefix=f"s{pipeline.pk}")
    if form.is_valid():
        try:
            stage = pipeline_actions.add_stage(pipeline, **form.stage_fields())
        except ActionError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, f"Stage “{stage.name}” added to “{pipeline.name}”.")
            return redirect(_settings_url(pipeline.pk))
    return _settings_page(request, status=422, **{f"stage_form_{pipeline.pk}": form})


@require_http_methods(["GET", "POST"])
@login_required
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    stage = get_object_or_404(PipelineStage.objects.select_related("pipeline"), pk=pk)
    initial = {name: getattr(stage, name) for name in pipeline_actions.STAGE_FIELDS}
    form = StageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline_actions.update_stage(stage, **form.stage_fields())
        except ActionError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, f"Stage “{stage.name}” saved.")
            return redirect(_settings_url(stage.pipeline_id))
    context = {
        "form": form,
        "stage": stage,
        "deal_count": stage.deals.count(),
        "back": _settings_url(stage.pipeline_id),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/pipeline_settings_stage.html", context, status=status)


@require_POST
@login_required
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a stage one place up or down; htmx gets the pipeline's card back."""
    _require(request, Action.CHANGE)
    stage = get_object_or_404(PipelineStage.objects.select_related("pipeline"), pk=pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""), 0)
    try:
        pipeline_actions.move_stage(stage, offset)
    except ActionError as exc:
        note, level = exc.message, messages.ERROR
    else:
        note, level = f"“{stage.name}” moved {'up' if offset < 0 else 'down'}.", messages.SUCCESS
    if _wants_partial(request):
        pipeline = next((p for p in _pipelines() if p.pk == stage.pipeline_id), None)
        if pipeline is not None:
            context = {**_card_context(request, pipeline), "note": note}
            return render(request, "sales/pipeline_settings_card.html", context)
    messages.add_message(request, level, note)
    return redirect(_settings_url(stage.pipeline_id))


@require_http_methods(["GET", "POST"])
@login_required
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.DELETE)
    stage = get_object_or_404(PipelineStage.objects.select_related("pipeline"), pk=pk)
    can_archive = not stage.is_archived and can(_user(request), Action.CHANGE, Resource.PIPELINE)
    return _confirm(
        request,
        kind="stage",
        target=stage,
        refusal=pipeline_actions.stage_deletion_refusal(stage),
        do=lambda: pipeline_actions.delete_stage(stage),
        done=f"Stage “{stage.name}” deleted from “{stage.pipeline.name}”.",
        action=reverse("sales:stage_delete", args=[stage.pk]),
        back=_settings_url(stage.pipeline_id),
        archive_url=reverse("sales:stage_archive", args=[stage.pk]) if can_archive else "",
    )


@require_http_methods(["GET", "POST"])
@login_required
def stage_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what archiving does (or why it is refused); POST: archive."""
    _require(request, Action.CHANGE)
    stage = get_object_or_404(PipelineStage.objects.select_related("pipeline"), pk=pk)
    refusal = None if stage.is_archived else pipeline_actions.stage_archive_refusal(stage)
    return _confirm(
        request,
        kind="stage",
        target=stage,
        refusal=refusal,
        do=lambda: pipeline_actions.archive_stage(stage),
        done=f"Stage “{stage.name}” archived: it is off the board of “{stage.pipeline.name}”.",
        action=reverse("sales:stage_archive", args=[stage.pk]),
        back=_settings_url(stage.pipeline_id),
        template="sales/pipeline_settings_archive.html",
    )


@require_POST
@login_required
def stage_restore(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHANGE)
    stage = get_object_or_404(PipelineStage.objects.select_related("pipeline"), pk=pk)
    try:
        pipeline_actions.restore_stage(stage)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Stage “{stage.name}” restored to the board of “{stage.pipeline.name}”.")
    return redirect(_settings_url(stage.pipeline_id))
