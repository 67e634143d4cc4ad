"""Form pages for the team: the list, the builder, a form with its embed code and submissions,
closing, reopening and deleting it, one submission with its consent evidence, and the CSV export.
Public pages are in ``public.py``."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, can
from accord.core.errors import ActionError, NotFound
from accord.core.spreadsheet import neutralise
from accord.webforms import actions
from accord.webforms.fields import all_targets
from accord.webforms.forms import (
    STATUS_FILTERS,
    FormSearch,
    FormSettings,
    apply_row_action,
    attach_row_errors,
    default_rows,
    rows_from_form,
    rows_from_post,
    settings_initial,
    show_errors,
    typed_settings,
)
from accord.webforms.models import ConsentRecord, FieldType, Form, Submission

FORMS_PER_PAGE = 25
SUBMISSIONS_PER_PAGE = 25


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, action: Action, form: Form | None = None) -> None:
    if not can(_user(request), action, Resource.FORM, form):
        raise PermissionDenied(f"You do not have permission to {action.value} this form.")


@dataclass
class Paging:
    page: Page[Any]
    page_range: list[int | str]


def _paginate(request: HttpRequest, qs: QuerySet[Any], per_page: int) -> Paging:
    paginator = Paginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return Paging(page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)))


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


# ---------------------------------------------------------------- list
@require_GET
@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    search = FormSearch(request.GET)
    q, status = search.value("q"), search.value("status")
    qs = Form.objects.select_related("owner", "default_campaign").annotate(
        submission_count=Count("submissions")
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(title__icontains=q))
    if status:
        qs = qs.filter(is_active=status == "active")
    context = {
        "search": search,
        "q": q,
        "status_label": STATUS_FILTERS[status].lower() if status else "",
        "paging": _paginate(request, qs.order_by("-created_at", "-id"), FORMS_PER_PAGE),
        "has_any": Form.objects.exists(),
        "can_add": can(_user(request), Action.ADD, Resource.FORM),
    }
    template = "webforms/form_list.html" + ("#results" if _wants_partial(request) else "")
    return render(request, template, context)


# ---------------------------------------------------------------- builder
def _builder(request: HttpRequest, form: Form | None) -> HttpResponse:
    targets = all_targets()
    general: list[str] = []
    status = 200
    if request.method == "POST":
        settings = FormSettings(request.POST, request.FILES)
        rows = rows_from_post(request.POST)
        action = request.POST.get("action", "save")
        if action != "save":  # a builder button: keep what was typed, show errors only on save
            rows = apply_row_action(rows, action)
            settings = FormSettings(initial=typed_settings(request.POST))
        elif settings.is_valid():
            try:
                values = settings.values()
                specs = [r.spec() for r in rows]
                if form is None:
                    saved = actions.create_form(by=_user(request), fields=specs, **values)
                else:
                    saved = actions.update_form(form, by=_user(request), fields=specs, **values)
                return HttpResponseRedirect(saved.get_absolute_url(), status=303)
            except NotFound as exc:  # deleted while being edited
                raise Http404(exc.message) from exc
            except ActionError as exc:
                general = attach_row_errors(rows, show_errors(settings, exc))
                status = 422
                if form is not None:
                    form.refresh_from_db()
        else:
            status = 422
    else:
        settings = FormSettings(
            initial=settings_initial(form) if form else {"submit_label": "Submit", "is_active": True}
        )
        rows = rows_from_form(form) if form else default_rows()
    context = {
        "form_obj": form,
        "settings": settings,
        "rows": rows,
        "row_count": len(rows),
        "targets": [(t.key, t.label) for t in targets.values()],
        "field_types": FieldType.choices,
        "general_errors": general,
    }
    return render(request, "webforms/form_builder.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def form_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    return _builder(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(Form, pk=pk)
    _require(request, Action.CHANGE, form)
    return _builder(request, form)


# ---------------------------------------------------------------- detail
def _submissions(form: Form) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(form=form)
        .select_related("contact", "campaign")
        .prefetch_related("consents__wording")
        .order_by("-submitted_at", "-id")
    )


@require_GET
@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(Form.objects.select_related("owner", "default_campaign"), pk=pk)
    _require(request, Action.VIEW, form)
    hosted_url = request.build_absolute_uri(form.get_public_url())
    base = request.build_absolute_uri("/").rstrip("/")
    context = {
        "form_obj": form,
        "fields": list(form.fields.all()),
        "versions": list(form.consent_versions.all()),
        "hosted_url": hosted_url,
        "embed_script": (
            f'<div data-accord-form="{form.slug}"></div>\n'
            f'<script async src="{base}{reverse("webforms:embed_js")}"></script>'
        ),
        "embed_iframe": (
            f'<iframe src="{hosted_url}?embed=1" title="{form.title or form.name}" '
            'style="width:100%;min-height:520px;border:0" loading="lazy"></iframe>'
        ),
        "paging": _paginate(request, _submissions(form), SUBMISSIONS_PER_PAGE),
        "can_change": can(_user(request), Action.CHANGE, Resource.FORM, form),
        "can_delete": can(_user(request), Action.DELETE, Resource.FORM, form),
    }
    template = "webforms/form_detail.html" + ("#submissions" if _wants_partial(request) else "")
    return render(request, template, context)


# ---------------------------------------------------------------- close, reopen, delete
def _or_404(action: Callable[[Form], Any], form: Form) -> None:
    try:
        action(form)
    except NotFound as exc:  # deleted meanwhile
        raise Http404(exc.message) from exc


@require_POST
@login_required
def form_set_open(request: HttpRequest, pk: int, *, is_open: bool) -> HttpResponse:
    """Close the form (no more submissions) or open it again."""
    form = get_object_or_404(Form, pk=pk)
    _require(request, Action.CHANGE, form)
    _or_404(actions.reopen_form if is_open else actions.archive_form, form)
    if is_open:
        messages.success(request, f"“{form.name}” is open again: it accepts submissions.")
    else:
        messages.success(request, f"“{form.name}” is closed: it no longer accepts submissions.")
    return HttpResponseRedirect(form.get_absolute_url(), status=303)


@require_http_methods(["GET", "POST"])
@login_required
def form_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirm step (or why the form cannot be deleted); POST: delete it."""
    form = get_object_or_404(Form, pk=pk)
    _require(request, Action.DELETE, form)
    if request.method == "POST":
        try:
            actions.delete_form(form)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except ActionError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(form.get_absolute_url(), status=303)
        messages.success(request, f"Form “{form.name}” deleted.")
        return HttpResponseRedirect(reverse("webforms:form_list"), status=303)
    context = {
        "form_obj": form,
        "submission_count": Submission.objects.filter(form=form).count(),
        "can_change": can(_user(request), Action.CHANGE, Resource.FORM, form),
    }
    return render(request, "webforms/form_delete.html", context)


