"""Activities on a contact's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import DateTimeField
from django.db.models.functions import Coalesce

from accord.core.timeline import TimelineEntry
from accord.sales.activity_kinds import describe
from accord.sales.models import Activity


def activity_entries(contact_id: int, limit: int, before: datetime | None) -> Iterable[TimelineEntry]:
    qs = (
        Activity.objects.filter(contact_id=contact_id)
        .select_related("owner")
        .annotate(at=Coalesce("done_at", "due_at", "created_at", output_field=DateTimeField()))
    )
    if before is not None:
        qs = qs.filter(at__lt=before)
    for act in qs.order_by("-at", "-id")[:limit]:
        status = "" if act.done_at else " (planned)"
        facts = "; ".join(f"{label}: {text}" for label, text in describe(act.details or {}))
        parts = (str(act.owner) if act.owner else "", facts[:300], act.body[:300])
        detail = " — ".join(part for part in parts if part)
        yield TimelineEntry(
            at=act.at,
            kind="activity",
            title=f"{act.get_kind_display()}{status}: {act.subject}",
            detail=detail,
            icon=act.kind,
        )
