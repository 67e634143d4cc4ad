"""UTM rules and resolving UTM codes to campaigns: priority, specificity, case, one query per batch."""

from __future__ import annotations

import pytest

from accord.campaigns import actions
from accord.campaigns.models import Channel, UtmRule
from accord.campaigns.utm import resolve_campaign, resolve_campaigns
from accord.core.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_campaign):
    return (
        make_campaign(name="LinkedIn ads", channel=Channel.SOCIAL),
        make_campaign(name="LinkedIn organic", channel=Channel.SOCIAL),
        make_campaign(name="Spring launch", channel=Channel.PRODUCT),
    )


def test_rules_are_stored_lower_cased_and_trimmed(campaign):
    rule = actions.add_utm_rule(campaign, source=" LinkedIn ", medium="Paid-Social", name="")
    rule.refresh_from_db()
    assert (rule.source, rule.medium, rule.name, rule.priority) == ("linkedin", "paid-social", "", 0)


def test_a_rule_matching_everything_is_refused(campaign):
    with pytest.raises(Invalid):
        actions.add_utm_rule(campaign, source=" ", medium="", name="")
    assert not UtmRule.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("source", "s" * 101), ("priority", 5000), ("priority", True)])
def test_rule_fields_are_checked(campaign, field, value):
    kwargs = {"name": "x", field: value}
    with pytest.raises(Invalid) as caught:
        actions.add_utm_rule(campaign, **kwargs)
    assert field in caught.value.field_errors


def test_the_same_pattern_maps_to_one_campaign_only(three):
    ads, organic, _ = three
    actions.add_utm_rule(ads, source="linkedin", medium="paid")
    with pytest.raises(Conflict) as caught:
        actions.add_utm_rule(organic, source="LINKEDIN", medium="Paid")
    assert caught.value.code == "duplicate_utm_rule"
    assert "LinkedIn ads" in caught.value.message


def test_blank_codes_match_anything_and_matching_ignores_case(three):
    ads, _, _ = three
    actions.add_utm_rule(ads, source="linkedin")
    assert resolve_campaign("LinkedIn", "whatever", "anything") == ads
    assert resolve_campaign(" LINKEDIN ", None, None) == ads
    assert resolve_campaign("twitter", "", "") is None
    assert resolve_campaign(None, None, None) is None


def test_the_highest_priority_wins_then_the_most_specific_then_the_oldest(three):
    ads, organic, launch = three
    actions.add_utm_rule(ads, source="linkedin")  # 1 code
    actions.add_utm_rule(organic, source="linkedin", medium="social")  # 2 codes
    assert resolve_campaign("linkedin", "social", "x") == organic  # more specific
    actions.add_utm_rule(launch, name="spring", priority=5)
    assert resolve_campaign("linkedin", "social", "spring") == launch  # priority beats specificity
    actions.add_utm_rule(ads, medium="social", priority=5)
    assert resolve_campaign("linkedin", "social", "spring") == launch  # same priority and specificity: oldest


def test_rules_win_over_the_campaigns_own_codes(make_campaign):
    own = make_campaign(name="Own codes", utm_source="google", utm_medium="cpc", utm_campaign="Brand")
    ruled = make_campaign(name="Ruled")
    assert resolve_campaign("google", "cpc", "brand") == own
    actions.add_utm_rule(ruled, name="brand", priority=-10)
    assert resolve_campaign("google", "cpc", "brand") == ruled


def test_campaign_codes_match_like_tracking_ingest_did(make_campaign):
    """A campaign matches on utm_campaign and, where it sets them, source and medium; the most
    specific campaign wins, then the newest."""
    generic = make_campaign(name="Any source", utm_campaign="launch")
    google = make_campaign(name="Google", utm_campaign="LAUNCH", utm_source="google")
    assert resolve_campaign("google", "cpc", "launch") == google
    assert resolve_campaign("bing", "cpc", "launch") == generic
    newer = make_campaign(name="Newer", utm_campaign="launch")
    assert resolve_campaign("bing", "cpc", "launch") == newer
    assert resolve_campaign("google", "cpc", "other") is None


def test_the_batch_version_answers_every_triple_in_one_query(three, make_campaign, django_assert_num_queries):
    ads, organic, launch = three
    own = make_campaign(name="Newsletter", utm_source="newsletter", utm_campaign="weekly")
    actions.add_utm_rule(ads, source="linkedin", medium="paid")
    actions.add_utm_rule(organic, source="linkedin")
    actions.add_utm_rule(launch, name="spring")
    triples = [
        ("LinkedIn", "Paid", "x"),
        ("linkedin", "organic", ""),
        ("google", "cpc", "Spring"),
        ("newsletter", "email", "weekly"),
        ("nobody", "knows", "this"),
        (None, None, None),
        ("LinkedIn", "Paid", "x"),  # repeated
    ] + [(f"source{i}", "cpc", f"name{i}") for i in range(200)]
    with django_assert_num_queries(1):
        found = resolve_campaigns(triples)
    assert found[("LinkedIn", "Paid", "x")] == ads.pk
    assert found[("linkedin", "organic", "")] == organic.pk
    assert found[("google", "cpc", "Spring")] == launch.pk
    assert found[("newsletter", "email", "weekly")] == own.pk
    assert found[("nobody", "knows", "this")] is None
    assert found[("", "", "")] is None
    assert len(found) == 206


def test_the_batch_version_without_names_still_uses_one_query(three, django_assert_num_queries):
    ads, _, _ = three
    actions.add_utm_rule(ads, source="linkedin")
    with django_assert_num_queries(1):
        assert resolve_campaigns([("linkedin", "", "")]) == {("linkedin", "", ""): ads.pk}
    with django_assert_num_queries(0):
        assert resolve_campaigns([]) == {}
        assert resolve_campaigns([("", " ", "")]) == {("", " ", ""): None}


def test_deleting_a_rule_stops_it_matching(three):
    ads, _, _ = three
    rule = actions.add_utm_rule(ads, source="linkedin")
    actions.delete_utm_rule(rule)
    assert resolve_campaign("linkedin", "", "") is None
