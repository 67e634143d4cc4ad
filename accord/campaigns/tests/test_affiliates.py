"""Affiliates: links, commission rules and their computation, attributed conversions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from accord.campaigns import actions, reports
from accord.campaigns.models import Affiliate, AffiliateConversion, AffiliateLink, CommissionRule
from accord.contacts.actions import create_contact
from accord.core.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return actions.create_affiliate(name="Ledger & Co", email=" Hello@Ledger.TEST ")


@pytest.fixture
def partner_link(affiliate_campaign, partner):
    return actions.create_affiliate_link(
        affiliate_campaign, partner, destination="https://accord.test/partners"
    )


def rule(**fields):
    return CommissionRule(**fields)


# ---------------------------------------------------------------- affiliates and links
def test_affiliates_store_a_lower_cased_unique_email(partner):
    assert partner.email == "hello@ledger.test" and partner.status == Affiliate.Status.ACTIVE
    with pytest.raises(Conflict) as caught:
        actions.create_affiliate(name="Other", email="HELLO@ledger.test")
    assert caught.value.code == "duplicate_email"
    assert actions.create_affiliate(name="No email 1").email == ""
    assert actions.create_affiliate(name="No email 2").email == ""


@pytest.mark.parametrize(
    ("fields", "field"), [({"name": ""}, "name"), ({"name": "X", "email": "nope"}, "email")]
)
def test_affiliate_fields_are_checked(fields, field):
    with pytest.raises(Invalid) as caught:
        actions.create_affiliate(**fields)
    assert field in caught.value.field_errors


def test_update_affiliate(partner):
    actions.update_affiliate(partner, status=Affiliate.Status.PAUSED, name="Ledger and Co")
    partner.refresh_from_db()
    assert (partner.name, partner.status) == ("Ledger and Co", "paused")
    with pytest.raises(Invalid):
        actions.update_affiliate(partner, status="retired")
    with pytest.raises(Invalid):
        actions.update_affiliate(partner, commission="lots")


def test_an_affiliate_link_is_a_tracking_link_with_utm_codes(partner_link, partner, affiliate_campaign):
    link = partner_link.link
    assert link.campaign == affiliate_campaign and partner_link.affiliate == partner
    assert link.label == "Ledger & Co"
    assert link.destination.endswith("utm_source=partner&utm_medium=affiliate&utm_campaign=partners")


def test_affiliate_links_belong_to_affiliate_campaigns_and_active_affiliates(
    campaign, affiliate_campaign, partner
):
    with pytest.raises(Invalid) as caught:
        actions.create_affiliate_link(campaign, partner, destination="https://accord.test/")
    assert "campaign" in caught.value.field_errors
    actions.update_affiliate(partner, status=Affiliate.Status.TERMINATED)
    with pytest.raises(Invalid) as caught:
        actions.create_affiliate_link(affiliate_campaign, partner, destination="https://accord.test/")
    assert "affiliate" in caught.value.field_errors
    assert not AffiliateLink.objects.exists()


def test_an_unsafe_affiliate_destination_is_refused(affiliate_campaign, partner):
    with pytest.raises(Invalid):
        actions.create_affiliate_link(affiliate_campaign, partner, destination="javascript:alert(1)")
    assert not AffiliateLink.objects.exists()


# ---------------------------------------------------------------- commission
@pytest.mark.parametrize(
    ("fields", "amount", "expected"),
    [
        ({"kind": "percent", "percent": Decimal("10")}, "1000.00", "100.00"),
        ({"kind": "percent", "percent": Decimal("12.5")}, "99.99", "12.50"),  # 12.49875 → half up
        ({"kind": "percent", "percent": Decimal("33.33")}, "0.15", "0.05"),  # 0.049995 → 0.05
        ({"kind": "percent", "percent": Decimal("0")}, "500.00", "0.00"),
        ({"kind": "percent", "percent": Decimal("20"), "cap": Decimal("150")}, "1000.00", "150.00"),
        ({"kind": "percent", "percent": Decimal("20"), "cap": Decimal("150")}, "500.00", "100.00"),
        ({"kind": "flat", "flat_amount": Decimal("75")}, "10000.00", "75.00"),
        ({"kind": "flat", "flat_amount": Decimal("75"), "cap": Decimal("50")}, "10000.00", "50.00"),
        ({"kind": "flat", "flat_amount": Decimal("75")}, "0.00", "75.00"),
    ],
)
def test_commission_computation(fields, amount, expected):
    assert actions.compute_commission(rule(**fields), Decimal(amount)) == Decimal(expected)


def test_no_rule_pays_nothing():
    assert actions.compute_commission(None, Decimal("1000")) == Decimal("0.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "percent", "percent": "101"}, "percent"),
        ({"kind": "percent", "percent": "-1"}, "percent"),
        ({"kind": "percent"}, "percent"),
        ({"kind": "flat"}, "flat_amount"),
        ({"kind": "flat", "flat_amount": "10", "cap": "-5"}, "cap"),
        ({"kind": "bonus", "percent": "5"}, "kind"),
    ],
)
def test_commission_rules_are_checked(affiliate_campaign, kwargs, field):
    with pytest.raises(Invalid) as caught:
        actions.set_commission_rule(affiliate_campaign, **kwargs)
    assert field in caught.value.field_errors
    assert not CommissionRule.objects.exists()


def test_commission_rules_belong_to_affiliate_campaigns(campaign):
    with pytest.raises(Invalid):
        actions.set_commission_rule(campaign, kind="percent", percent="10")


def test_setting_a_rule_again_replaces_it(affiliate_campaign):
    actions.set_commission_rule(affiliate_campaign, kind="percent", percent="10")
    replaced = actions.set_commission_rule(affiliate_campaign, kind="flat", flat_amount="40", cap="30")
    assert CommissionRule.objects.count() == 1
    assert (replaced.kind, replaced.percent, replaced.flat_amount, replaced.cap) == (
        "flat", None, Decimal("40.00"), Decimal("30.00"),
    )  # fmt: skip


def test_an_affiliates_own_rule_wins_over_the_campaign_default(affiliate_campaign, partner, partner_link):
    other = actions.create_affiliate(name="Bookkeepers United")
    actions.create_affiliate_link(affiliate_campaign, other, destination="https://accord.test/")
    actions.set_commission_rule(affiliate_campaign, kind="percent", percent="10")
    own = actions.set_commission_rule(affiliate_campaign, kind="flat", flat_amount="250", affiliate=partner)
    assert actions.rule_for(affiliate_campaign.pk, partner.pk) == own
    mine = actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="5000")
    theirs = actions.record_affiliate_conversion(other, affiliate_campaign, deal_amount="5000")
    assert (mine.commission, mine.rule) == (Decimal("250.00"), own)
    assert theirs.commission == Decimal("500.00")


# ---------------------------------------------------------------- conversions
def test_record_a_conversion(affiliate_campaign, partner, partner_link):
    actions.set_commission_rule(affiliate_campaign, kind="percent", percent="15", cap="1000")
    contact = create_contact(email="buyer@example.test")
    at = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    conversion = actions.record_affiliate_conversion(
        partner, affiliate_campaign, deal_amount="12000", contact_id=contact.pk, link=partner_link.link,
        occurred_at=at, reference="deal:42",
    )  # fmt: skip
    conversion.refresh_from_db()
    assert (conversion.deal_amount, conversion.commission, conversion.status) == (
        Decimal("12000.00"), Decimal("1000.00"), "pending",
    )  # fmt: skip
    assert (conversion.contact_id, conversion.link, conversion.occurred_at) == (
        contact.pk,
        partner_link.link,
        at,
    )


def test_a_conversion_is_recorded_once_per_reference(affiliate_campaign, partner, partner_link):
    first = actions.record_affiliate_conversion(
        partner, affiliate_campaign, deal_amount="100", reference="deal:7"
    )
    again = actions.record_affiliate_conversion(
        partner, affiliate_campaign, deal_amount="999", reference="deal:7"
    )
    assert again.pk == first.pk and again.deal_amount == Decimal("100.00")
    assert AffiliateConversion.objects.count() == 1
    other = actions.create_affiliate(name="Someone else")
    actions.create_affiliate_link(affiliate_campaign, other, destination="https://accord.test/")
    with pytest.raises(Conflict):
        actions.record_affiliate_conversion(other, affiliate_campaign, deal_amount="100", reference="deal:7")


def test_a_rule_change_does_not_change_recorded_commissions(affiliate_campaign, partner, partner_link):
    actions.set_commission_rule(affiliate_campaign, kind="percent", percent="10")
    conversion = actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="1000")
    actions.set_commission_rule(affiliate_campaign, kind="percent", percent="50")
    conversion.refresh_from_db()
    assert conversion.commission == Decimal("100.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"deal_amount": "-1"}, "deal_amount"),
        ({"deal_amount": "abc"}, "deal_amount"),
        ({"deal_amount": "1", "contact_id": 987654}, "contact_id"),
        ({"deal_amount": "1", "occurred_at": datetime(2026, 1, 1)}, "occurred_at"),  # noqa: DTZ001 - naive on purpose
        ({"deal_amount": "1", "reference": "r" * 101}, "reference"),
    ],
)
def test_conversion_input_is_checked(affiliate_campaign, partner, partner_link, kwargs, field):
    with pytest.raises(Invalid) as caught:
        actions.record_affiliate_conversion(partner, affiliate_campaign, **kwargs)
    assert field in caught.value.field_errors
    assert not AffiliateConversion.objects.exists()


def test_a_conversion_needs_the_affiliate_to_have_a_link_in_the_campaign(
    affiliate_campaign, partner, make_campaign
):
    with pytest.raises(Invalid) as caught:
        actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="10")
    assert "affiliate" in caught.value.field_errors
    other = make_campaign(channel="affiliate")
    foreign = actions.create_affiliate_link(other, partner, destination="https://accord.test/").link
    actions.create_affiliate_link(affiliate_campaign, partner, destination="https://accord.test/")
    with pytest.raises(Invalid) as caught:
        actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="10", link=foreign)
    assert "link_id" in caught.value.field_errors


def test_conversion_status_moves_forward_only(affiliate_campaign, partner, partner_link):
    conversion = actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="10")
    assert actions.set_conversion_status(conversion, "approved").status == "approved"
    assert actions.set_conversion_status(conversion, "approved").status == "approved"  # no change
    with pytest.raises(Conflict):
        actions.set_conversion_status(conversion, "pending")
    assert actions.set_conversion_status(conversion, "paid").status == "paid"
    with pytest.raises(Conflict):
        actions.set_conversion_status(conversion, "rejected")
    with pytest.raises(Invalid):
        actions.set_conversion_status(conversion, "lost")


def test_affiliate_summary(affiliate_campaign, partner, partner_link):
    actions.set_commission_rule(affiliate_campaign, kind="percent", percent="10")
    a = actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="1000")
    actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="500")
    rejected = actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="9999")
    actions.set_conversion_status(a, "approved")
    actions.set_conversion_status(rejected, "rejected")
    idle = actions.create_affiliate(name="Idle partner")
    actions.create_affiliate_link(affiliate_campaign, idle, destination="https://accord.test/")
    rows = {row.affiliate.name: row for row in reports.affiliate_summary(affiliate_campaign.pk)}
    assert (rows["Ledger & Co"].conversions, rows["Ledger & Co"].revenue) == (2, Decimal("1500.00"))
    assert (rows["Ledger & Co"].commission, rows["Ledger & Co"].owed) == (
        Decimal("150.00"),
        Decimal("100.00"),
    )
    assert (rows["Idle partner"].conversions, rows["Idle partner"].commission) == (0, Decimal("0.00"))
