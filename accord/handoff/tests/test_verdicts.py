"""Verdicts, BANT and conversion through the API and the pages; permissions; the lead-quality panel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from accord.campaigns.actions import create_campaign
from accord.campaigns.models import Channel
from accord.handoff.models import LeadAssignment
from accord.handoff.routing import route_contacts
from accord.handoff.tests.conftest import NOW
from accord.lifecycle.models import StageChange
from accord.sales.models import Deal
from accord.sales.pipeline_actions import create_pipeline
from accord.tracking.actions import record_touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(staff):
    return create_campaign(name="Spring webinar", channel=Channel.DIGITAL, owner=staff["mark"])


@pytest.fixture
def lead(rules, staff, make_mql, campaign):
    contact = make_mql("FR")
    record_touchpoint(type="form_submit", occurred_at=NOW, contact_id=contact.pk, campaign_id=campaign.pk)
    actions_noah_off(staff)
    route_contacts([contact.pk], now=NOW)
    return LeadAssignment.objects.select_related("contact").get(contact=contact)


def actions_noah_off(staff):
    from accord.handoff import actions

    actions.save_rep_profile(staff["noah"], weight=1, capacity=0)  # every lead goes to Sofia


def test_accept_then_accept_again_is_409_and_changes_nothing(lead, staff, api_client_for):
    api = api_client_for(staff["sofia"])
    r = api.post(f"/api/leads/{lead.pk}/accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    lead.contact.refresh_from_db()
    assert lead.contact.lifecycle_stage == "sal"
    r = api.post(f"/api/leads/{lead.pk}/accept")
    assert r.status_code == 409 and "already accepted" in r.json()["message"]


def test_accepting_a_rejected_lead_is_409(lead, staff, api_client_for):
    api = api_client_for(staff["sofia"])
    r = api.post(
        f"/api/leads/{lead.pk}/reject",
        {"reason": "no_budget", "note": "Frozen budgets"},
        content_type="application/json",
    )
    assert r.status_code == 200
    changes = StageChange.objects.filter(contact=lead.contact).count()
    r = api.post(f"/api/leads/{lead.pk}/accept")
    assert r.status_code == 409 and r.json()["code"] == "verdict_already_given"
    assert "already rejected" in r.json()["message"]
    lead.refresh_from_db()
    assert lead.status == "rejected" and StageChange.objects.filter(contact=lead.contact).count() == changes


def test_reject_needs_a_reason_and_other_needs_a_note(lead, staff, api_client_for):
    api = api_client_for(staff["sofia"])
    r = api.post(f"/api/leads/{lead.pk}/reject", {"reason": "nope"}, content_type="application/json")
    assert r.status_code == 422 and "reason" in r.json()["field_errors"]
    r = api.post(f"/api/leads/{lead.pk}/reject", {"reason": "other"}, content_type="application/json")
    assert r.status_code == 422 and "note" in r.json()["field_errors"]
    r = api.post(
        f"/api/leads/{lead.pk}/reject",
        {"reason": "no_need", "outcome": "customer"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "outcome" in r.json()["field_errors"]
    lead.refresh_from_db()
    assert lead.status == "new"


def test_rejection_reason_goes_to_stage_history_and_the_campaigns_lead_quality(
    lead, staff, campaign, api_client_for
):
    api = api_client_for(staff["sofia"])
    body = {
        "reason": "competitor_customer",
        "note": "Locked into <b>Rival</b> until 2027",
        "outcome": "disqualified",
    }
    assert api.post(f"/api/leads/{lead.pk}/reject", body, content_type="application/json").status_code == 200
    change = StageChange.objects.filter(contact=lead.contact).order_by("-pk").first()
    assert change is not None and change.to_stage == "disqualified"
    assert "Competitor's customer" in change.reason and "Rival" in change.reason

    # the marketer who owns the campaign sees the verdict on the campaign page (escaped) and in the API
    mark = Client()
    mark.force_login(staff["mark"])
    html = mark.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Lead quality" in html and "Competitor&#x27;s customer" in html
    assert "Locked into &lt;b&gt;Rival&lt;/b&gt; until 2027" in html
    q = api_client_for(staff["mark"]).get(f"/api/leads/campaigns/{campaign.pk}/quality").json()
    assert q["mqls_routed"] == 1 and q["rejected"] == 1
    assert q["rejected_by_reason"][0]["code"] == "competitor_customer"
    assert q["rejected_by_reason"][0]["notes"][0]["note"].startswith("Locked into")
    # an SDR (team scope) does not get the all-verdicts report
    assert api.get(f"/api/leads/campaigns/{campaign.pk}/quality").status_code == 403


def test_convert_needs_bant_then_opens_the_deal(lead, staff, campaign, api_client_for):
    create_pipeline("Sales", is_default=True)
    api = api_client_for(staff["sofia"])
    r = api.post(
        f"/api/leads/{lead.pk}/convert", {"deal_owner_id": staff["james"].pk}, content_type="application/json"
    )
    assert r.status_code == 422
    assert set(r.json()["field_errors"]) == {"budget_amount", "authority_role", "need", "timeline"}
    bant = {"budget_amount": "48000", "budget_evidence": "Approved in Q1 plan", "authority_role": "VP Finance, signs",
            "need": "Month-end close takes 9 days", "timeline": "2026-06-30"}  # fmt: skip
    r = api.put(f"/api/leads/{lead.pk}/bant", bant, content_type="application/json")
    assert r.status_code == 200 and r.json()["missing"] == {}
    r = api.post(
        f"/api/leads/{lead.pk}/convert", {"deal_owner_id": staff["james"].pk}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "converted", r.json()
    deal = Deal.objects.get()
    assert deal.owner == staff["james"] and deal.contact == lead.contact and deal.source_campaign == campaign
    assert deal.amount == Decimal("48000") and deal.expected_close == date(2026, 6, 30)
    lead.contact.refresh_from_db()
    assert lead.contact.lifecycle_stage == "sql"
    stages = list(
        StageChange.objects.filter(contact=lead.contact).order_by("pk").values_list("to_stage", flat=True)
    )
    assert stages[-2:] == ["sal", "sql"]
    # won revenue shows on the campaign's lead quality
    won = deal.pipeline.stages.get(outcome="won")
    Deal.objects.filter(pk=deal.pk).update(stage=won, status=Deal.Status.WON)
    q = api_client_for(staff["mark"]).get(f"/api/leads/campaigns/{campaign.pk}/quality").json()
    assert q["sqls"] == 1 and q["won_deals"] == 1 and Decimal(q["won_revenue"]) == Decimal("48000")


def test_bad_bant_input_is_422(lead, staff, api_client_for):
    api = api_client_for(staff["sofia"])
    r = api.put(
        f"/api/leads/{lead.pk}/bant",
        {"budget_amount": "-5", "timeline": "soon", "x": 1},
        content_type="application/json",
    )
    assert r.status_code == 422 and {"budget_amount", "timeline", "x"} <= set(r.json()["field_errors"])


def test_permissions_other_rep_other_team_and_marketing(lead, staff, make_user, teams, api_client_for):
    noah = api_client_for(staff["noah"])  # same team, not the owner: may see, may not act
    assert noah.get(f"/api/leads/{lead.pk}").status_code == 200
    assert noah.post(f"/api/leads/{lead.pk}/accept").status_code == 403
    assert (
        noah.post(
            f"/api/leads/{lead.pk}/reject", {"reason": "no_need"}, content_type="application/json"
        ).status_code
        == 403
    )
    sam = api_client_for(staff["sam"])  # another team: may not see
    assert sam.get(f"/api/leads/{lead.pk}").status_code == 403
    assert sam.get("/api/leads").json()["count"] == 0
    assert noah.get("/api/leads").json()["count"] == 1
    assert (
        api_client_for(staff["mark"]).get("/api/leads").json()["count"] == 1
    )  # marketing sees every verdict
    assert api_client_for(staff["mark"]).post(f"/api/leads/{lead.pk}/accept").status_code == 403
    page = Client()
    page.force_login(staff["sam"])
    assert page.get(f"/leads/{lead.pk}/").status_code == 403
    assert page.post(f"/leads/{lead.pk}/accept/").status_code == 403
    assert sam.get("/api/leads/999999").status_code == 404


def test_manual_route_and_reassign_api(rules, staff, make_mql, api_client_for):
    contact = make_mql("DE")
    henrik = api_client_for(staff["henrik"])
    assert (
        api_client_for(staff["sofia"])
        .post("/api/leads/route", {"contact_ids": [contact.pk]}, content_type="application/json")
        .status_code
        == 403
    )
    r = henrik.post("/api/leads/route", {"contact_ids": [contact.pk]}, content_type="application/json")
    # now is real time: the reps may be off work; route with frozen time instead if so
    if not r.json()["assigned"]:
        route_contacts([contact.pk], now=NOW)
    lead = LeadAssignment.objects.get(contact=contact)
    other = staff["noah"] if lead.owner == staff["sofia"] else staff["sofia"]
    r = henrik.post(
        f"/api/leads/{lead.pk}/reassign",
        {"owner_id": other.pk, "note": "Language"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["owner_id"] == other.pk and r.json()["method"] == "manual"
    assert (
        henrik.post(
            f"/api/leads/{lead.pk}/reassign", {"owner_id": other.pk}, content_type="application/json"
        ).status_code
        == 409
    )
    assert (
        api_client_for(staff["sofia"])
        .post(f"/api/leads/{lead.pk}/reassign", {"owner_id": other.pk}, content_type="application/json")
        .status_code
        == 403
    )


def test_pages_inbox_lead_page_team_inbox_and_settings(lead, staff):
    sofia = Client()
    sofia.force_login(staff["sofia"])
    html = sofia.get("/leads/").content.decode()
    assert lead.contact.email in html and "left" in html or "overdue" in html
    assert "No leads here" in sofia.get("/leads/?status=rejected").content.decode()
    page = sofia.get(f"/leads/{lead.pk}/").content.decode()
    assert "Qualification (BANT)" in page and "Assignment history" in page and "score-panel" in page
    # the lead's recent timeline: its MQL stage change is there
    recent = page[page.index('data-testid="lead-recent"') :]
    assert "tl-item" in recent and "Marketing qualified lead" in recent
    r = sofia.post(f"/leads/{lead.pk}/reject/", {"reason": "other", "outcome": "recycled"})
    assert r.status_code == 422 and "Say why" in r.content.decode()
    r = sofia.post(f"/leads/{lead.pk}/convert/", {"deal_owner": staff["james"].pk})
    assert r.status_code == 422 and "Budget: give an amount or a range." in r.content.decode()
    assert sofia.post(f"/leads/{lead.pk}/accept/").status_code == 302
    lead.refresh_from_db()
    assert lead.status == "accepted"
    assert sofia.get("/leads/team/").status_code == 403
    assert sofia.get("/leads/routing/").status_code == 200  # SDRs may read the routing settings
    assert sofia.post("/leads/routing/rules/new/", {"name": "x"}).status_code == 403
    henrik = Client()
    henrik.force_login(staff["henrik"])
    assert f"/leads/{lead.pk}/" in henrik.get("/leads/team/").content.decode()
    r = henrik.post(
        "/leads/routing/rules/new/",
        {"name": "Iberia", "team": staff["henrik"].team_id, "countries": "ES, PT", "active": "on"},
    )
    assert r.status_code == 302
    assert "Iberia" in henrik.get("/leads/routing/").content.decode()
    r = henrik.post(f"/leads/routing/reps/{staff['sofia'].pk}/", {f"rep{staff['sofia'].pk}-weight": "0"})
    assert r.status_code == 422
    r = henrik.post(
        f"/leads/routing/sla/{staff['henrik'].team_id}/",
        {
            f"sla{staff['henrik'].team_id}-first_touch_hours": "2",
            f"sla{staff['henrik'].team_id}-verdict_hours": "8",
        },
    )
    assert r.status_code == 302
