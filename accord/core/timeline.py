"""The 360° timeline of a contact, assembled from whichever apps contribute entries.

Each app that has something to show on a contact's timeline registers a *source* in its
``AppConfig.ready``. A source returns at most ``limit`` entries for a contact, newest first;
the timeline merges them. Contacts therefore never import tracking, lifecycle or sales.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, order=True)
class TimelineEntry:
    at: datetime
    kind: str = field(compare=False)  # "touchpoint", "stage", "activity", ...
    title: str = field(compare=False)
    detail: str = field(default="", compare=False)
    icon: str = field(default="", compare=False)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


TimelineSource = Callable[[int, int, datetime | None], Iterable[TimelineEntry]]
_sources: dict[str, TimelineSource] = {}


def register_source(name: str, source: TimelineSource) -> None:
    """Register ``source(contact_id, limit, before)`` under a unique name (idempotent)."""
    _sources[name] = source


def for_contact(contact_id: int, *, limit: int = 50, before: datetime | None = None) -> list[TimelineEntry]:
    """The newest ``limit`` entries for a contact across all sources, newest first.

    ``before`` pages backwards: only entries strictly older than it are returned.
    """
    streams = [sorted(src(contact_id, limit, before), reverse=True) for src in _sources.values()]
    merged = heapq.merge(*streams, reverse=True)
    out: list[TimelineEntry] = []
    for entry in merged:
        if len(out) >= limit:
            break
        out.append(entry)
    return out
