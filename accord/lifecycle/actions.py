"""The stage machine: every lifecycle change goes through :func:`change_stage`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accord.lifecycle.models import StageChange
from accord.lifecycle.stages import LifecycleStage, is_backwards

# Sent after commit with contact_id, from_stage, to_stage, change_id. Later issues (handoff,
# routing, webhooks) subscribe to it.
stage_changed = Signal()


class StageChangeError(ValueError):
    pass


class _Contact(Protocol):
    pk: Any
    lifecycle_stage: str

    def save(self, *, update_fields: list[str]) -> None: ...


def change_stage(
    contact: _Contact,
    to_stage: str,
    *,
    by: Any = None,
    rule: str = "",
    reason: str = "",
    at: datetime | None = None,
    allow_backwards: bool = False,
) -> StageChange | None:
    """Move ``contact`` to ``to_stage`` and record it. Returns None when nothing changes.

    A move backwards on the funnel is refused unless ``allow_backwards`` is set *and* a reason
    is given: the funnel never goes backwards silently.
    """
    if to_stage not in LifecycleStage.values:
        raise StageChangeError(f"Unknown lifecycle stage {to_stage!r}.")
    from_stage = contact.lifecycle_stage or ""
    if from_stage == to_stage:
        return None
    if is_backwards(from_stage, to_stage):
        if not allow_backwards:
            raise StageChangeError(
                f"Moving from {LifecycleStage(from_stage).label} back to {LifecycleStage(to_stage).label} "
                "needs an explicit reason."
            )
        if not reason.strip():
            raise StageChangeError("A reason is required to move a contact backwards in the funnel.")
    if to_stage in (LifecycleStage.RECYCLED, LifecycleStage.DISQUALIFIED) and not (reason.strip() or rule):
        raise StageChangeError("A reason is required to recycle or disqualify a contact.")
    when = at or timezone.now()
    with transaction.atomic():
        contact.lifecycle_stage = to_stage
        contact.save(update_fields=["lifecycle_stage"])
        change = StageChange.objects.create(
            contact_id=contact.pk,
            from_stage=from_stage,
            to_stage=to_stage,
            changed_at=when,
            changed_by=by,
            rule=rule,
            reason=reason.strip(),
        )
    transaction.on_commit(
        lambda: stage_changed.send(
            sender=StageChange,
            contact_id=change.contact_id,
            from_stage=from_stage,
            to_stage=to_stage,
            change_id=change.pk,
        )
    )
    return change


def record_initial_stage(
    contact: _Contact, *, by: Any = None, rule: str = "", at: datetime | None = None
) -> StageChange:
    """History row for a contact created directly at its current stage."""
    return StageChange.objects.create(
        contact_id=contact.pk,
        from_stage="",
        to_stage=contact.lifecycle_stage,
        changed_at=at or timezone.now(),
        changed_by=by,
        rule=rule,
    )
