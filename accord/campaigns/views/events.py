"""The event tab of event campaigns: sessions, registrations and check-in at the door."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accord.accounts.permissions import Action
from accord.campaigns import actions, reports
from accord.campaigns.forms import RegistrationForm, SessionForm, show_errors
from accord.campaigns.models import Campaign, EventRegistration, EventSession
from accord.campaigns.views._common import may_change, wants_partial
from accord.campaigns.views.detail import TAB_BY_KEY, campaign_for, done, render_tab
from accord.core.errors import ActionError

TAB = "event"
TEMPLATE = "campaigns/tabs/event.html"


def _event_campaign(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Campaign:
    campaign = campaign_for(request, pk, action)
    if not campaign.is_event:
        raise Http404("Not an event campaign.")
    return campaign


def _session_cards(campaign: Campaign, only: int | None = None) -> list[dict[str, Any]]:
    sessions = reports.sessions_with_attendance(campaign.pk)
    registrations = EventRegistration.objects.filter(session__campaign=campaign).select_related("contact")
    if only is not None:
        sessions, registrations = sessions.filter(pk=only), registrations.filter(session_id=only)
    by_session: dict[int, list[EventRegistration]] = {}
    for registration in registrations:
        by_session.setdefault(registration.session_id, []).append(registration)
    return [
        {
            "session": session,
            "registrations": by_session.get(session.pk, []),
            "rate": reports.percent_of(session.attended, session.registered),  # type: ignore[attr-defined]
            "seats_left": None if session.capacity is None else max(0, session.capacity - session.registered),  # type: ignore[attr-defined]
            "register_form": RegistrationForm(prefix=f"s{session.pk}"),
        }
        for session in sessions
    ]


def _totals(campaign: Campaign) -> dict[str, Any]:
    registered, attended, rate = reports.attendance(campaign.pk)
    return {"total_registered": registered, "total_attended": attended, "attendance_rate": rate}


def _tab(campaign: Campaign, form: SessionForm | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "cards": _session_cards(campaign),
        "session_form": form or SessionForm(),
        **_totals(campaign),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def event_tab(request: HttpRequest, pk: int) -> HttpResponse:
    """Sessions with their registrations; POST adds a session."""
    if request.method == "GET":
        campaign = _event_campaign(request, pk)
        return render_tab(request, campaign, TAB, _tab(campaign))
    campaign = _event_campaign(request, pk, Action.CHANGE)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            session = actions.add_session(campaign, **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            return done(request, campaign, TAB, f"Session “{session.name}” added.", lambda: _tab(campaign))
    return render_tab(request, campaign, TAB, _tab(campaign, form), status=422)


def _card_response(
    request: HttpRequest, campaign: Campaign, session_id: int, message: str = ""
) -> HttpResponse:
    """The session's card (htmx), or a redirect back to the tab."""
    if not wants_partial(request):
        if message:
            messages.success(request, message)
        return redirect(TAB_BY_KEY[TAB].url(campaign))
    context = {
        "campaign": campaign,
        "can_change": may_change(request, campaign),
        "card": _session_cards(campaign, only=session_id)[0],
        "card_message": message,
        "oob": True,
        **_totals(campaign),
    }
    return render(request, TEMPLATE + "#card-response", context)


@login_required
@require_POST
def session_register(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Register someone (name and email) for a session; a full session refuses."""
    campaign = _event_campaign(request, pk, Action.CHANGE)
    session = get_object_or_404(EventSession, pk=session_pk, campaign=campaign)
    form = RegistrationForm(request.POST, prefix=f"s{session.pk}")
    if form.is_valid():
        try:
            registration = actions.register(session, **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            return _card_response(request, campaign, session.pk, f"{registration} is registered.")
    if wants_partial(request):
        context = {
            "campaign": campaign,
            "can_change": True,
            "card": {**_session_cards(campaign, only=session.pk)[0], "register_form": form},
            **_totals(campaign),
        }
        return render(request, TEMPLATE + "#card-response", context)
    errors = "; ".join(str(m) for messages_ in form.errors.values() for m in messages_)
    messages.error(request, f"Not registered: {errors}")
    return render_tab(request, campaign, TAB, _tab(campaign), status=422)


def _registration(request: HttpRequest, pk: int, registration_pk: int) -> tuple[Campaign, EventRegistration]:
    campaign = _event_campaign(request, pk, Action.CHANGE)
    registration = get_object_or_404(EventRegistration, pk=registration_pk, session__campaign=campaign)
    return campaign, registration


@login_required
@require_POST
def registration_check_in(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    campaign, registration = _registration(request, pk, registration_pk)
    actions.check_in(registration)
    return _card_response(request, campaign, registration.session_id, f"{registration} checked in.")


@login_required
@require_POST
def registration_undo_check_in(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    campaign, registration = _registration(request, pk, registration_pk)
    actions.undo_check_in(registration)
    return _card_response(request, campaign, registration.session_id, f"Check-in of {registration} undone.")


@login_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    campaign, registration = _registration(request, pk, registration_pk)
    actions.cancel_registration(registration)
    return _card_response(
        request, campaign, registration.session_id, f"Registration of {registration} cancelled."
    )
