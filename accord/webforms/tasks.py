"""Background work of the webforms app. Tasks are idempotent: a retry never sends twice."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from accord.webforms import submit


@db_task(retries=3, retry_delay=30)
def send_confirmation(submission_id: int, n: int) -> bool:
    """Email the double opt-in link (confirmation email number ``n`` of the submission)."""
    return submit.send_confirmation_email(submission_id, n)
