"""Signals the tracking app sends. Receivers (segments, scoring, …) live in higher apps."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per ingest request, after its transaction committed, with:
#   contact_ids: sorted list[int] of contacts whose touchpoints or identity changed in the request
#   event_types: sorted list[str] of the touchpoint types stored (EventType values)
#   stored: int, the number of new touchpoints (replays not counted)
# Receivers should do set-based work (one query per batch, not per contact) or schedule a task.
touchpoints_ingested = Signal()
