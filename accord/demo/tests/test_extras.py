"""The demo's marketing setup: scoring rules with scores every contact page can explain, and
materialised segments."""

from __future__ import annotations

import pytest

from accord.contacts.models import Contact
from accord.demo.generator import WorkspaceSummary
from accord.demo.tests.fixtures import NOW
from accord.scoring.explain import explain
from accord.scoring.models import ContactScore, EngagementRule, FitRule
from accord.segments.models import Segment, SegmentMembership

pytestmark = pytest.mark.django_db


def test_every_contact_is_scored_and_the_scores_are_explained(workspace: WorkspaceSummary) -> None:
    assert FitRule.objects.count() == 3 and EngagementRule.objects.count() == 6
    assert workspace.scored == Contact.objects.count() == ContactScore.objects.count()
    engaged = ContactScore.objects.filter(engagement__gt=0).order_by("-total").first()
    assert engaged is not None, "some demo contacts must have engagement points"
    lines = explain(engaged.contact_id, NOW)
    assert lines and any(line.text.startswith("+") for line in lines)


def test_segments_are_materialised_and_match_their_filters(workspace: WorkspaceSummary) -> None:
    assert workspace.segments == Segment.objects.count() == 4
    customers = Segment.objects.get(name="Customers")
    members = set(SegmentMembership.objects.filter(segment=customers).values_list("contact_id", flat=True))
    expected = set(
        Contact.objects.filter(lifecycle_stage__in=["customer", "evangelist"]).values_list("pk", flat=True)
    )
    assert members == expected and members


def test_fresh_mqls_wait_in_the_reps_inboxes(workspace: WorkspaceSummary) -> None:
    """Contacts whose demo score reached the threshold are MQLs routed to a rep, awaiting a verdict."""
    from accord.handoff.models import LeadAssignment
    from accord.scoring.models import ScoringSettings

    threshold = ScoringSettings.load().mql_threshold
    fresh = LeadAssignment.objects.filter(status="new", contact__lifecycle_stage="mql")
    assert fresh.exists()
    for lead in fresh.select_related("contact__score", "owner"):
        assert lead.owner is not None and lead.owner.role in ("sdr", "ae")
    promoted = Contact.objects.filter(stage_changes__rule="score_threshold", stage_changes__changed_at=NOW)
    assert promoted.exists()
    assert all(c.score.total >= threshold for c in promoted.distinct().select_related("score"))
