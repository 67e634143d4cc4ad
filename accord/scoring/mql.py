"""Score ≥ threshold → MQL, forward only.

Only contacts before MQL on the funnel (subscriber, lead) or recycled into nurture move; a contact
already at MQL or beyond (and a disqualified one, which only a person may requalify) is never
touched, so a customer with a high score stays a customer. Moves go through
:func:`accord.lifecycle.actions.change_stages` (a batch at a time: one UPDATE, one history INSERT, one
``stages_changed`` signal) with ``rule="score_threshold"`` and a reason per contact that names the
score and the threshold, so they are in the stage history like any other change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F, QuerySet

from accord.contacts.models import Contact
from accord.lifecycle.actions import change_stages
from accord.lifecycle.stages import LifecycleStage
from accord.scoring.models import ScoringSettings

RULE = "score_threshold"
BEFORE_MQL: tuple[str, ...] = (LifecycleStage.SUBSCRIBER, LifecycleStage.LEAD, LifecycleStage.RECYCLED)
LOOKUP_BATCH = 500
PROMOTE_BATCH = 1000


def reason(total: int, threshold: int) -> str:
    return f"Score {total} reached the MQL threshold ({threshold})"


def crossing(threshold: int) -> QuerySet[Contact]:
    """Contacts before MQL whose stored score is at or above ``threshold`` (one query)."""
    return Contact.objects.filter(lifecycle_stage__in=BEFORE_MQL, score__total__gte=threshold)


def _candidates(threshold: int, contact_ids: Iterable[int] | None) -> list[int]:
    if contact_ids is None:
        return list(crossing(threshold).order_by("pk").values_list("pk", flat=True))
    ids = sorted(set(contact_ids))
    found: list[int] = []
    for start in range(0, len(ids), LOOKUP_BATCH):
        batch = ids[start : start + LOOKUP_BATCH]
        found.extend(crossing(threshold).filter(pk__in=batch).order_by("pk").values_list("pk", flat=True))
    return found


def promote_to_mql(*, now: datetime, contact_ids: Iterable[int] | None = None) -> int:
    """Move every contact (or those of ``contact_ids``) whose score reached the threshold to MQL.

    One query finds them; they are then re-read under a row lock, in batches, and moved only if
    still before MQL and still over the threshold. Returns how many moved. Idempotent.
    """
    threshold = ScoringSettings.load().mql_threshold
    ids = _candidates(threshold, contact_ids)
    promoted = 0
    for start in range(0, len(ids), PROMOTE_BATCH):
        batch = ids[start : start + PROMOTE_BATCH]
        with transaction.atomic():
            locked = (
                crossing(threshold)
                .filter(pk__in=batch)
                .annotate(score_total=F("score__total"))
                .select_for_update(of=("self",))
                .order_by("pk")
            )
            contacts = list(locked)
            reasons = {c.pk: reason(int(c.score_total), threshold) for c in contacts}
            promoted += len(change_stages(contacts, LifecycleStage.MQL, rule=RULE, reasons=reasons, at=now))
    return promoted
