"""What the demo needs for the sales engine's newer tables, added after the deals are written.

Call :func:`add_sales_demo` once the generator has flushed its rows (after ``tables.reset_sequences()``):

    sales = add_sales_demo(rng=random.Random(seed + 4), now=now)

It adds, deterministically for a seed:
- a stage history for each demo deal (the path through the open stages from its creation to its
  current stage or its close, spread over that time), so time in stage and rotting have data;
- discovery notes (pain points, goals) and feature requests on a share of the deals;
- the default onboarding template (through the sales action);
- ``reminded_at`` on tasks already overdue, so a fresh workspace does not email every old task.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F

from accord.sales.actions import default_onboarding_template, save_onboarding_template
from accord.sales.models import Activity, Deal, DealStageChange, PipelineStage

BATCH = 2000
ONBOARDING: tuple[tuple[str, int], ...] = (
    ("Kickoff call with the customer's team", 2),
    ("Connect the ERP integration", 7),
    ("Admin training", 10),
    ("Go-live review", 21),
)
PAIN_POINTS: tuple[str, ...] = (
    "Month-end close takes ten days", "Invoices approved by email", "No audit trail for approvals",
    "Spreadsheets re-keyed into the ERP", "Spend visibility only after the fact",
)  # fmt: skip
GOALS: tuple[str, ...] = (
    "Close the books in three days", "Pass the next audit without findings", "Cut AP headcount growth",
    "One approval flow for every entity",
)  # fmt: skip
FEATURE_THEMES: tuple[tuple[str, str], ...] = (
    ("Integrations", "Native NetSuite sync for vendor bills"),
    ("Security", "SCIM provisioning from Okta"),
    ("Reporting", "Scheduled spend reports by cost centre"),
    ("Workflows", "Parallel approvals for large invoices"),
    ("Mobile", "Approve from the mobile app"),
)
DISCOVERY_RATE = 0.5
FEATURE_RATE = 0.25


@dataclass(frozen=True)
class SalesDemoSummary:
    stage_changes: int
    activities: int
    reminded: int


def add_sales_demo(*, rng: random.Random, now: datetime) -> SalesDemoSummary:
    with transaction.atomic():
        if default_onboarding_template() is None:
            save_onboarding_template(name="Standard onboarding", follow_up_days=30, items=ONBOARDING)
        stages = _stages()
        changes = activities = 0
        deals = (
            Deal.objects.filter(stage_changes__isnull=True)
            .order_by("id")
            .values(
                "id",
                "pipeline_id",
                "stage_id",
                "status",
                "owner_id",
                "contact_id",
                "company_id",
                "created_at",
                "closed_at",
                "updated_at",
            )  # fmt: skip
        )
        history: list[DealStageChange] = []
        notes: list[Activity] = []
        for deal in deals.iterator(chunk_size=BATCH):
            history.extend(_history(rng, deal, stages[deal["pipeline_id"]], now))
            notes.extend(_notes(rng, deal, now))
            if len(history) >= BATCH:
                changes += len(DealStageChange.objects.bulk_create(history))
                history = []
            if len(notes) >= BATCH:
                activities += _write(notes)
                notes = []
        changes += len(DealStageChange.objects.bulk_create(history))
        activities += _write(notes)
        reminded = Activity.objects.filter(
            kind=Activity.Kind.TASK, done_at=None, reminded_at=None, due_at__lte=now
        ).update(reminded_at=now)
    return SalesDemoSummary(changes, activities, reminded)


def _write(rows: list[Activity]) -> int:
    """Insert, then date each row when it happened (``auto_now_add`` stamps the present on insert)."""
    created = Activity.objects.bulk_create(rows)
    Activity.objects.filter(pk__in=[a.pk for a in created]).update(
        created_at=F("done_at"), updated_at=F("done_at")
    )
    return len(created)


def _stages() -> dict[int, list[tuple[int, str]]]:
    """Per pipeline: (stage id, outcome) by position."""
    out: dict[int, list[tuple[int, str]]] = {}
    for stage in PipelineStage.objects.order_by("pipeline_id", "position").values(
        "id", "pipeline_id", "outcome"
    ):
        out.setdefault(stage["pipeline_id"], []).append((stage["id"], stage["outcome"]))
    return out


def _history(
    rng: random.Random, deal: Mapping[str, Any], stages: list[tuple[int, str]], now: datetime
) -> list[DealStageChange]:
    open_ids = [sid for sid, outcome in stages if outcome == PipelineStage.Outcome.OPEN]
    current = deal["stage_id"]
    if current in open_ids:
        path = open_ids[: open_ids.index(current) + 1]
        end = min(now, max(deal["updated_at"], deal["created_at"]))
    else:  # closed: some open stages, then the closing one
        reached = rng.randint(1, len(open_ids)) if open_ids else 0
        path = [*open_ids[:reached], current]
        end = deal["closed_at"] or deal["updated_at"]
    start = deal["created_at"]
    span = max(end - start, timedelta(hours=len(path)))
    rows = []
    previous = None
    for i, stage_id in enumerate(path):
        at = start if i == 0 else start + span * (i / max(1, len(path) - 1)) * rng.uniform(0.85, 1.0)
        if deal["closed_at"] is not None and i == len(path) - 1:
            at = deal["closed_at"]
        rows.append(
            DealStageChange(
                deal_id=deal["id"],
                from_stage_id=previous,
                to_stage_id=stage_id,
                changed_at=min(at, now),
                changed_by_id=deal["owner_id"],
                reason="",
            )  # fmt: skip
        )
        previous = stage_id
    return rows


def _notes(rng: random.Random, deal: Mapping[str, Any], now: datetime) -> list[Activity]:
    rows = []
    base = {
        "owner_id": deal["owner_id"],
        "contact_id": deal["contact_id"],
        "company_id": deal["company_id"],
        "deal_id": deal["id"],
    }
    if rng.random() < DISCOVERY_RATE:
        at = min(now, deal["created_at"] + timedelta(days=rng.uniform(0.5, 4)))
        details = {"pain_points": rng.choice(PAIN_POINTS), "goals": rng.choice(GOALS)}
        rows.append(
            Activity(
                kind=Activity.Kind.DISCOVERY, subject="Discovery notes", done_at=at, details=details, **base
            )
        )
    if rng.random() < FEATURE_RATE:
        theme, text = rng.choice(FEATURE_THEMES)
        at = min(now, deal["created_at"] + timedelta(days=rng.uniform(3, 15)))
        rows.append(
            Activity(
                kind=Activity.Kind.FEATURE_REQUEST, subject=text, done_at=at, details={"theme": theme}, **base
            )
        )
    return rows
