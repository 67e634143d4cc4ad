"""In-app notifications with an email copy through a real SMTP server."""

from __future__ import annotations

import pytest
from django.db import transaction

from accord.accounts.models import Notification, Role
from accord.accounts.notifications import mark_read, notify, unread_count

pytestmark = pytest.mark.django_db(transaction=True)


def test_notify_stores_a_notice_and_emails_it_after_commit(make_user, smtp):
    rep = make_user(Role.SDR)
    with transaction.atomic():
        ids = notify([rep], kind="lead_assigned", title="New lead: Ada", body="Call her.", url="/leads/1/")
        assert len(ids) == 1
        assert smtp.messages == []  # nothing leaves before commit
    [msg] = smtp.to(rep.email)
    assert msg["Subject"] == "[Accord] New lead: Ada"
    assert "Call her." in smtp.body(msg) and "/leads/1/" in smtp.body(msg)
    note = Notification.objects.get(pk=ids[0])
    assert note.emailed_at is not None and note.read_at is None
    assert unread_count(rep) == 1


def test_rolled_back_notice_sends_nothing(make_user, smtp):
    rep = make_user(Role.SDR)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([rep], kind="x", title="Never")
        raise RuntimeError
    assert smtp.messages == [] and not Notification.objects.exists()


def test_a_key_makes_the_notice_fire_once(make_user, smtp):
    manager = make_user(Role.SALES_MANAGER)
    assert len(notify([manager], kind="sla_breach", title="SLA breached", key="sla:7:first_touch")) == 1
    assert notify([manager], kind="sla_breach", title="SLA breached", key="sla:7:first_touch") == []
    assert Notification.objects.filter(user=manager).count() == 1
    assert len(smtp.to(manager.email)) == 1


def test_inactive_users_are_skipped_and_mark_read(make_user, smtp):
    rep, gone = make_user(Role.SDR), make_user(Role.SDR)
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()
    notify([rep, gone, None], kind="x", title="A", email=False)
    notify([rep], kind="x", title="B", email=False)
    assert Notification.objects.filter(user=gone).count() == 0
    assert smtp.messages == []
    assert unread_count(rep) == 2
    first = Notification.objects.filter(user=rep).order_by("pk").first()
    assert first is not None
    assert mark_read(rep, [first.pk]) == 1 and unread_count(rep) == 1
    assert mark_read(rep) == 1 and unread_count(rep) == 0


def test_notification_page_lists_escapes_and_marks_read(client, make_user):
    rep, other = make_user(Role.SDR), make_user(Role.SDR)
    notify([rep], kind="x", title="<script>alert(1)</script>", email=False)
    notify([other], kind="x", title="Someone else's", email=False)
    client.force_login(rep)
    html = client.get("/account/notifications/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "Someone else" not in html
    assert 'data-testid="unread-count">1<' in html
    assert client.post("/account/notifications/").status_code == 302
    html = client.get("/account/notifications/").content.decode()
    assert 'data-testid="unread-count"' not in html
