"""What the handoff listens to: MQL stage changes (route the lead), logged calls and emails (stop
the first-touch clock), and contact merges (move the duplicate's leads)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.handoff import tasks
from accord.handoff.actions import TOUCH_KINDS, record_first_touch
from accord.handoff.models import LeadAssignment, Qualification
from accord.lifecycle.actions import StageMove
from accord.lifecycle.stages import LifecycleStage


def stages_changed(sender: Any, changes: Sequence[StageMove], **kwargs: Any) -> None:
    """Route a batch's new MQLs together: one task, set-based routing (a score recompute can make
    thousands of MQLs at once)."""
    mqls = sorted({m.contact_id for m in changes if m.to_stage == LifecycleStage.MQL})
    if mqls:
        tasks.route_contacts_task(mqls)


def activity_logged(sender: Any, kind: str, contact_id: int | None, **kwargs: Any) -> None:
    if contact_id is not None and kind in TOUCH_KINDS:
        record_first_touch(contact_id)


def merge_leads(primary_id: int, duplicate_id: int) -> None:
    """Move the duplicate's leads to the primary; if both have an open lead, the primary's stays open."""
    with transaction.atomic():
        if LeadAssignment.objects.filter(contact_id=primary_id, status__in=LeadAssignment.ACTIVE).exists():
            LeadAssignment.objects.filter(contact_id=duplicate_id, status__in=LeadAssignment.ACTIVE).update(
                status=LeadAssignment.Status.REASSIGNED, closed_at=timezone.now()
            )
        LeadAssignment.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)
        if Qualification.objects.filter(contact_id=primary_id).exists():
            Qualification.objects.filter(contact_id=duplicate_id).delete()
        else:
            Qualification.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)
