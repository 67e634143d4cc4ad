"""The whole funnel in Chromium, as people would use Accord (issue 4's acceptance test):

a visitor submits a hosted form from a campaign link → the form's points cross the MQL threshold →
the lead is routed to an SDR (notified) → the SDR logs a call, accepts, fills BANT and converts →
the AE drags the deal across the kanban to "Closed won" → the contact is a customer, onboarding
tasks exist, and the campaign's lead-quality panel shows one accepted lead with its revenue.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accord.accounts.models import Notification, Role, Team
from accord.campaigns.actions import create_campaign
from accord.contacts.models import Contact
from accord.handoff import actions as handoff
from accord.handoff.models import LeadAssignment
from accord.lifecycle.models import StageChange
from accord.sales import actions as sales
from accord.sales import pipeline_actions
from accord.sales.models import Activity, Deal
from accord.scoring import actions as scoring
from accord.webforms.actions import create_form
from accord.webforms.tests.fixtures import CONSENT, standard_fields
from conftest import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ALL_WEEK = [1, 2, 3, 4, 5, 6, 7]


@pytest.fixture
def workspace(make_user: Any) -> dict[str, Any]:
    sales_team = Team.objects.create(name="Sales EMEA", kind=Team.Kind.SALES)
    people = {
        "mark": make_user(Role.MARKETER, username="mark", first_name="Mark", last_name="Marketer"),
        "henrik": make_user(Role.SALES_MANAGER, username="henrik", team=sales_team),
        "sofia": make_user(Role.SDR, username="sofia", first_name="Sofia", last_name="Sdr", team=sales_team),
        "james": make_user(Role.ACCOUNT_EXECUTIVE, username="james", first_name="James", last_name="Ae",
                           team=sales_team),
    }  # fmt: skip
    sales_team.manager = people["henrik"]
    sales_team.save()
    campaign = create_campaign(
        name="Spring webinar", channel="event", by=people["mark"], utm_campaign="spring-webinar",
        utm_source="linkedin", utm_medium="paid",
    )  # fmt: skip
    # a form submission is worth more than the MQL threshold
    scoring.set_mql_threshold(60)
    scoring.create_engagement_rule(
        name="Submitted a form", event_type="form_submit", points=70, half_life_days=30, window_days=90
    )
    # every MQL goes to the EMEA team; Sofia works around the clock so the test runs at any hour
    handoff.save_rule(None, name="Everyone", team=sales_team, conditions=[])
    handoff.save_rep_profile(
        people["sofia"],
        weight=1,
        capacity=20,
        work_days=ALL_WEEK,
        work_start=time(0, 0),
        work_end=time(23, 59, 59),
    )
    handoff.save_sla_policy(sales_team, first_touch_minutes=240, verdict_minutes=960)
    pipeline_actions.create_pipeline("New business", is_default=True)
    sales.save_onboarding_template(
        name="Standard onboarding", follow_up_days=30,
        items=[("Kick-off call", 2), ("Admin training", 7), ("First business review", 21)],
    )  # fmt: skip
    form = create_form(
        by=people["mark"], fields=standard_fields(), name="Register for the spring webinar",
        consent_required=True, consent_text=CONSENT, submit_label="Register",
    )  # fmt: skip
    return {**people, "campaign": campaign, "form": form}


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def test_form_to_won_deal_across_both_teams(live_server: Any, page: Any, workspace: dict[str, Any]) -> None:
    base, campaign, sofia, james = (
        live_server.url,
        workspace["campaign"],
        workspace["sofia"],
        workspace["james"],
    )

    # 1. the visitor comes from the LinkedIn ad and registers
    page.goto(
        f"{base}/forms/f/{workspace['form'].slug}/?utm_source=linkedin&utm_medium=paid&utm_campaign=spring-webinar"
    )
    page.get_by_label("Work email").fill("grace.hopper@navy.example")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Company").fill("US Navy")
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="Register").click()
    page.get_by_test_id("thanks").wait_for()

    grace = Contact.objects.get(email="grace.hopper@navy.example")
    assert grace.lifecycle_stage == "mql", "70 points for the form ≥ threshold 60"
    history = StageChange.objects.filter(contact=grace).order_by("changed_at", "pk")
    assert list(history.values_list("to_stage", "rule")) == [
        ("subscriber", "form"), ("lead", "form"), ("mql", "score_threshold"),
    ]  # fmt: skip
    lead = LeadAssignment.objects.get(contact=grace)
    assert (lead.owner, lead.status, lead.source_campaign) == (sofia, "new", campaign)
    assert Notification.objects.filter(user=sofia, kind="lead_assigned").exists()

    # 2. the SDR finds the lead in her inbox, calls, accepts, qualifies and converts
    sign_in(page, base, "sofia")
    page.goto(base + "/leads/")
    page.get_by_role("link", name="Grace Hopper").click()
    page.wait_for_url(re.compile(rf"/leads/{lead.pk}/$"))
    page.goto(f"{base}/contacts/{grace.pk}/")
    panel = page.get_by_test_id("sales-contact-panel")
    panel.get_by_text("Log an activity").click()
    panel.get_by_label("Type").select_option(label="Call")
    panel.get_by_label("Subject").fill("Discovery call")
    panel.get_by_label("Already done").check()
    panel.get_by_text("Details for calls, meetings, objections…").click()
    panel.get_by_label("Call outcome").select_option(label="Connected")
    panel.get_by_label("Duration (minutes) (calls, meetings)").fill("25")
    panel.get_by_role("button", name="Log").click()
    page.wait_for_load_state()
    call = Activity.objects.get(contact=grace, kind="call")
    assert (call.owner, call.details["outcome"], call.details["duration_minutes"]) == (sofia, "connected", 25)
    lead.refresh_from_db()
    assert lead.first_touch_at is not None, "the call stopped the first-touch clock"

    page.goto(f"{base}/leads/{lead.pk}/")
    page.get_by_role("button", name="Accept (sales accepted lead)").click()
    page.get_by_test_id("lead-status").filter(has_text="Accepted").wait_for()
    page.get_by_label("Budget amount").fill("25000")
    page.get_by_label("Contact's role in the decision").fill("Economic buyer (CIO)")
    page.get_by_label("Need (pain points from discovery)").fill("Leads from events are lost between teams")
    page.get_by_label("Target date").fill((timezone.localdate().replace(day=1)).isoformat())
    page.get_by_role("button", name="Save qualification").click()
    page.wait_for_load_state()
    page.get_by_label("Deal owner (AE)").select_option(label=str(james))
    page.get_by_label("Deal name").fill("US Navy — spring rollout")
    page.get_by_role("button", name="Convert to SQL + open deal").click()
    page.get_by_test_id("lead-status").filter(has_text="Converted").wait_for()
    deal = Deal.objects.get(contact=grace)
    assert (deal.owner, deal.amount, deal.source_campaign) == (james, Decimal("25000.00"), campaign)
    assert Contact.objects.get(pk=grace.pk).lifecycle_stage == "sql"

    # 3. the AE drags the deal across the board to "Closed won" and gives the reason
    sign_in(page, base, "james")
    page.goto(base + "/sales/")
    card = page.locator(f"[data-testid=deal-{deal.pk}]")
    card.drag_to(page.locator("[data-testid=column-discovery]"))
    page.locator(f"[data-testid=column-discovery] [data-testid=deal-{deal.pk}]").wait_for()
    page.locator(f"[data-testid=deal-{deal.pk}]").drag_to(page.locator("[data-testid=column-closed-won]"))
    dialog = page.locator("#close-dialog")
    dialog.wait_for(state="visible")
    dialog.get_by_label("Reason").fill("Chose us over spreadsheets after the demo")
    dialog.get_by_role("button", name="Close deal").click()
    page.locator(f"[data-testid=column-closed-won] [data-testid=deal-{deal.pk}]").wait_for()

    deal.refresh_from_db()
    grace.refresh_from_db()
    assert deal.status == "won" and grace.lifecycle_stage == "customer"
    onboarding = set(Activity.objects.filter(deal=deal, kind="task").values_list("subject", flat=True))
    assert onboarding == {
        "Onboarding: Kick-off call", "Onboarding: Admin training", "Onboarding: First business review",
        "Post-sale follow-up: US Navy — spring rollout",
    }  # fmt: skip

    # 4. marketing sees the verdict and the revenue on its campaign
    sign_in(page, base, "mark")
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    quality = page.get_by_test_id("lead-quality")

    def stat(label: str) -> str:
        return str(quality.locator(".stat", has_text=label).locator(".stat-value").inner_text()).strip()

    assert stat("MQLs routed") == "1"
    assert stat("Accepted").startswith("1")
    assert stat("Rejected") == "0"
    assert stat("Won deals") == "1"
    assert stat("Won revenue").replace(",", "").replace("\u202f", "") == "25000"
