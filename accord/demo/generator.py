"""The demo workspace: a believable B2B SaaS company's six months of marketing and sales.

``generate_workspace`` creates the staff, campaigns and pipelines through the apps' actions,
then streams companies, contacts, touchpoints, stage histories, deals and activities into the
database in batches of ``batch_size`` contacts, each batch in its own transaction. Memory does
not grow with ``contacts``: a batch is written and dropped before the next is drawn.

The same ``seed`` (and ``now``) gives the same rows, whatever the batch size: every random
draw comes from one ``random.Random(seed)`` in a fixed order, and Faker only fills name pools
once, from instances seeded with ``seed_instance``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.contacts.models import Contact
from accord.demo.deals import Seller, create_demo_pipelines
from accord.demo.extras import add_extras
from accord.demo.journeys import Planner
from accord.demo.marketing import WINDOW_DAYS, CampaignBook, create_campaigns
from accord.demo.people import name_pools
from accord.demo.population import Population
from accord.demo.staff import DEMO_PASSWORD, DEMO_USERS, DemoUser, create_staff
from accord.demo.tables import Tables
from accord.demo.touches import Touches
from accord.lifecycle.models import StageChange
from accord.sales.models import Activity, Deal

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DemoUser",
    "Progress",
    "WorkspaceSummary",
    "generate_workspace",
    "workspace_exists",
]

Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass(frozen=True)
class WorkspaceSummary:
    users: int
    teams: int
    companies: int
    contacts: int
    campaigns: int
    touchpoints: int
    stage_changes: int
    deals: int
    activities: int
    pipelines: int = 0
    scored: int = 0
    segments: int = 0

    @property
    def rows(self) -> int:
        """Rows written, all tables together."""
        return sum(asdict(self).values())


def workspace_exists() -> bool:
    """True if any demo user already exists (then the workspace was seeded, or would clash)."""
    return User.objects.filter(username__in=[u.username for u in DEMO_USERS]).exists()


def generate_workspace(
    *,
    contacts: int = 5000,
    seed: int = 42,
    batch_size: int = 5000,
    progress: Progress | None = None,
    now: datetime | None = None,
    extras: bool = True,
) -> WorkspaceSummary:
    """Fill an empty database with the demo workspace. Refuses (``ValueError``) if one exists."""
    if contacts < 1:
        raise ValueError("A demo workspace needs at least one contact.")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware.")
    if workspace_exists():
        taken = User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list(
            "username", flat=True
        )
        raise ValueError(
            "A demo workspace already exists here (demo users present: "
            f"{', '.join(sorted(taken))}); start from an empty database to seed a new one."
        )
    if Contact.objects.exists():
        raise ValueError(
            "This database already holds contacts; the demo workspace is only seeded into an empty one."
        )
    report = progress or (lambda phase, done, total: None)
    rng = random.Random(seed)
    pools = name_pools(seed)

    with transaction.atomic():
        staff = create_staff(joined_at=now - timedelta(days=WINDOW_DAYS + 60))
        report("staff", staff.users, staff.users)
        campaigns = create_campaigns(staff, now=now, rng=rng)
        report("campaigns", len(campaigns), len(campaigns))
        pipelines = create_demo_pipelines()

    tables = Tables(connections[DEFAULT_DB_ALIAS])
    book = CampaignBook(campaigns, now=now)
    touches = Touches(rng, tables, now)
    planner = Planner(rng, tables, touches, book, staff, now)
    seller = Seller(rng, tables, pipelines, now)
    population = Population(rng, pools, tables, planner, seller, staff, now)

    made = 0
    while made < contacts:
        made += population.add_unit(contacts - made)
        if tables.pending_contacts >= batch_size or made == contacts:
            tables.flush()
            report("contacts", made, contacts)
    tables.reset_sequences()

    scored = segments = 0
    stage_changes, deals, activities = (
        tables.stage_changes.written, tables.deals.written, tables.activities.written,
    )  # fmt: skip
    if extras:  # scoring rules, segments, forms, catalog, routing… built on the generated rows
        scored, segments = add_extras(now=now, staff=staff, report=report, seed=seed)
        # the handoff's verdicts and the sales demo add history rows, deals and activities
        stage_changes, deals, activities = (
            StageChange.objects.count(), Deal.objects.count(), Activity.objects.count(),
        )  # fmt: skip

    return WorkspaceSummary(
        users=staff.users,
        teams=staff.teams,
        companies=tables.companies.written,
        contacts=tables.contacts.written,
        campaigns=len(campaigns),
        touchpoints=tables.touchpoints.written,
        stage_changes=stage_changes,
        deals=deals,
        activities=activities,
        pipelines=len(pipelines),
        scored=scored,
        segments=segments,
    )
