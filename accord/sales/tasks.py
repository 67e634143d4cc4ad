"""Periodic sales work: reminders for tasks that have come due (idempotent: once per task)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from accord.sales.actions import send_due_reminders


@db_periodic_task(crontab(minute="*/5"))
def remind_due_tasks() -> int:
    """Notify each owner once about tasks now due; safe to run concurrently or twice."""
    return send_due_reminders()
