"""Due tasks notify their owner once, in the app and by email through a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accord.accounts.models import Notification
from accord.sales import actions
from accord.sales.tasks import remind_due_tasks

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def test_a_due_task_notifies_its_owner_once(ae, ae2, smtp):
    with time_machine.travel(T0, tick=False):
        due = actions.log_activity(
            kind="task", subject="Send the order form", owner=ae, due_at=T0 + timedelta(hours=1)
        )
        actions.log_activity(kind="task", subject="Later", owner=ae, due_at=T0 + timedelta(days=3))
        actions.log_activity(
            kind="task", subject="Done already", owner=ae2, due_at=T0, done_at=T0 - timedelta(minutes=5)
        )
        assert remind_due_tasks.call_local() == 0  # nothing due yet
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert remind_due_tasks.call_local() == 1
        assert remind_due_tasks.call_local() == 0  # a second run sends nothing
        assert actions.send_due_reminders() == 0
    mails = smtp.to(ae.email)
    assert len(mails) == 1
    assert mails[0]["Subject"] == "[Accord] Task due: Send the order form"
    assert "Send the order form" in smtp.body(mails[0])
    assert smtp.to(ae2.email) == []
    notes = Notification.objects.filter(user=ae, kind="task_due")
    assert [n.key for n in notes] == [f"task_due:{due.pk}"]
    due.refresh_from_db()
    assert due.reminded_at == T0 + timedelta(hours=2)
