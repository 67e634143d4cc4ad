"""What the demo workspace adds on top of the generated rows, through the apps' own actions:
scoring rules and scores, segments, forms, stage histories and onboarding for deals, the product
catalog with quotes, and the lead routing setup with the current MQLs routed."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from accord.accounts.models import User
from accord.demo.catalog_demo import create_catalog, create_demo_quotes, name_competitors
from accord.demo.handoff_demo import routing_moment, seed_handoff
from accord.demo.marketing_setup import seed_scoring, seed_segments
from accord.demo.sales_demo import add_sales_demo
from accord.demo.staff import Staff
from accord.demo.webforms_demo import seed_forms
from accord.handoff.routing import pending_mqls, route_contacts
from accord.sales.models import Deal
from accord.scoring.mql import promote_to_mql

Report = Callable[[str, int, int], None]


def add_extras(*, now: datetime, staff: Staff, report: Report, seed: int = 0) -> tuple[int, int]:
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
    sales = add_sales_demo(rng=random.Random(seed + 4), now=now)
    report("sales", sales.activities, sales.activities)
    admin = User.objects.filter(role="admin").order_by("pk").first()
    with transaction.atomic():
        catalog = create_catalog(by=admin)
        open_deals = list(
            Deal.objects.filter(status=Deal.Status.OPEN, owner__isnull=False).order_by("pk")[:300]
        )
        name_competitors(catalog, open_deals)
        quotes = create_demo_quotes(catalog, open_deals)
    report("catalog", len(quotes), len(quotes))
    routed = seed_handoff(now)
    report("handoff", sum(routed.values()), sum(routed.values()))
    # Fresh MQLs for the reps' inboxes: contacts whose demo score reached the threshold now, routed as
    # of the last working afternoon (so every team is at work whatever time the seed runs).
    promoted = promote_to_mql(now=now)
    if promoted:
        route_contacts(pending_mqls(), now=routing_moment(now))
    report("new MQLs", promoted, promoted)
    return scored, len(segments)
