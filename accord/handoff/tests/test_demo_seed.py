"""The demo's handoff seed (accord/demo/handoff_demo.py) on a small generated workspace."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accord.demo.generator import generate_workspace
from accord.demo.handoff_demo import routing_moment, seed_handoff
from accord.handoff.models import LeadAssignment, RepProfile, RoutingRule, SlaPolicy
from accord.lifecycle.models import StageChange

NOW = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)  # a Sunday


@pytest.mark.django_db
def test_seed_handoff_routes_the_demo_mqls_with_verdicts():
    assert routing_moment(NOW) == datetime(2026, 3, 6, 14, 0, tzinfo=UTC)  # the Friday before
    generate_workspace(contacts=600, seed=7, now=NOW, extras=False)
    counts = seed_handoff(NOW)
    assert (
        RoutingRule.objects.count() == 3
        and SlaPolicy.objects.count() == 2
        and RepProfile.objects.count() == 4
    )
    assert counts["routed"] > 0 and counts["unrouted"] == 0
    assert 1 <= counts["rejected"] <= 5
    assert (
        LeadAssignment.objects.filter(status="rejected").exclude(reject_reason="").count()
        == counts["rejected"]
    )
    assert StageChange.objects.filter(rule="handoff_rejected", reason__contains="Budget frozen").exists()
    assert (
        LeadAssignment.objects.filter(status="converted", deal__isnull=False).count() == counts["converted"]
    )
    open_per_contact = LeadAssignment.objects.filter(status__in=["new", "accepted"]).values("contact_id")
    assert open_per_contact.count() == open_per_contact.distinct().count()
