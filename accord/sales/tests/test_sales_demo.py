"""The demo's sales additions: stage histories for generated deals, new activity kinds, onboarding."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from accord.sales.models import Activity, Deal, DealStageChange, OnboardingTemplate
from accord.sales.queries import stage_history

generator = pytest.importorskip("accord.demo.generator")
sales_demo = pytest.importorskip("accord.demo.sales_demo")

pytestmark = pytest.mark.django_db


def test_demo_deals_get_histories_notes_and_a_template():
    generator.generate_workspace(contacts=300, seed=7, extras=False)
    now = timezone.now()
    summary = sales_demo.add_sales_demo(rng=random.Random(11), now=now)
    deals = Deal.objects.count()
    assert deals and summary.stage_changes >= deals
    assert not Deal.objects.filter(stage_changes__isnull=True).exists()
    for deal in Deal.objects.all()[:50]:
        rows = stage_history(deal, now)
        assert rows[-1].change.to_stage_id == deal.stage_id
        assert all(r.duration is None or r.duration.total_seconds() >= 0 for r in rows)
    assert Activity.objects.filter(kind="feature_request").exists()
    assert Activity.objects.filter(kind="discovery", details__has_key="pain_points").exists()
    assert not Activity.objects.filter(created_at__gt=now).exists()
    assert OnboardingTemplate.objects.get().items.count() == 4
    assert not Activity.objects.filter(kind="task", done_at=None, reminded_at=None, due_at__lte=now).exists()
    # running it again adds nothing
    again = sales_demo.add_sales_demo(rng=random.Random(11), now=now)
    assert (again.stage_changes, again.activities) == (0, 0)
    assert DealStageChange.objects.count() == summary.stage_changes
    assert datetime(2000, 1, 1, tzinfo=UTC) < min(c.changed_at for c in DealStageChange.objects.all())
