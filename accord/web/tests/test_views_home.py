"""The home dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role
from accord.contacts.actions import create_contact
from accord.sales.actions import log_activity
from accord.web import dashboard

pytestmark = pytest.mark.django_db
HOME = reverse("web:home")


@pytest.fixture
def sdr(users):
    return users[Role.SDR]


@pytest.fixture
def client_sdr(client, sdr):
    client.force_login(sdr)
    return client


def test_empty_workspace_shows_empty_states(client_sdr):
    html = client_sdr.get(HOME).content.decode()
    assert "No contacts yet" in html
    assert "You're all caught up" in html


def test_contacts_by_stage_is_one_group_by_query(django_assert_num_queries):
    for i in range(3):
        create_contact(email=f"l{i}@example.test", lifecycle_stage="lead")
    create_contact(email="c@example.test", lifecycle_stage="customer")
    with django_assert_num_queries(1):
        rows = {row.stage: row for row in dashboard.contacts_by_stage()}
    assert rows["lead"].count == 3 and rows["lead"].percent == 100
    assert rows["customer"].count == 1 and rows["customer"].percent == 33
    assert rows["mql"].count == 0 and rows["mql"].percent == 0
    assert list(rows)[:3] == ["subscriber", "lead", "mql"]


def test_home_shows_stage_bars_open_activities_and_recent_contacts(client_sdr, sdr, users):
    ada = create_contact(
        email="ada@example.test", first_name="Ada", last_name="Lovelace", lifecycle_stage="mql"
    )
    log_activity(
        kind="call", subject="Call Ada", owner=sdr, contact=ada, due_at=timezone.now() - timedelta(hours=1)
    )
    log_activity(kind="task", subject="Send deck", owner=sdr, due_at=timezone.now() + timedelta(days=1))
    log_activity(kind="task", subject="Already done", owner=sdr, done_at=timezone.now())
    log_activity(kind="task", subject="Someone else's", owner=users[Role.ACCOUNT_EXECUTIVE])
    html = client_sdr.get(HOME).content.decode()
    assert 'href="/contacts/?stage=mql">Marketing qualified lead</a>' in html
    assert 'style="width: 100%"' in html
    assert "Call Ada" in html and "Send deck" in html
    assert html.index("Call Ada") < html.index("Send deck")  # soonest due first
    assert "overdue" in html
    assert "Already done" not in html and "Someone else" not in html
    assert '<span class="count-pill">2</span>' in html
    assert "Ada Lovelace" in html  # recent contacts
