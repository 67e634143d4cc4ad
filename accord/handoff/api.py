"""REST endpoints of the handoff app, mounted by ``accord/api.py`` under ``/api/leads``.

- ``GET /`` leads the caller may see (SDRs/AEs: theirs and their team's; managers, marketing: all);
- ``GET /{id}``; ``POST /{id}/accept``; ``POST /{id}/reject``; ``PUT /{id}/bant``;
  ``POST /{id}/convert`` (SQL + deal); ``POST /{id}/reassign`` (routing managers);
- ``POST /route`` route MQLs by hand (routing managers);
- ``GET /campaigns/{campaign_id}/quality`` a campaign's lead quality (who sees every verdict).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from accord.accounts.api_auth import api_user
from accord.accounts.models import User
from accord.accounts.permissions import ALL, Action, PermissionDenied, Resource, check, grant
from accord.campaigns.models import Campaign
from accord.core.api_support import Page, error_responses, paginate
from accord.core.errors import Invalid, NotFound
from accord.handoff import actions
from accord.handoff.access import visible_leads
from accord.handoff.models import LeadAssignment, Qualification
from accord.handoff.quality import campaign_lead_quality
from accord.handoff.routing import route_contacts
from accord.handoff.schemas import (
    BantIn,
    BantOut,
    ConvertIn,
    LeadOut,
    LeadQuery,
    QualityOut,
    ReassignIn,
    RejectIn,
    RouteIn,
    RouteOut,
)
from accord.handoff.sla import clocks

router = Router(tags=["Handoff (routing, SLA, verdicts, BANT)"])
READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def _lead(request: HttpRequest, pk: int, action: Action) -> tuple[Any, LeadAssignment]:
    user = api_user(request)
    lead = LeadAssignment.objects.select_related("contact", "owner").filter(pk=pk).first()
    if lead is None:
        raise NotFound(f"Lead {pk} does not exist.")
    check(user, Action.VIEW, Resource.LEAD, lead)
    check(user, action, Resource.LEAD, lead)
    return user, lead


def _out(leads: list[LeadAssignment]) -> list[dict[str, Any]]:
    times = clocks(leads)
    return [
        {
            **{
                f: getattr(a, f)
                for f in (
                    "id",
                    "contact_id",
                    "owner_id",
                    "team_id",
                    "status",
                    "method",
                    "rule_id",
                    "decided_by",
                    "assigned_at",
                    "assigned_by_id",
                    "source_campaign_id",
                    "first_touch_due",
                    "verdict_due",
                    "first_touch_at",
                    "verdict_at",
                    "reject_reason",
                    "reject_note",
                    "deal_id",
                )
            },  # fmt: skip
            "contact_name": a.contact.full_name,
            "contact_email": a.contact.email,
            "owner_name": str(a.owner) if a.owner else "",
            "sla": times[a.pk].__dict__,
        }
        for a in leads
    ]


@router.get("", response={200: Page[LeadOut], **READ_ERRORS}, summary="List leads")
def list_leads(request: HttpRequest, query: Query[LeadQuery]) -> dict[str, Any]:
    user = api_user(request)
    qs = visible_leads(user)
    if query.status:
        qs = qs.filter(status=query.status)
    if query.mine:
        qs = qs.filter(owner_id=user.pk)
    if query.team_id:
        qs = qs.filter(team_id=query.team_id)
    page = paginate(request, qs.order_by("-assigned_at", "-pk"), query)
    page["items"] = _out(page["items"])
    return page


@router.post("/route", response={200: RouteOut, **WRITE_ERRORS}, summary="Route MQLs now")
def route(request: HttpRequest, payload: RouteIn) -> dict[str, Any]:
    user = api_user(request)
    check(user, Action.CHANGE, Resource.ROUTING)
    return route_contacts(payload.contact_ids, by=user).__dict__


@router.get(
    "/campaigns/{campaign_id}/quality",
    response={200: QualityOut, **READ_ERRORS},
    summary="Lead quality of a campaign",
)
def quality(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    user = api_user(request)
    if grant(user, Action.VIEW, Resource.LEAD) != ALL:
        raise PermissionDenied(Action.VIEW, Resource.LEAD)
    if not Campaign.objects.filter(pk=campaign_id).exists():
        raise NotFound(f"Campaign {campaign_id} does not exist.")
    return campaign_lead_quality(campaign_id)


@router.get("/{lead_id}", response={200: LeadOut, **READ_ERRORS}, summary="Get a lead")
def get_lead(request: HttpRequest, lead_id: int) -> dict[str, Any]:
    _, lead = _lead(request, lead_id, Action.VIEW)
    return _out([lead])[0]


@router.post("/{lead_id}/accept", response={200: LeadOut, **WRITE_ERRORS}, summary="Accept a lead (SAL)")
def accept(request: HttpRequest, lead_id: int) -> dict[str, Any]:
    user, lead = _lead(request, lead_id, Action.CHANGE)
    return _out([actions.accept_lead(lead, by=user)])[0]


@router.post(
    "/{lead_id}/reject", response={200: LeadOut, **WRITE_ERRORS}, summary="Reject a lead with a reason"
)
def reject(request: HttpRequest, lead_id: int, payload: RejectIn) -> dict[str, Any]:
    user, lead = _lead(request, lead_id, Action.CHANGE)
    done = actions.reject_lead(
        lead, by=user, reason=payload.reason, note=payload.note, outcome=payload.outcome
    )
    return _out([done])[0]


def _bant_out(qual: Qualification | None) -> dict[str, Any]:
    fields = {f: getattr(qual, f) if qual else None for f in actions.BANT_FIELDS}
    for f in ("budget_range", "budget_evidence", "authority_role", "decision_makers", "need"):
        fields[f] = fields[f] or ""
    return {**fields, "missing": actions.bant_gaps(qual)}


@router.get("/{lead_id}/bant", response={200: BantOut, **READ_ERRORS}, summary="A lead's BANT")
def get_bant(request: HttpRequest, lead_id: int) -> dict[str, Any]:
    _, lead = _lead(request, lead_id, Action.VIEW)
    return _bant_out(Qualification.objects.filter(contact_id=lead.contact_id).first())


@router.put("/{lead_id}/bant", response={200: BantOut, **WRITE_ERRORS}, summary="Save a lead's BANT")
def put_bant(request: HttpRequest, lead_id: int, payload: BantIn) -> dict[str, Any]:
    user, lead = _lead(request, lead_id, Action.CHANGE)
    fields = payload.model_dump(exclude_unset=True)
    for name in ("budget_range", "budget_evidence", "authority_role", "decision_makers", "need"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return _bant_out(actions.save_bant(lead, by=user, **fields))


@router.post(
    "/{lead_id}/convert", response={200: LeadOut, **WRITE_ERRORS}, summary="Convert to SQL and open a deal"
)
def convert(request: HttpRequest, lead_id: int, payload: ConvertIn) -> dict[str, Any]:
    user, lead = _lead(request, lead_id, Action.CHANGE)
    owner = None
    if payload.deal_owner_id is not None:
        owner = User.objects.filter(pk=payload.deal_owner_id).first()
        if owner is None:
            raise Invalid("Unknown deal owner.", field_errors={"deal_owner_id": ["No such user."]})
    done = actions.convert_lead(lead, by=user, deal_owner=owner, deal_name=payload.deal_name)
    return _out([done])[0]


@router.post("/{lead_id}/reassign", response={200: LeadOut, **WRITE_ERRORS}, summary="Reassign a lead")
def reassign(request: HttpRequest, lead_id: int, payload: ReassignIn) -> dict[str, Any]:
    user = api_user(request)
    check(user, Action.CHANGE, Resource.ROUTING)
    lead = LeadAssignment.objects.filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(f"Lead {lead_id} does not exist.")
    to = User.objects.filter(pk=payload.owner_id).first()
    if to is None:
        raise Invalid("Unknown rep.", field_errors={"owner_id": ["No such user."]})
    new = actions.reassign_lead(lead, to=to, by=user, note=payload.note)
    return _out([LeadAssignment.objects.select_related("contact", "owner").get(pk=new.pk)])[0]
