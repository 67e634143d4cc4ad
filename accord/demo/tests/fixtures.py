"""Shared helpers for the demo generator tests: a fixed clock, a fingerprint, a wipe."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from accord.accounts.models import Team, User
from accord.campaigns.models import Campaign
from accord.contacts.models import Company, Contact
from accord.demo.generator import DEMO_USERS
from accord.lifecycle.models import StageChange
from accord.sales.models import Activity, Deal, Pipeline
from accord.tracking.models import Touchpoint

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


def fingerprint() -> str:
    """A hash of every generated row by natural keys (ids differ between runs on PostgreSQL)."""
    digest = hashlib.sha256()
    parts = [
        User.objects.order_by("username").values_list("username", "role", "first_name", "email", "team__name"),
        Campaign.objects.order_by("utm_campaign").values_list(
            "name", "channel", "status", "utm_source", "utm_medium", "utm_campaign", "budget", "start_date",
            "end_date", "owner__username", "created_at",
        ),
        Company.objects.order_by("domain").values_list(
            "name", "domain", "industry", "size", "revenue_band", "country", "lifecycle_stage",
            "owner__username", "created_at", "updated_at",
        ),
        Contact.objects.order_by("email").values_list(
            "email", "first_name", "last_name", "phone", "title", "company__domain", "owner__username",
            "lifecycle_stage", "country", "created_at", "updated_at",
        ),
        Touchpoint.objects.order_by("message_id").values_list(
            "message_id", "type", "name", "contact__email", "anonymous_id", "campaign__utm_campaign",
            "properties", "context", "occurred_at", "received_at",
        ),
        StageChange.objects.order_by("contact__email", "changed_at").values_list(
            "contact__email", "from_stage", "to_stage", "changed_at", "changed_by__username", "rule", "reason"
        ),
        Deal.objects.order_by("contact__email", "created_at", "name").values_list(
            "name", "pipeline__name", "stage__name", "status", "amount", "expected_close", "closed_at",
            "owner__username", "contact__email", "company__domain", "source_campaign__utm_campaign",
            "lost_reason", "created_at", "updated_at",
        ),
        Activity.objects.order_by("contact__email", "created_at", "kind", "subject").values_list(
            "kind", "subject", "body", "due_at", "done_at", "owner__username", "contact__email",
            "deal__name", "details", "created_at",
        ),
    ]  # fmt: skip
    for query in parts:
        for row in query:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def wipe() -> None:
    """Remove a generated workspace (children first: deals protect their pipeline)."""
    from accord.catalog.models import Competitor, PriceList, Product
    from accord.quotes.models import Quote
    from accord.scoring.models import ContactScore, EngagementRule, FitRule
    from accord.segments.models import Segment
    from accord.webforms.models import Form

    Quote.objects.all().delete()
    PriceList.objects.all().delete()
    Product.objects.all().delete()
    Competitor.objects.all().delete()
    Form.objects.all().delete()

    Segment.objects.all().delete()
    ContactScore.objects.all().delete()
    FitRule.objects.all().delete()
    EngagementRule.objects.all().delete()
    Activity.objects.all().delete()
    Deal.objects.all().delete()
    Pipeline.objects.all().delete()
    Touchpoint.objects.all().delete()
    StageChange.objects.all().delete()
    Contact.objects.all().delete()
    Company.objects.all().delete()
    Campaign.objects.all().delete()
    Team.objects.all().delete()
    User.objects.filter(username__in=[u.username for u in DEMO_USERS]).delete()
