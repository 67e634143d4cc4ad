"""Background work of the accounts app."""

from __future__ import annotations

from huey.contrib.djhuey import task

from accord.accounts import notifications


@task(retries=3, retry_delay=30)
def email_notifications(ids: list[int]) -> int:
    return notifications.send_emails(ids)
