"""Background work of the handoff. Every task is idempotent: routing skips contacts that already hold
an open lead, a breach is recorded and escalated once."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accord.handoff import routing, sla


@db_task()
def route_contacts_task(contact_ids: list[int]) -> None:
    """Route MQLs (after their stage change)."""
    routing.route_contacts(contact_ids)


@db_periodic_task(crontab(minute="*/5"))
def sla_check_task() -> None:
    """Record and escalate SLA breaches; route MQLs still waiting (no rep had room, or no rule matched)."""
    sla.evaluate_breaches()
    pending = routing.pending_mqls()
    if pending:
        routing.route_contacts(pending)
