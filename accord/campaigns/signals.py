"""Signals the campaigns app sends. Receivers live in higher apps (tracking, analytics)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per recorded click on a tracking link, after its transaction committed, with:
#   click_id: int, link_id: int, campaign_id: int,
#   contact_id: int | None (from a signed contact token on the link), anonymous_id: str ("" if none),
#   occurred_at: datetime (aware)
# Tracking can subscribe to turn clicks into touchpoints; receivers must be cheap or schedule a task.
link_clicked = Signal()

# Sent after commit when a registrant is checked in at an event session, with:
#   registration_id: int, session_id: int, campaign_id: int, contact_id: int | None,
#   checked_in_at: datetime (aware)
# Tracking can subscribe to record an "event attended" touchpoint for the contact.
attendee_checked_in = Signal()
