"""Campaign create/update/delete and cost entries: validation as Invalid with field errors, totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accord.campaigns import actions, reports
from accord.campaigns.models import Campaign, CampaignCost, Channel, CostCategory
from accord.core.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db


def test_the_ten_marketing_channel_types():
    assert Channel.values == [
        "digital", "inbound", "outbound", "content", "social", "email", "affiliate", "event", "pr", "product",
    ]  # fmt: skip


@pytest.mark.parametrize("channel", Channel.values)
def test_a_campaign_of_every_channel_can_be_created(channel):
    campaign = actions.create_campaign(name=f"{channel} push", channel=channel)
    assert Campaign.objects.get(pk=campaign.pk).channel == channel


def test_the_creator_owns_a_campaign_created_without_owner(marketer, manager):
    assert actions.create_campaign(name="Mine", channel="email", by=marketer).owner == marketer
    given = actions.create_campaign(name="Theirs", channel="email", by=manager, owner=marketer)
    assert given.owner == marketer


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "", "channel": "email"}, "name"),
        ({"name": "x" * 201, "channel": "email"}, "name"),
        ({"name": "X", "channel": "telepathy"}, "channel"),
        ({"name": "X", "channel": "email", "status": "dreaming"}, "status"),
        ({"name": "X", "channel": "email", "budget": Decimal("-1")}, "budget"),
        ({"name": "X", "channel": "email", "budget": "12.345"}, "budget"),
        ({"name": "X", "channel": "email", "budget": "lots"}, "budget"),
        ({"name": "X", "channel": "email", "budget": float("nan")}, "budget"),
        ({"name": "X", "channel": "email", "start_date": date(2026, 5, 2), "end_date": date(2026, 5, 1)},
         "end_date"),
    ],
)  # fmt: skip
def test_create_refuses_invalid_fields_with_field_errors(fields, field):
    with pytest.raises(Invalid) as caught:
        actions.create_campaign(**fields)
    assert field in caught.value.field_errors
    assert not Campaign.objects.exists()


def test_unknown_fields_are_refused():
    with pytest.raises(Invalid, match="colour"):
        actions.create_campaign(name="X", channel="email", colour="red")


def test_update_changes_only_given_fields_and_validates(campaign):
    actions.update_campaign(campaign, name="  Summer push ", budget="2500.50")
    campaign.refresh_from_db()
    assert (campaign.name, campaign.budget, campaign.utm_source) == (
        "Summer push",
        Decimal("2500.50"),
        "google",
    )
    with pytest.raises(Invalid) as caught:
        actions.update_campaign(campaign, end_date=date(2026, 1, 1))
    assert "end_date" in caught.value.field_errors
    campaign.refresh_from_db()
    assert campaign.end_date == date(2026, 5, 31)


def test_delete_removes_the_campaign_and_its_parts(campaign):
    actions.add_cost(campaign, date=date(2026, 3, 2), amount="10")
    actions.delete_campaign(campaign)
    assert not Campaign.objects.exists() and not CampaignCost.objects.exists()


# ---------------------------------------------------------------- costs
def test_add_cost(campaign, marketer):
    cost = actions.add_cost(
        campaign, date=date(2026, 3, 5), amount="1200.50", category=CostCategory.AGENCY, note=" Kickoff ",
        by=marketer,
    )  # fmt: skip
    assert (cost.amount, cost.category, cost.note, cost.created_by) == (
        Decimal("1200.50"), "agency", "Kickoff", marketer,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"date": date(2026, 3, 5), "amount": "-5"}, "amount"),
        ({"date": date(2026, 3, 5), "amount": "1.005"}, "amount"),
        ({"date": date(2026, 3, 5), "amount": None}, "amount"),
        ({"date": date(2026, 3, 5), "amount": "1e20"}, "amount"),
        ({"date": None, "amount": "5"}, "date"),
        ({"date": date(2026, 3, 5), "amount": "5", "category": "bribes"}, "category"),
        ({"date": date(2026, 3, 5), "amount": "5", "note": "n" * 501}, "note"),
    ],
)
def test_add_cost_refuses_invalid_input(campaign, kwargs, field):
    with pytest.raises(Invalid) as caught:
        actions.add_cost(campaign, **kwargs)
    assert field in caught.value.field_errors
    assert not CampaignCost.objects.exists()


def test_a_zero_cost_is_allowed(campaign):
    assert actions.add_cost(campaign, date=date(2026, 3, 5), amount=0).amount == Decimal("0.00")


def test_cost_totals_per_campaign_and_period(campaign, make_campaign):
    other = make_campaign(channel=Channel.SOCIAL)
    for day, amount, target in [
        (date(2026, 3, 2), "100.10", campaign),  # Monday, week of Mar 2
        (date(2026, 3, 8), "50.00", campaign),  # Sunday, same week
        (date(2026, 3, 9), "25.00", campaign),  # next week
        (date(2026, 4, 1), "1000.00", campaign),
        (date(2026, 3, 3), "7.00", other),
    ]:
        actions.add_cost(target, date=day, amount=amount)
    monthly = reports.costs_by_period("month", campaign_ids=[campaign.pk])
    assert [(r.period, r.total) for r in monthly] == [
        (date(2026, 3, 1), Decimal("175.10")), (date(2026, 4, 1), Decimal("1000.00")),
    ]  # fmt: skip
    weekly = reports.costs_by_period("week", start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert [(r.campaign_id, r.period, r.total) for r in weekly] == [
        (campaign.pk, date(2026, 3, 2), Decimal("150.10")),
        (other.pk, date(2026, 3, 2), Decimal("7.00")),
        (campaign.pk, date(2026, 3, 9), Decimal("25.00")),
    ]
    assert reports.cost_total(start=date(2026, 3, 1), end=date(2026, 3, 31)) == Decimal("182.10")
    assert reports.cost_total(channel=Channel.SOCIAL) == Decimal("7.00")
    assert reports.cost_total(campaign_ids=[]) == Decimal("0.00")
    idle = make_campaign(channel=Channel.PR)
    spent = dict(reports.with_spend(Campaign.objects.all()).values_list("pk", "spent"))  # type: ignore[misc]
    assert spent == {campaign.pk: Decimal("1175.10"), other.pk: Decimal("7.00"), idle.pk: Decimal("0.00")}


def test_delete_cost(campaign):
    cost = actions.add_cost(campaign, date=date(2026, 3, 5), amount="9")
    actions.delete_cost(cost)
    assert not CampaignCost.objects.exists()


def test_a_campaign_with_affiliate_conversions_cannot_be_deleted(affiliate_campaign):
    affiliate = actions.create_affiliate(name="Ledger & Co")
    actions.create_affiliate_link(affiliate_campaign, affiliate, destination="https://accord.test/")
    actions.record_affiliate_conversion(affiliate, affiliate_campaign, deal_amount="100")
    with pytest.raises(Conflict) as caught:
        actions.delete_campaign(affiliate_campaign)
    assert caught.value.code == "campaign_has_conversions"
    assert Campaign.objects.filter(pk=affiliate_campaign.pk).exists()
