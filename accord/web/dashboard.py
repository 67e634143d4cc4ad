"""The numbers on the home page, each one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, QuerySet

from accord.accounts.models import User
from accord.contacts.models import Contact
from accord.lifecycle.stages import FUNNEL_ORDER, LifecycleStage
from accord.sales.models import Activity

STAGE_ORDER: tuple[str, ...] = (*FUNNEL_ORDER, LifecycleStage.RECYCLED, LifecycleStage.DISQUALIFIED)


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int
    percent: int  # bar width, relative to the largest stage


def contacts_by_stage() -> list[StageCount]:
    """How many contacts are in each lifecycle stage (one GROUP BY), in funnel order."""
    rows = Contact.objects.order_by().values("lifecycle_stage").annotate(n=Count("id"))
    counts = {row["lifecycle_stage"]: row["n"] for row in rows}
    biggest = max(counts.values(), default=0)
    return [
        StageCount(
            stage=stage,
            label=LifecycleStage(stage).label,
            count=counts.get(stage, 0),
            # a stage with any contacts always shows at least a sliver of a bar
            percent=max(1, round(100 * counts[stage] / biggest)) if counts.get(stage) else 0,
        )
        for stage in STAGE_ORDER
    ]


def open_activities(user: User) -> QuerySet[Activity]:
    """The user's activities not done yet, the soonest due first (undated ones last)."""
    return (
        Activity.objects.filter(owner=user, done_at__isnull=True)
        .select_related("contact")
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def recent_contacts() -> QuerySet[Contact]:
    return Contact.objects.select_related("owner", "company").order_by("-created_at", "-id")
