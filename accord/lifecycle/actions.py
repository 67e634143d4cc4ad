"""The stage machine: every lifecycle change goes through :func:`change_stage`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accord.lifecycle.models import StageChange
from accord.lifecycle.stages import LifecycleStage, is_backwards

# Sent after commit with contact_id, from_stage, to_stage, change_id: once per change.
stage_changed = Signal()
# Sent after commit once per batch of changes with ``changes``: list[StageMove]. Every change is in
# exactly one such batch (a single change_stage is a batch of one). Subscribers doing set-based work
# (routing many new MQLs at once) listen to this one instead of ``stage_changed``.
stages_changed = Signal()


@dataclass(frozen=True)
class StageMove:
    contact_id: int
    from_stage: str
    to_stage: str
    change_id: int


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
    announce([change])
    return change


def announce(changes: Sequence[StageChange]) -> None:
    """After commit: ``stage_changed`` for each change, then one ``stages_changed`` for the batch."""
    moves = [StageMove(c.contact_id, c.from_stage, c.to_stage, c.pk) for c in changes]
    if not moves:
        return

    def send() -> None:
        for m in moves:
            stage_changed.send(
                sender=StageChange,
                contact_id=m.contact_id,
                from_stage=m.from_stage,
                to_stage=m.to_stage,
                change_id=m.change_id,
            )
        stages_changed.send(sender=StageChange, changes=moves)

    transaction.on_commit(send)


def change_stages(
    contacts: Sequence[_Contact],
    to_stage: str,
    *,
    by: Any = None,
    rule: str,
    reasons: Mapping[Any, str] | None = None,
    at: datetime | None = None,
) -> list[StageChange]:
    """Move many contacts forward to ``to_stage`` at once: one UPDATE, one bulk INSERT of history
    rows, one ``stages_changed`` after commit. The caller holds the rows locked (``select_for_update``)
    and passes model instances with their current stage. Contacts already there are skipped; a move
    backwards is refused for the whole batch (use :func:`change_stage` with a reason for those).
    """
    if to_stage not in LifecycleStage.values:
        raise StageChangeError(f"Unknown lifecycle stage {to_stage!r}.")
    if to_stage in (LifecycleStage.RECYCLED, LifecycleStage.DISQUALIFIED):
        raise StageChangeError(
            "Recycling or disqualifying is a verdict on one lead at a time, with a reason."
        )
    moving = [c for c in contacts if (c.lifecycle_stage or "") != to_stage]
    backwards = [c.pk for c in moving if is_backwards(c.lifecycle_stage or "", to_stage)]
    if backwards:
        raise StageChangeError(
            f"{len(backwards)} contact(s) would move back to {LifecycleStage(to_stage).label}; "
            "that needs an explicit reason, one contact at a time."
        )
    if not moving:
        return []
    when = at or timezone.now()
    reasons = reasons or {}
    model = type(moving[0])
    with transaction.atomic():
        model._default_manager.filter(pk__in=[c.pk for c in moving]).update(lifecycle_stage=to_stage)  # type: ignore[attr-defined]
        changes = StageChange.objects.bulk_create(
            StageChange(
                contact_id=c.pk,
                from_stage=c.lifecycle_stage or "",
                to_stage=to_stage,
                changed_at=when,
                changed_by=by,
                rule=rule,
                reason=reasons.get(c.pk, "").strip(),
            )
            for c in moving
        )
        for c in moving:
            c.lifecycle_stage = to_stage
    announce(changes)
    return changes


def record_initial_stage(
    contact: _Contact, *, by: Any = None, rule: str = "", at: datetime | None = None
) -> StageChange:
    """History row for a contact created directly at its current stage."""
    return record_initial_stages([contact], by=by, rule=rule, at=at)[0]


def record_initial_stages(
    contacts: Iterable[_Contact], *, by: Any = None, rule: str = "", at: datetime | None = None
) -> list[StageChange]:
    """:func:`record_initial_stage` for many contacts, in one insert."""
    when = at or timezone.now()
    rows = [
        StageChange(
            contact_id=c.pk,
            from_stage="",
            to_stage=c.lifecycle_stage,
            changed_at=when,
            changed_by=by,
            rule=rule,
        )
        for c in contacts
    ]
    return StageChange.objects.bulk_create(rows)
