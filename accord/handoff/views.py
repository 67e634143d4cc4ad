"""Handoff pages: the rep's lead inbox, the lead page (facts, score, BANT, verdict, history), the
manager's team inbox (SLA status, reassign) and the routing settings.

Views are thin: parse the form, check permission (:mod:`accord.accounts.permissions`) with the lead
itself, call one action, redirect; action errors are shown beside the form fields.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accord.accounts.models import Team, User
from accord.accounts.permissions import ALL, Action, Resource, can, grant
from accord.core import timeline
from accord.core.errors import ActionError
from accord.core.numbers import ascii_int
from accord.handoff import actions
from accord.handoff.access import visible_leads
from accord.handoff.forms import (
    BantForm,
    ConvertForm,
    ReassignForm,
    RejectForm,
    RepForm,
    RuleForm,
    SlaForm,
    TimeOffForm,
    apply_errors,
    sales_users,
)
from accord.handoff.models import (
    DEFAULT_FIRST_TOUCH_MINUTES,
    DEFAULT_VERDICT_MINUTES,
    LeadAssignment,
    Qualification,
    RepProfile,
    RoutingRule,
    SlaPolicy,
    TimeOff,
)
from accord.handoff.sla import clocks

PAGE_SIZE = 25
STATUS_FILTERS = [("open", "Open"), *LeadAssignment.Status.choices, ("all", "All")]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, action: Action, resource: Resource, obj: Any = None) -> None:
    if not can(_user(request), action, resource, obj):
        raise PermissionDenied(f"You do not have permission to {action.value} this {resource.value}.")


def _filtered(qs: QuerySet[LeadAssignment], status: str) -> QuerySet[LeadAssignment]:
    if status == "open":
        return qs.filter(status__in=LeadAssignment.ACTIVE)
    if status in LeadAssignment.Status.values:
        return qs.filter(status=status)
    return qs


def _rows(request: HttpRequest, qs: QuerySet[LeadAssignment]) -> dict[str, Any]:
    page = Paginator(qs.order_by("-assigned_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    leads = list(page.object_list)
    times = clocks(leads)
    paging = {"page": page, "page_range": page.paginator.get_elided_page_range(page.number)}
    return {"page": page, "paging": paging, "rows": [(lead, times[lead.pk]) for lead in leads]}


# ------------------------------------------------------------------ inboxes
@require_GET
@login_required
def lead_inbox(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CHANGE, Resource.LEAD)
    status = request.GET.get("status", "open")
    qs = _filtered(
        LeadAssignment.objects.filter(owner=_user(request)).select_related("contact", "contact__company"),
        status,
    )
    context = {"status": status, "filters": STATUS_FILTERS, **_rows(request, qs)}
    return render(request, "handoff/inbox.html", context)


@require_GET
@login_required
def team_inbox(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CHANGE, Resource.ROUTING)
    user = _user(request)
    teams = Team.objects.filter(kind=Team.Kind.SALES)
    team_pk = ascii_int(request.GET.get("team", ""))
    team = teams.filter(pk=team_pk).first() if team_pk is not None else None
    if team is None and user.team_id and teams.filter(pk=user.team_id).exists():
        team = user.team
    status = request.GET.get("status", "open")
    qs = LeadAssignment.objects.select_related("contact", "owner", "team")
    if team is not None:
        qs = qs.filter(team=team)
    qs = _filtered(qs, status)
    sla = request.GET.get("sla", "")
    if sla == "breached":
        now = timezone.now()
        qs = qs.filter(
            Q(first_touch_at=None, first_touch_due__lte=now)
            | Q(status=LeadAssignment.Status.NEW, verdict_due__lte=now)
        )
    context = {
        "status": status, "filters": STATUS_FILTERS, "sla": sla, "teams": teams, "team": team,
        "reps": sales_users().filter(team=team) if team else sales_users(), **_rows(request, qs),
    }  # fmt: skip
    return render(request, "handoff/team_inbox.html", context)


# ------------------------------------------------------------------ the lead page
def _get_lead(request: HttpRequest, pk: int) -> LeadAssignment:
    lead = get_object_or_404(
        LeadAssignment.objects.select_related(
            "contact", "contact__company", "owner", "team", "source_campaign"
        ),
        pk=pk,
    )
    _require(request, Action.VIEW, Resource.LEAD, lead)
    return lead


RECENT_ENTRIES = 8  # the lead page's "Recent activity": the contact page has the whole timeline


def _lead_page(request: HttpRequest, lead: LeadAssignment, status: int = 200, **forms: Any) -> HttpResponse:
    user = _user(request)
    qual = Qualification.objects.filter(contact_id=lead.contact_id).first()
    initial = {f: getattr(qual, f) for f in actions.BANT_FIELDS} if qual else {}
    history = list(  # the contact's earlier and later assignments, as far as the user may see leads
        visible_leads(user)
        .filter(contact_id=lead.contact_id)
        .select_related("owner", "team", "assigned_by", "verdict_by")
        .order_by("assigned_at", "pk")
    )
    context = {
        "lead": lead,
        "contact": lead.contact,
        "clock": clocks([lead])[lead.pk],
        "can_change": can(user, Action.CHANGE, Resource.LEAD, lead) and lead.is_active,
        "can_reassign": can(user, Action.CHANGE, Resource.ROUTING) and lead.is_active,
        "bant_form": forms.get("bant_form") or BantForm(initial=initial),
        "bant_missing": actions.bant_gaps(qual),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "convert_form": forms.get("convert_form") or ConvertForm(initial={"deal_owner": lead.owner_id}),
        "reassign_form": forms.get("reassign_form") or ReassignForm(team=lead.team),
        "history": history,
        "breaches": list(lead.breaches.all()),
        "recent": timeline.for_contact(lead.contact_id, limit=RECENT_ENTRIES),
    }
    return render(request, "handoff/lead_detail.html", context, status=status)


@require_GET
@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _lead_page(request, _get_lead(request, pk))


def _changeable(request: HttpRequest, pk: int) -> LeadAssignment:
    lead = _get_lead(request, pk)
    _require(request, Action.CHANGE, Resource.LEAD, lead)
    return lead


@require_POST
@login_required
def lead_accept(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _changeable(request, pk)
    try:
        actions.accept_lead(lead, by=_user(request))
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(lead.get_absolute_url())
    messages.success(request, f"{lead.contact} accepted: now a sales accepted lead.")
    return redirect(lead.get_absolute_url())


@require_POST
@login_required
def lead_reject(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _changeable(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            actions.reject_lead(lead, by=_user(request), **form.cleaned_data)
        except ActionError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{lead.contact} rejected and handed back to marketing.")
            return redirect("handoff:lead_inbox")
    return _lead_page(request, lead, status=422, reject_form=form)


@require_POST
@login_required
def lead_bant(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _changeable(request, pk)
    form = BantForm(request.POST)
    if form.is_valid():
        data = {
            k: ("" if v is None and k not in ("budget_amount", "timeline") else v)
            for k, v in form.cleaned_data.items()
        }
        try:
            actions.save_bant(lead, by=_user(request), **data)
        except ActionError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Qualification saved.")
            return redirect(lead.get_absolute_url())
    return _lead_page(request, lead, status=422, bant_form=form)


@require_POST
@login_required
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _changeable(request, pk)
    form = ConvertForm(request.POST)
    if form.is_valid():
        try:
            done = actions.convert_lead(
                lead, by=_user(request), deal_owner=form.cleaned_data["deal_owner"],
                deal_name=form.cleaned_data["deal_name"],
            )  # fmt: skip
        except ActionError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, f"{lead.contact} is now a sales qualified lead; deal “{done.deal}” opened."
            )
            return redirect(lead.get_absolute_url())
    return _lead_page(request, lead, status=422, convert_form=form)


@require_POST
@login_required
def lead_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(LeadAssignment.objects.select_related("contact", "team"), pk=pk)
    _require(request, Action.CHANGE, Resource.ROUTING)
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            new = actions.reassign_lead(
                lead, to=form.cleaned_data["owner"], by=_user(request), note=form.cleaned_data["note"]
            )
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{lead.contact} reassigned to {new.owner}.")
            return redirect(
                request.POST.get("next") == "team" and reverse("handoff:team_inbox") or new.get_absolute_url()
            )
    else:
        messages.error(request, "Pick the rep to reassign the lead to.")
    return redirect(lead.get_absolute_url())


# ------------------------------------------------------------------ routing settings
def _settings_page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    profiles = {p.user_id: p for p in RepProfile.objects.prefetch_related("time_off")}
    reps = []
    for user in sales_users().select_related("team"):
        p = profiles.get(user.pk)
        initial = (
            {"weight": p.weight, "capacity": p.capacity, "timezone": p.timezone, "work_days": p.work_days,
             "work_start": p.work_start, "work_end": p.work_end, "active": p.active}
            if p else {"work_start": "09:00", "work_end": "17:00"}
        )  # fmt: skip
        form = forms.get(f"rep_form_{user.pk}") or RepForm(initial=initial, prefix=f"rep{user.pk}")
        reps.append(
            {"user": user, "profile": p, "form": form, "time_off": list(p.time_off.all()) if p else []}
        )
    policies = {sp.team_id: sp for sp in SlaPolicy.objects.all()}
    slas = []
    for team in Team.objects.filter(kind=Team.Kind.SALES):
        policy = policies.get(team.pk)
        ft, vd = (
            (policy.first_touch_minutes, policy.verdict_minutes)
            if policy
            else (DEFAULT_FIRST_TOUCH_MINUTES, DEFAULT_VERDICT_MINUTES)
        )
        form = forms.get(f"sla_form_{team.pk}") or SlaForm(
            initial={"first_touch_hours": round(ft / 60, 2), "verdict_hours": round(vd / 60, 2)},
            prefix=f"sla{team.pk}",
        )
        slas.append({"team": team, "form": form, "policy": policy})
    context = {
        "rules": RoutingRule.objects.select_related("team", "segment"),
        "rule_form": forms.get("rule_form") or RuleForm(initial={"active": True}),
        "reps": reps,
        "slas": slas,
        "time_off_form": TimeOffForm(),
        "can_manage": can(_user(request), Action.CHANGE, Resource.ROUTING),
    }
    return render(request, "handoff/routing_settings.html", context, status=status)


@require_GET
@login_required
def routing_settings(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW, Resource.ROUTING)
    return _settings_page(request)


def _manage(request: HttpRequest) -> None:
    _require(request, Action.CHANGE, Resource.ROUTING)


@require_POST
@login_required
def rule_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _manage(request)
    rule = get_object_or_404(RoutingRule, pk=pk) if pk else None
    form = RuleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.save_rule(
                rule, name=d["name"], team=d["team"], conditions=form.conditions(), segment=d["segment"],
                position=d["position"], active=d["active"],
            )  # fmt: skip
        except ActionError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Routing rule “{d['name']}” saved.")
            return redirect("handoff:routing_settings")
    return _settings_page(request, status=422, rule_form=form)


@require_POST
@login_required
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    rule = get_object_or_404(RoutingRule, pk=pk)
    actions.delete_rule(rule)
    messages.success(request, f"Routing rule “{rule.name}” deleted.")
    return redirect("handoff:routing_settings")


@require_POST
@login_required
def rep_save(request: HttpRequest, user_id: int) -> HttpResponse:
    _manage(request)
    user = get_object_or_404(sales_users(), pk=user_id)
    form = RepForm(request.POST, prefix=f"rep{user.pk}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.save_rep_profile(
                user, weight=d["weight"], capacity=d["capacity"], timezone_name=d["timezone"], work_days=d["work_days"],
                work_start=d["work_start"], work_end=d["work_end"], active=d["active"],
            )  # fmt: skip
        except ActionError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Routing settings of {user} saved.")
            return redirect("handoff:routing_settings")
    return _settings_page(request, status=422, **{f"rep_form_{user.pk}": form})


@require_POST
@login_required
def time_off_add(request: HttpRequest, user_id: int) -> HttpResponse:
    _manage(request)
    profile = RepProfile.objects.filter(user_id=user_id).select_related("user").first()
    if profile is None:
        raise Http404("Save the rep's routing settings first.")
    form = TimeOffForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.add_time_off(
                profile, starts_at=d["starts_at"].replace(tzinfo=UTC) if timezone.is_naive(d["starts_at"]) else d["starts_at"],
                ends_at=d["ends_at"].replace(tzinfo=UTC) if timezone.is_naive(d["ends_at"]) else d["ends_at"], note=d["note"],
            )  # fmt: skip
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Time off added for {profile.user}.")
    else:
        messages.error(request, "Give the start and end of the time off.")
    return redirect("handoff:routing_settings")


@require_POST
@login_required
def time_off_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    actions.delete_time_off(get_object_or_404(TimeOff, pk=pk))
    messages.success(request, "Time off removed.")
    return redirect("handoff:routing_settings")


@require_POST
@login_required
def sla_save(request: HttpRequest, team_id: int) -> HttpResponse:
    _manage(request)
    team = get_object_or_404(Team, pk=team_id, kind=Team.Kind.SALES)
    form = SlaForm(request.POST, prefix=f"sla{team.pk}")
    if form.is_valid():
        try:
            actions.save_sla_policy(
                team, first_touch_minutes=round(form.cleaned_data["first_touch_hours"] * 60),
                verdict_minutes=round(form.cleaned_data["verdict_hours"] * 60),
            )  # fmt: skip
        except ActionError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"SLA of {team} saved.")
            return redirect("handoff:routing_settings")
    return _settings_page(request, status=422, **{f"sla_form_{team.pk}": form})


def marketing_sees_all(user: User) -> bool:
    return grant(user, Action.VIEW, Resource.LEAD) == ALL
