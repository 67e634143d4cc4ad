"""Recording touchpoints. Bulk ingest (issue 3) builds on :func:`record_touchpoints`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.tracking.models import EventType, Touchpoint


def record_touchpoint(
    *,
    type: str,
    occurred_at: datetime,
    contact_id: int | None = None,
    anonymous_id: str = "",
    campaign_id: int | None = None,
    name: str = "",
    properties: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    message_id: str | None = None,
) -> Touchpoint:
    if type not in EventType.values:
        raise ValueError(f"Unknown touchpoint type {type!r}")
    if timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be timezone-aware")
    return Touchpoint.objects.create(
        message_id=message_id or uuid.uuid4().hex,
        type=type,
        name=name,
        contact_id=contact_id,
        anonymous_id=anonymous_id,
        campaign_id=campaign_id,
        properties=properties or {},
        context=context or {},
        occurred_at=occurred_at,
        received_at=timezone.now(),
    )


def record_touchpoints(rows: Sequence[Touchpoint], *, batch_size: int = 2000) -> int:
    """Bulk insert; rows whose ``message_id`` already exists are skipped. Returns rows offered."""
    with transaction.atomic():
        Touchpoint.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    return len(rows)
