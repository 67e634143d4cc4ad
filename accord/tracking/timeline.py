"""Touchpoints on a contact's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from accord.core.timeline import TimelineEntry
from accord.tracking.models import Touchpoint


def touchpoint_entries(contact_id: int, limit: int, before: datetime | None) -> Iterable[TimelineEntry]:
    qs = Touchpoint.objects.filter(contact_id=contact_id).select_related("campaign")
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    for tp in qs.order_by("-occurred_at", "-id")[:limit]:
        title = tp.get_type_display() + (f": {tp.name}" if tp.name else "")
        parts = []
        page = tp.context.get("page") if isinstance(tp.context.get("page"), dict) else {}
        url = page.get("url") or tp.properties.get("url")
        if url:
            parts.append(str(url))
        referrer = page.get("referrer") or tp.properties.get("referrer") or ""
        user_agent = tp.context.get("userAgent") or ""
        if tp.campaign:
            parts.append(f"campaign: {tp.campaign.name}")
        yield TimelineEntry(
            at=tp.occurred_at,
            kind="touchpoint",
            title=title,
            detail=" · ".join(parts),
            icon=tp.type,
            extra={"campaign_id": tp.campaign_id, "referrer": str(referrer), "user_agent": str(user_agent)},
        )
