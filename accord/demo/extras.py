"""What the demo workspace adds on top of the generated rows, through the apps' own actions:
scoring rules and scores, segments (and, as those apps land, forms, catalog, routing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from accord.accounts.models import User
from accord.demo.marketing_setup import seed_scoring, seed_segments
from accord.demo.webforms_demo import seed_forms
from accord.demo.staff import Staff

Report = Callable[[str, int, int], None]


def add_extras(*, now: datetime, staff: Staff, report: Report) -> tuple[int, int]:
    """Returns (contacts scored, segments created)."""
    owner = User.objects.filter(pk__in=staff.marketers, role="marketing_manager").first()
    with transaction.atomic():
        scored = seed_scoring(now)
    report("scores", scored, scored)
    with transaction.atomic():
        segments = seed_segments(now, owner)
    report("segments", len(segments), len(segments))
    with transaction.atomic():
        forms = seed_forms(now)
    report("forms", len(forms), len(forms))
    return scored, len(segments)
