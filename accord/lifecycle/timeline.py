"""Stage changes on a contact's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from accord.core.timeline import TimelineEntry
from accord.lifecycle.models import StageChange
from accord.lifecycle.stages import LifecycleStage


def stage_entries(contact_id: int, limit: int, before: datetime | None) -> Iterable[TimelineEntry]:
    qs = StageChange.objects.filter(contact_id=contact_id).select_related("changed_by")
    if before is not None:
        qs = qs.filter(changed_at__lt=before)
    for change in qs.order_by("-changed_at", "-id")[:limit]:
        to_label = LifecycleStage(change.to_stage).label
        title = (
            f"Stage: {LifecycleStage(change.from_stage).label} → {to_label}"
            if change.from_stage
            else f"Created as {to_label}"
        )
        who = (
            str(change.changed_by)
            if change.changed_by
            else (f"rule: {change.rule}" if change.rule else "system")
        )
        detail = f"{who}" + (f" — {change.reason}" if change.reason else "")
        yield TimelineEntry(at=change.changed_at, kind="stage", title=title, detail=detail, icon="stage")
