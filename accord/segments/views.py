"""Segment pages: the list, the builder (with a live count), and a segment with its members.

Views are thin: read the form, check permission, call one action, render. On htmx requests the
builder view returns only the ``builder`` partial and the detail view only the part asked for,
so the same views serve the full pages and their fragments.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, can
from accord.campaigns.models import Campaign
from accord.contacts.models import Contact
from accord.core.errors import ActionError, Invalid
from accord.core.numbers import ascii_int
from accord.segments import actions
from accord.segments.builder import BuilderState, Group, pretty_json
from accord.segments.compiler import count
from accord.segments.describe import describe_json
from accord.segments.fields import OP_LABELS, Catalog, Op, load_catalog
from accord.segments.models import Segment, SegmentMembership
from accord.segments.rebuild import segment_tree
from accord.segments.validation import clean_filter
from accord.tracking.models import EventType

MEMBERS_PER_PAGE = 50
ADD_BUTTONS = [
    ("field", "+ Condition"),
    ("event", "+ Event"),
    ("campaign", "+ Campaign"),
    ("segment", "+ Segment"),
]
EVENT_PROPERTY_OPS = [
    (op.value, OP_LABELS[op])
    for op in (
        Op.CONTAINS,
        Op.NOT_CONTAINS,
        Op.EQ,
        Op.NEQ,
        Op.STARTS_WITH,
        Op.GT,
        Op.GTE,
        Op.LT,
        Op.LTE,
        Op.IS_NULL,
        Op.IS_NOT_NULL,
    )
]
MAX_EMAILS = 1000


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps in a fragment (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _require(request: HttpRequest, action: Action, segment: Segment | None = None) -> None:
    if not can(_user(request), action, Resource.SEGMENT, segment):
        raise PermissionDenied("You may not do this with segments.")


# ---------------------------------------------------------------------- list
@require_http_methods(["GET"])
@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    segments = Segment.objects.select_related("owner").order_by("name", "id")
    return render(
        request,
        "segments/segment_list.html",
        {"segments": segments, "can_add": can(_user(request), Action.ADD, Resource.SEGMENT)},
    )


# ---------------------------------------------------------------------- builder
def _builder_context(
    request: HttpRequest, state: BuilderState, catalog: Catalog, segment: Segment | None, **extra: Any
) -> dict[str, Any]:
    fields = [(group, [(spec.key, spec.label) for spec in specs]) for group, specs in catalog.grouped()]
    others = Segment.objects.order_by("name")
    if segment is not None:
        others = others.exclude(pk=segment.pk)
    return {
        "segment": segment,
        "state": state,
        "fields": fields,
        "event_types": EventType.choices,
        "campaigns": Campaign.objects.order_by("name").values_list("pk", "name")[:500],
        "other_segments": others.values_list("pk", "name")[:500],
        "owners": User.objects.filter(is_active=True).order_by("first_name", "last_name", "username"),
        "add_buttons": ADD_BUTTONS,
        "event_property_ops": EVENT_PROPERTY_OPS,
        **extra,
    }


def _preview_count(state: BuilderState, catalog: Catalog, segment: Segment | None) -> tuple[int | None, str]:
    """The live count, or why there is none; rows just added and still empty are not flagged."""
    tree, paths = state.to_tree(catalog)
    try:
        node = clean_filter(tree, catalog=catalog, segment_id=segment.pk if segment else None)
    except Invalid as exc:
        state.attach_errors(exc.field_errors, paths)
        if state.forgive_blank_rows() and not state.has_errors():
            return None, "Finish the new condition to see the count."
        return None, "Fix the highlighted conditions to see the count."
    return count(node), ""


def _builder(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    catalog = load_catalog()
    form = {
        "name": segment.name if segment else "",
        "description": segment.description if segment else "",
        "mode": "builder",
        "filter_json": "",
    }
    form_errors: dict[str, list[str]] = {}
    action = request.POST.get("action", "refresh") if request.method == "POST" else ""
    if request.method == "POST":
        form.update(
            name=request.POST.get("name", "").strip(),
            description=request.POST.get("description", "").strip(),
            mode="json" if request.POST.get("mode") == "json" else "builder",
            filter_json=request.POST.get("filter_json", ""),
        )
        state = BuilderState.from_post(request.POST)
        if action == "mode:builder":
            loaded = _json_state(form["filter_json"])
            if loaded is None:
                form_errors["filter_json"] = [
                    "This filter is too complex for the visual builder; edit it as JSON."
                ]
            else:
                form["mode"], state = "builder", loaded
        elif action not in ("save", "refresh", "mode:json"):
            state.apply(action)
        state.normalise(catalog)
        if action == "mode:json":
            form.update(mode="json", filter_json=pretty_json(state.to_tree(catalog)[0]))
        elif action == "save":
            saved = _save(request, segment, form, state, catalog, form_errors)
            if saved is not None:
                return saved
    else:
        state = BuilderState.from_tree(segment.filter if segment else {}) or BuilderState()
        if segment is not None and not state.groups and segment.filter not in ({}, {"and": []}):
            form.update(mode="json", filter_json=pretty_json(segment.filter))
        elif not state.groups:
            state.groups.append(Group())  # an empty group with its "Add" buttons to start from
        state.normalise(catalog)
    live_count, count_error = (
        (None, "") if form["mode"] == "json" else _preview_count(state, catalog, segment)
    )
    context = _builder_context(
        request, state, catalog, segment, **form,
        form_errors=form_errors, live_count=live_count, count_error=count_error,
    )  # fmt: skip
    template = "segments/segment_builder.html"
    if _wants_partial(request) and action != "save":
        template += "#builder"
    # A failed save is a 422 (a plain form post); live re-renders are 200 so htmx swaps them in.
    return render(request, template, context, status=422 if action == "save" else 200)


def _json_state(text: str) -> BuilderState | None:
    data = _parse_json(text)
    return BuilderState.from_tree(data) if isinstance(data, dict) else None


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text or "{}")
    except ValueError:
        return None


def _save(
    request: HttpRequest,
    segment: Segment | None,
    form: dict[str, str],
    state: BuilderState,
    catalog: Catalog,
    form_errors: dict[str, list[str]],
) -> HttpResponse | None:
    """Create or update from the form; a redirect, or None with the problems recorded for the page."""
    json_mode = form["mode"] == "json"
    paths: dict[tuple[int, int], str] = {}
    if json_mode:
        tree = _parse_json(form["filter_json"])
        if not isinstance(tree, dict):
            form_errors["filter_json"] = ["This is not a JSON object."]
            return None
    else:
        tree, paths = state.to_tree(catalog)
    name, description = form["name"], form["description"]
    try:
        if segment is None:
            segment = actions.create_segment(
                name=name, description=description, filter=tree, owner=_user(request)
            )
            messages.success(request, f"Segment “{segment.name}” created; its members are being gathered.")
        else:
            actions.update_segment(segment, name=name, description=description, filter=tree)
            messages.success(request, f"Segment “{segment.name}” saved.")
    except ActionError as exc:
        filter_errors = {k: v for k, v in exc.field_errors.items() if k.startswith("filter")}
        for key in ("name", "description"):
            if key in exc.field_errors:
                form_errors[key] = exc.field_errors[key]
        if json_mode:
            form_errors["filter_json"] = [f"{k}: {m}" for k, v in filter_errors.items() for m in v]
        else:
            state.attach_errors(filter_errors, paths)
        if not exc.field_errors:
            form_errors["general"] = [exc.message]
        return None
    return redirect(segment)


@require_http_methods(["GET", "POST"])
@login_required
def segment_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    return _builder(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    _require(request, Action.CHANGE, segment)
    if not segment.is_dynamic:
        return redirect(segment)
    return _builder(request, segment)


@require_POST
@login_required
def preview(request: HttpRequest) -> HttpResponse:
    """The live count for the builder form as it is now (an htmx fragment; nothing is saved)."""
    _require(request, Action.VIEW)
    catalog = load_catalog()
    segment = None
    segment_id = ascii_int(request.POST.get("segment_id", ""))
    if segment_id is not None:
        segment = Segment.objects.filter(pk=segment_id).first()
    state = BuilderState.from_post(request.POST)
    state.normalise(catalog)
    live_count, count_error = _preview_count(state, catalog, segment)
    return render(
        request, "segments/_live_count.html", {"live_count": live_count, "count_error": count_error}
    )


# ---------------------------------------------------------------------- static lists
@require_http_methods(["GET", "POST"])
@login_required
def list_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    errors: dict[str, list[str]] = {}
    name = description = ""
    if request.method == "POST":
        name, description = request.POST.get("name", ""), request.POST.get("description", "")
        try:
            segment = actions.create_segment(
                name=name, description=description, kind=Segment.Kind.STATIC, owner=_user(request)
            )
        except ActionError as exc:
            errors = exc.field_errors or {"general": [exc.message]}
        else:
            messages.success(request, f"Static list “{segment.name}” created. Add contacts to it below.")
            return redirect(segment)
    return render(
        request,
        "segments/list_form.html",
        {"name": name, "description": description, "errors": errors},
        status=422 if errors else 200,
    )


@require_POST
@login_required
def list_add(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    _require(request, Action.CHANGE, segment)
    emails = {
        e.strip().lower() for e in request.POST.get("emails", "").replace(",", "\n").splitlines() if e.strip()
    }
    if len(emails) > MAX_EMAILS:
        messages.error(request, f"Add at most {MAX_EMAILS} contacts at a time.")
        return redirect(segment)
    found = dict(Contact.objects.filter(email__in=emails).values_list("email", "pk"))
    try:
        added = actions.add_to_static_list(segment, list(found.values())) if found else 0
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(segment)
    unknown = sorted(emails - set(found))
    messages.success(request, f"Added {added} contact{'s' if added != 1 else ''}.")
    if unknown:
        messages.warning(
            request, f"No contact with: {', '.join(unknown[:10])}{' …' if len(unknown) > 10 else ''}"
        )
    return redirect(segment)


@require_POST
@login_required
def list_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    _require(request, Action.CHANGE, segment)
    try:
        actions.remove_from_static_list(segment, [contact_pk])
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect(segment)


# ---------------------------------------------------------------------- one segment
@require_http_methods(["GET"])
@login_required
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.select_related("owner"), pk=pk)
    _require(request, Action.VIEW, segment)
    catalog = load_catalog()
    filter_error = _filter_error(segment, catalog)
    user = _user(request)
    # Membership is on its way (the page polls) unless the rebuild cannot or did not succeed.
    updating = segment.is_stale and not filter_error and not segment.needs_attention
    can_change = can(user, Action.CHANGE, Resource.SEGMENT, segment)
    if _wants_partial(request) and request.GET.get("part") == "status":
        response = render(
            request,
            "segments/segment_detail.html#status",
            {
                "segment": segment,
                "filter_error": filter_error,
                "updating": updating,
                "can_change": can_change,
            },
        )
        if request.GET.get("was_stale") and not updating:
            response["HX-Refresh"] = "true"  # membership is ready (or never will be): show the page
        return response
    members = SegmentMembership.objects.filter(segment=segment).select_related("contact", "contact__company")
    page = Paginator(members.order_by("-added_at", "-id"), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "segment": segment,
        "page": page,
        "summary": describe_json(segment.filter, catalog) if segment.is_dynamic else None,
        "filter_error": filter_error,
        "updating": updating,
        "can_change": can_change,
        "can_delete": can(user, Action.DELETE, Resource.SEGMENT, segment),
    }
    template = "segments/segment_detail.html"
    if _wants_partial(request) and request.GET.get("part") == "members":
        template += "#members"
    return render(request, template, context)


def _filter_error(segment: Segment, catalog: Catalog) -> str:
    """Why a dynamic segment's stored filter can no longer be evaluated (a property was deleted,
    a value saved before it was refused), or "" when it can; such a segment is never rebuilt."""
    if not segment.is_dynamic:
        return ""
    try:
        segment_tree(segment, catalog)
    except Invalid as exc:
        return exc.message
    return ""


@require_POST
@login_required
def segment_rebuild(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    _require(request, Action.CHANGE, segment)
    try:
        result = actions.rebuild_segment(segment)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Rebuilt: {result.member_count} members ({result.added} added, {result.removed} removed).",
        )
    return redirect(segment)


@require_POST
@login_required
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    _require(request, Action.DELETE, segment)
    try:
        actions.delete_segment(segment)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(segment)
    messages.success(request, f"Segment “{segment.name}” deleted.")
    return HttpResponseRedirect(reverse("segments:segment_list"))