@require_GET
@login_required
def submission_detail(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    form = get_object_or_404(Form, pk=pk)
    _require(request, Action.VIEW, form)
    submission = get_object_or_404(
        Submission.objects.select_related("contact", "campaign"), pk=sid, form=form
    )
    labels = {f.target: f.label for f in form.fields.all()}
    targets = all_targets()
    values = [
        (labels.get(k) or (targets[k].label if k in targets else k), v) for k, v in submission.data.items()
    ]
    consents = ConsentRecord.objects.filter(submission=submission).select_related("wording")
    context = {"form_obj": form, "submission": submission, "values": values, "consents": consents}
    return render(request, "webforms/submission_detail.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(form: Form) -> Iterator[str]:
    fields = list(form.fields.all())
    writer = csv.writer(_Echo())
    header = ["submitted_at", "status", "email", *[f.label for f in fields], "utm_source", "utm_medium",
              "utm_campaign", "campaign", "page_url", "referrer", "ip", "user_agent", "consent_version",
              "contact_id"]  # fmt: skip
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    qs = Submission.objects.filter(form=form).select_related("campaign").order_by("submitted_at", "id")
    versions = dict(
        ConsentRecord.objects.filter(form=form).values_list("submission_id", "wording__version").order_by()
    )
    for s in qs.iterator(chunk_size=1000):
        cells = [
            s.submitted_at.isoformat(), s.status, s.email,
            *[_cell(s.data.get(f.target)) for f in fields],
            s.utm.get("utm_source", ""), s.utm.get("utm_medium", ""), s.utm.get("utm_campaign", ""),
            s.campaign.name if s.campaign else "", s.page_url, s.referrer, s.ip or "", s.user_agent,
            str(versions.get(s.pk, "")), str(s.contact_id or ""),
        ]  # fmt: skip
        yield writer.writerow([neutralise(str(c)) for c in cells])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@require_GET
@login_required
def submissions_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    form = get_object_or_404(Form, pk=pk)
    _require(request, Action.VIEW, form)
    response = StreamingHttpResponse(_csv_rows(form), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="form-{form.slug}-submissions.csv"'
    return response
