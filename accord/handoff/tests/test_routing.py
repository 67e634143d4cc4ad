"""Routing: territory rules, weighted round robin, capacity, availability, account owner, reassign."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from accord.accounts.models import Notification
from accord.core.errors import Conflict
from accord.handoff import actions
from accord.handoff.models import LeadAssignment, Method, RepProfile
from accord.handoff.routing import route_contacts
from accord.handoff.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_territory_rules_pick_the_right_team(rules, staff, teams, make_mql, make_company):
    big = make_company(size="5001+")
    fr, us_big, ca, br = make_mql("FR"), make_mql("US", company=big), make_mql("CA"), make_mql("BR")
    result = route_contacts([fr.pk, us_big.pk, ca.pk, br.pk], now=NOW)
    leads = {a.contact_id: a for a in LeadAssignment.objects.all()}
    assert leads[fr.pk].team == teams["emea"] and leads[fr.pk].owner in (staff["sofia"], staff["noah"])
    assert leads[us_big.pk].rule == rules[1] and leads[us_big.pk].owner == staff["sam"]
    assert leads[ca.pk].rule == rules[2]
    assert "Rest of North America" in leads[ca.pk].decided_by
    assert result.unrouted == [br.pk] and br.pk not in leads
    assert all(a.method == Method.RULE for a in leads.values())


def test_segment_condition_restricts_a_rule(rules, staff, teams, make_mql):
    from accord.segments.actions import create_segment
    from accord.segments.models import Segment

    seg = create_segment(name="VIPs", kind=Segment.Kind.STATIC)
    vip, other = make_mql("BR"), make_mql("BR")
    from accord.segments.models import SegmentMembership

    SegmentMembership.objects.create(segment=seg, contact=vip, added_at=NOW)
    actions.save_rule(None, name="VIPs anywhere", team=teams["americas"], segment=seg, position=0)
    result = route_contacts([vip.pk, other.pk], now=NOW)
    assert LeadAssignment.objects.get(contact=vip).owner == staff["sam"]
    assert result.unrouted == [other.pk]


def test_weights_3_to_1_over_1000_assignments(rules, staff, make_mql):
    actions.save_rep_profile(staff["sofia"], weight=3, capacity=5000)
    actions.save_rep_profile(staff["noah"], weight=1, capacity=5000)
    ids = [make_mql("DE").pk for _ in range(1000)]
    result = route_contacts(ids, now=NOW)
    assert len(result.assigned) == 1000
    counts = Counter(LeadAssignment.objects.values_list("owner__username", flat=True))
    assert 700 <= counts["sofia"] <= 800 and counts["sofia"] + counts["noah"] == 1000


def test_weights_hold_across_small_batches(rules, staff, make_mql):
    actions.save_rep_profile(staff["sofia"], weight=3, capacity=5000)
    for _ in range(100):
        route_contacts([make_mql("DE").pk], now=NOW)
    counts = Counter(LeadAssignment.objects.values_list("owner__username", flat=True))
    assert 70 <= counts["sofia"] <= 80


def test_capacity_is_never_exceeded(rules, staff, make_mql):
    actions.save_rep_profile(staff["sofia"], weight=1, capacity=3)
    actions.save_rep_profile(staff["noah"], weight=1, capacity=2)
    ids = [make_mql("GB").pk for _ in range(8)]
    result = route_contacts(ids, now=NOW)
    counts = Counter(LeadAssignment.objects.values_list("owner__username", flat=True))
    assert counts == {"sofia": 3, "noah": 2}
    assert len(result.unrouted) == 3
    # a verdict frees a seat; the waiting MQLs are routed on the next pass
    lead = LeadAssignment.objects.filter(owner=staff["noah"]).earliest("pk")
    actions.reject_lead(lead, by=staff["noah"], reason="no_need")
    again = route_contacts(result.unrouted, now=NOW)
    assert (
        len(again.assigned) == 1
        and LeadAssignment.objects.filter(owner=staff["noah"], status="new").count() == 2
    )


def test_unavailable_reps_are_skipped(rules, staff, make_mql):
    # Noah works in Tokyo hours: at 10:00 UTC it is 19:00 there.
    actions.save_rep_profile(staff["noah"], weight=1, capacity=100, timezone_name="Asia/Tokyo")
    # Sofia is on holiday this week.
    sofia = RepProfile.objects.get(user=staff["sofia"])
    actions.add_time_off(sofia, starts_at=NOW - timedelta(days=2), ends_at=NOW + timedelta(days=3))
    actions.save_rep_profile(staff["henrik"], weight=1, capacity=100)
    ids = [make_mql("FR").pk for _ in range(4)]
    route_contacts(ids, now=NOW)
    assert set(LeadAssignment.objects.values_list("owner__username", flat=True)) == {"henrik"}
    # On Saturday nobody is at work: nothing is routed.
    saturday = datetime(2026, 3, 7, 11, 0, tzinfo=UTC)
    later = route_contacts([make_mql("FR").pk], now=saturday)
    assert later.assigned == [] and len(later.unrouted) == 1


def test_existing_account_owner_wins(rules, staff, make_mql, make_company):
    company = make_company(owner=staff["james"])
    lead = make_mql("US", company=company)  # the rule would say Americas
    route_contacts([lead.pk], now=NOW)
    a = LeadAssignment.objects.get(contact=lead)
    assert (
        a.owner == staff["james"] and a.method == Method.ACCOUNT_OWNER and a.team_id == staff["james"].team_id
    )
    assert "account owner" in a.decided_by.lower()


def test_a_lead_is_never_assigned_twice_and_non_mqls_are_skipped(rules, staff, make_mql):
    lead = make_mql("FR")
    first = route_contacts([lead.pk], now=NOW)
    second = route_contacts([lead.pk], now=NOW)
    assert len(first.assigned) == 1 and second.already_open == [lead.pk]
    lead2 = make_mql("FR")
    lead2.lifecycle_stage = "lead"
    lead2.save()
    assert route_contacts([lead2.pk], now=NOW).not_mql == [lead2.pk]


def test_rep_is_notified_in_app_and_by_email(
    rules, staff, make_mql, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        route_contacts([make_mql("FR").pk], now=NOW)
    a = LeadAssignment.objects.get()
    note = Notification.objects.get(user=a.owner, kind="lead_assigned")
    assert note.url == f"/leads/{a.pk}/"
    assert a.owner is not None and len(smtp.to(a.owner.email)) == 1


def test_routing_a_batch_uses_a_bounded_number_of_queries(
    rules, staff, make_mql, django_assert_max_num_queries
):
    small = [make_mql("FR").pk for _ in range(5)]
    big = [make_mql(c).pk for c in ("FR", "US", "DE") * 100]
    with django_assert_max_num_queries(30):
        route_contacts(small, now=NOW)
    with django_assert_max_num_queries(30):
        route_contacts(big, now=NOW)
    assert LeadAssignment.objects.count() == 305


def test_mql_stage_change_routes_the_contact(rules, staff, django_capture_on_commit_callbacks):
    from accord.contacts.actions import create_contact, set_contact_stage

    contact = create_contact(email="ada@example.test", country="GB", lifecycle_stage="lead")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        set_contact_stage(contact, "mql")
    assert LeadAssignment.objects.filter(contact=contact, team__name="Sales EMEA").exists()


def test_manual_reassign_is_recorded(rules, staff, make_mql):
    route_contacts([make_mql("FR").pk], now=NOW)
    lead = LeadAssignment.objects.get()
    other = staff["noah"] if lead.owner == staff["sofia"] else staff["sofia"]
    new = actions.reassign_lead(
        lead, to=other, by=staff["henrik"], note="Speaks French", now=NOW + timedelta(hours=1)
    )
    lead.refresh_from_db()
    assert lead.status == LeadAssignment.Status.REASSIGNED
    assert new.owner == other and new.method == Method.MANUAL and new.assigned_by == staff["henrik"]
    assert "Speaks French" in new.decided_by
    assert list(LeadAssignment.objects.filter(contact=lead.contact).order_by("pk").values_list("status", flat=True)) == [
        "reassigned", "new",
    ]  # fmt: skip
    with pytest.raises(Conflict):
        actions.reassign_lead(new, to=other, by=staff["henrik"])


def test_reassign_respects_capacity(rules, staff, make_mql):
    actions.save_rep_profile(staff["noah"], weight=1, capacity=0)
    actions.save_rep_profile(
        staff["sofia"], weight=1, capacity=10, work_start=time(0, 0), work_end=time(23, 59)
    )
    route_contacts([make_mql("FR").pk], now=NOW)
    lead = LeadAssignment.objects.get()
    with pytest.raises(Conflict) as exc:
        actions.reassign_lead(lead, to=staff["noah"], by=staff["henrik"])
    assert exc.value.code == "at_capacity"
