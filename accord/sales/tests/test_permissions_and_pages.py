"""Who may do what (pages and API), the board's totals and move form, the deal page, the close flow."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from accord.accounts.models import Role
from accord.sales import actions
from accord.sales.models import Deal, DealStageChange
from accord.sales.tests.fixtures import stage

pytestmark = pytest.mark.django_db


def move_url(deal):
    return reverse("sales:deal_move", args=[deal.pk])


def test_an_ae_cannot_move_another_aes_deal_page_or_api(client, pipeline, ae, ae2, api_client_for):
    deal = actions.create_deal(name="Bob's deal", pipeline=pipeline, owner=ae2)
    demo = stage(pipeline, "Demo")
    client.force_login(ae)
    assert client.post(move_url(deal), {"stage": demo.pk}).status_code == 403
    assert (
        client.post(move_url(deal), {"stage": demo.pk}, headers={"Accept": "application/json"}).status_code
        == 403
    )
    response = api_client_for(ae).post(
        f"/api/sales/deals/{deal.pk}/move", {"stage": demo.pk}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert client.get(reverse("sales:deal_edit", args=[deal.pk])).status_code == 403
    deal.refresh_from_db()
    assert deal.stage.name == "Qualification" and DealStageChange.objects.filter(deal=deal).count() == 1
    # the owner can; so can a manager
    client.force_login(ae2)
    assert client.post(move_url(deal), {"stage": demo.pk}).status_code == 302
    assert Deal.objects.get(pk=deal.pk).stage == demo


@pytest.mark.parametrize("role", [Role.MARKETER, Role.MARKETING_MANAGER])
def test_marketers_view_but_do_not_change_deals(client, pipeline, ae, make_user, api_client_for, role):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    user = make_user(role)
    client.force_login(user)
    assert client.get(reverse("sales:pipeline")).status_code == 200
    assert client.get(deal.get_absolute_url()).status_code == 200
    assert client.get(reverse("sales:deal_list")).status_code == 200
    assert client.get(reverse("sales:deal_create")).status_code == 403
    assert client.post(move_url(deal), {"stage": stage(pipeline, "Demo").pk}).status_code == 403
    api = api_client_for(user)
    assert api.get("/api/sales/deals").status_code == 200
    assert api.post("/api/sales/deals", {"name": "x"}, content_type="application/json").status_code == 403
    assert (
        api.post(
            "/api/sales/activities", {"kind": "note", "subject": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    page = client.get(reverse("sales:pipeline")).content.decode()
    assert 'draggable="true"' not in page and 'class="move-form"' not in page


def test_sdr_changes_own_deals_only(client, pipeline, ae, make_user):
    sdr = make_user(Role.SDR)
    theirs = actions.create_deal(name="AE deal", pipeline=pipeline, owner=ae)
    own = actions.create_deal(name="SDR deal", pipeline=pipeline, owner=sdr)
    client.force_login(sdr)
    assert client.post(move_url(theirs), {"stage": stage(pipeline, "Demo").pk}).status_code == 403
    assert client.post(move_url(own), {"stage": stage(pipeline, "Demo").pk}).status_code == 302


def test_board_columns_totals_and_keyboard_move(client, pipeline, ae, ae2):
    a = actions.create_deal(
        name="Alpha", pipeline=pipeline, amount=1000, owner=ae, expected_close=date(2025, 6, 1)
    )
    actions.create_deal(name="Beta", pipeline=pipeline, amount=3000, owner=ae2)
    actions.move_deal(a, stage(pipeline, "Proposal"), by=ae)
    client.force_login(ae)
    response = client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk})
    columns = {c.stage.name: c for c in response.context["columns"]}
    assert (columns["Qualification"].count, columns["Qualification"].amount) == (1, 3000)
    assert columns["Qualification"].weighted == 300
    assert (columns["Proposal"].count, columns["Proposal"].weighted) == (1, 600)
    mine = client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk, "mine": "1"}).context["columns"]
    assert sum(c.count for c in mine) == 1
    by_owner = client.get(reverse("sales:pipeline"), {"owner": ae2.pk}).context["columns"]
    assert [card.deal.name for c in by_owner for card in c.cards] == ["Beta"]
    # the keyboard/no-JS form: a plain POST, then a redirect back to the board
    response = client.post(
        move_url(a), {"stage": stage(pipeline, "Negotiation").pk, "next": "/sales/?pipeline=1"}
    )
    assert response.status_code == 302 and response["Location"] == "/sales/?pipeline=1"
    assert Deal.objects.get(pk=a.pk).stage.name == "Negotiation"
    # an off-site next is ignored
    response = client.post(
        move_url(a), {"stage": stage(pipeline, "Proposal").pk, "next": "https://evil.test/"}
    )
    assert response["Location"].startswith("/sales/")


def test_form_move_to_won_asks_for_the_reason_then_wins(client, pipeline, ae):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    client.force_login(ae)
    response = client.post(move_url(deal), {"stage": stage(pipeline, "Closed won").pk})
    assert response.status_code == 302 and "/close/?outcome=won" in response["Location"]
    assert Deal.objects.get(pk=deal.pk).status == "open"
    close = reverse("sales:deal_close", args=[deal.pk])
    response = client.post(close, {"outcome": "won", "reason": ""})
    assert response.status_code == 422 and "A reason is required." in response.content.decode()
    response = client.post(close, {"outcome": "lost", "reason": "Price"})
    assert response.status_code == 422 and "Pick the competitor." in response.content.decode()
    response = client.post(close, {"outcome": "won", "reason": "Great fit"})
    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).status == "won"
    # moving it again: a clear message, nothing changed
    response = client.post(
        move_url(deal), {"stage": stage(pipeline, "Demo").pk}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 409 and "already won" in response.json()["message"]


def test_json_move_to_lost_without_reason_is_422(client, pipeline, ae, competitor):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    client.force_login(ae)
    lost = stage(pipeline, "Closed lost").pk
    json = {"headers": {"Accept": "application/json"}}
    response = client.post(move_url(deal), {"stage": lost}, **json)
    assert response.status_code == 422 and "reason" in response.json()["field_errors"]
    response = client.post(move_url(deal), {"stage": lost, "reason": "Price"}, **json)
    assert response.status_code == 422 and "competitor" in response.json()["field_errors"]
    response = client.post(
        move_url(deal), {"stage": lost, "reason": "Price", "competitor": competitor.pk}, **json
    )
    assert response.status_code == 200 and response.json()["status"] == "lost"


def test_reopen_only_by_a_manager(client, pipeline, ae, manager, api_client_for, competitor):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    actions.lose_deal(deal, by=ae, reason="Price", competitor=competitor)
    url = reverse("sales:deal_reopen", args=[deal.pk])
    client.force_login(ae)
    assert client.post(url, {"reason": "Back"}).status_code == 403
    assert (
        api_client_for(ae)
        .post(f"/api/sales/deals/{deal.pk}/reopen", {"reason": "Back"}, content_type="application/json")
        .status_code
        == 403
    )
    client.force_login(manager)
    client.post(url, {"reason": ""})
    assert Deal.objects.get(pk=deal.pk).status == "lost"
    client.post(url, {"reason": "Budget is back"})
    assert Deal.objects.get(pk=deal.pk).status == "open"


def test_deal_page_shows_facts_history_activities_and_escapes(client, pipeline, ae):
    deal = actions.create_deal(name="<script>x</script>", pipeline=pipeline, amount=1500, owner=ae)
    actions.move_deal(deal, stage(pipeline, "Demo"), by=ae)
    actions.log_activity(
        kind="objection", subject="Too <i>pricey</i>", owner=ae, deal=deal, details={"category": "price"}
    )
    client.force_login(ae)
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "Too &lt;i&gt;pricey&lt;/i&gt;" in page and "Price" in page
    assert 'data-testid="stage-history"' in page and "Qualification" in page
    # log an activity from the deal page
    response = client.post(
        reverse("sales:activity_create"),
        {"kind": "call", "subject": "Follow-up call", "deal": deal.pk, "outcome": "connected", "duration_minutes": "12",
         "done": "on", "next": deal.get_absolute_url()},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    call = deal.activities.get(subject="Follow-up call")
    assert call.details == {"outcome": "connected", "duration_minutes": 12} and call.done_at is not None
    bad = client.post(
        reverse("sales:activity_create"),
        {"kind": "call", "subject": "Bad", "deal": deal.pk, "duration_minutes": "-3"},
    )
    assert bad.status_code == 422 and "Must be zero or more." in bad.content.decode()


def test_create_and_edit_deal_pages(client, pipeline, ae):
    client.force_login(ae)
    response = client.post(
        reverse("sales:deal_create"),
        {"name": "New one", "pipeline": pipeline.pk, "amount": "-1", "currency": "USD"},
    )
    assert response.status_code == 422 and not Deal.objects.exists()
    response = client.post(
        reverse("sales:deal_create"),
        {"name": "New one", "pipeline": pipeline.pk, "amount": "2500", "currency": "usd", "owner": ae.pk,
         "contact_email": "nobody@example.test"},
    )  # fmt: skip
    assert response.status_code == 422 and "No contact has this email." in response.content.decode()
    response = client.post(
        reverse("sales:deal_create"),
        {"name": "New one", "pipeline": pipeline.pk, "amount": "2500", "currency": "usd", "owner": ae.pk},
    )
    deal = Deal.objects.get()
    assert response["Location"] == deal.get_absolute_url()
    assert (deal.amount, deal.currency, deal.stage.name) == (2500, "USD", "Qualification")
    response = client.post(
        reverse("sales:deal_edit", args=[deal.pk]),
        {"name": "Renamed", "amount": "3000", "currency": "EUR", "owner": ae.pk},
    )
    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.currency) == ("Renamed", 3000, "EUR")


def test_deal_table_sorts_searches_and_paginates(client, pipeline, ae):
    for i in range(30):
        actions.create_deal(name=f"Deal {i:02d}", pipeline=pipeline, amount=i * 100, owner=ae)
    client.force_login(ae)
    url = reverse("sales:deal_list")
    page = client.get(url, {"sort": "-amount"}).context["page"]
    assert page.paginator.count == 30 and len(page.object_list) == 25
    assert page.object_list[0].name == "Deal 29"
    assert client.get(url, {"sort": "amount", "page": "2"}).context["page"].object_list[4].name == "Deal 29"
    found = client.get(url, {"q": "deal 07"}).context["page"].object_list
    assert [d.name for d in found] == ["Deal 07"]
    assert client.get(url, {"sort": "bogus"}).status_code == 200


def test_contact_panel_logs_and_lists_open_tasks(client, ae):
    from accord.contacts.actions import create_contact

    ada = create_contact(email="ada@example.test", first_name="Ada")
    actions.log_activity(
        kind="task", subject="Send pricing", owner=ae, contact=ada, due_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    client.force_login(ae)
    page = client.get(ada.get_absolute_url()).content.decode()
    assert 'data-testid="sales-contact-panel"' in page and "Send pricing" in page
    response = client.post(
        reverse("sales:activity_create"),
        {"kind": "note", "subject": "Met at the fair", "contact": ada.pk, "next": ada.get_absolute_url()},
    )
    assert response["Location"] == ada.get_absolute_url()
    assert ada.activities.filter(subject="Met at the fair", owner=ae).exists()


def test_onboarding_settings_page(client, ae, manager):
    url = reverse("sales:onboarding_settings")
    client.force_login(ae)
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "X"}).status_code == 403
    client.force_login(manager)
    response = client.post(
        url,
        {
            "name": "Standard",
            "follow_up_days": "45",
            "subject": ["Kickoff", "", "Training"],
            "day_offset": ["1", "", "9"],
        },
    )
    assert response.status_code == 302
    template = actions.default_onboarding_template()
    assert template is not None and template.follow_up_days == 45
    assert [(i.subject, i.day_offset) for i in template.items.all()] == [("Kickoff", 1), ("Training", 9)]
    bad = client.post(
        url, {"name": "Standard", "follow_up_days": "-1", "subject": ["A"], "day_offset": ["x"]}
    )
    assert bad.status_code == 422
