"""Activity kinds: validated details (422 field by field), completing, lists and the week calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accord.core.errors import Conflict, Invalid
from accord.sales import actions
from accord.sales.models import Activity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "details", "field"),
    [
        ("call", {"outcome": "hung_up"}, "details.outcome"),
        ("call", {"duration_minutes": -5}, "details.duration_minutes"),
        ("call", {"duration_minutes": "ten"}, "details.duration_minutes"),
        ("objection", {"category": "weather"}, "details.category"),
        ("objection", {}, "details.category"),
        ("objection", {"category": "price", "handled": "maybe"}, "details.handled"),
        ("meeting", {"status": "cancelled"}, "details.status"),
        ("feature_request", {"theme": "  "}, "details.theme"),
        ("note", {"outcome": "connected"}, "details.outcome"),
    ],
)
def test_bad_details_are_422_through_the_api(ae, api_client_for, kind, details, field):
    api = api_client_for(ae)
    response = api.post(
        "/api/sales/activities",
        {"kind": kind, "subject": "x", "details": details},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["field_errors"]
    assert not Activity.objects.exists()


def test_good_details_are_stored(ae, pipeline, api_client_for):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, amount=12000, owner=ae)
    api = api_client_for(ae)
    body = {
        "kind": "call", "subject": "Intro", "done": True, "deal": deal.pk,
        "details": {"outcome": "left_voicemail", "duration_minutes": 0},
    }  # fmt: skip
    response = api.post("/api/sales/activities", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["details"] == {"outcome": "left_voicemail", "duration_minutes": 0}
    objection = actions.log_activity(
        kind="objection",
        subject="Too pricey",
        owner=ae,
        deal=deal,
        details={"category": "price", "handled": True},
    )
    assert objection.details == {"category": "price", "handled": True}
    demo = actions.log_activity(
        kind="demo", subject="Demo", owner=ae, due_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert demo.details == {"status": "scheduled"} and demo.done_at is None
    request = actions.log_activity(
        kind="feature_request", subject="SSO", owner=ae, deal=deal, details={"theme": "Security"}
    )
    assert request.details == {"theme": "Security"}


def test_unknown_kind_and_missing_task_due_date(ae, api_client_for, client):
    with pytest.raises(Invalid):
        actions.log_activity(kind="fax", subject="x", owner=ae)
    response = api_client_for(ae).post(
        "/api/sales/activities", {"kind": "task", "subject": "x"}, content_type="application/json"
    )
    assert response.status_code == 422 and "due_at" in response.json()["field_errors"]
    client.force_login(ae)
    page = client.post(reverse("sales:activity_create"), {"kind": "task", "subject": "x"})
    assert page.status_code == 422 and "A task needs a due date." in page.content.decode()
    assert not Activity.objects.exists()


def test_complete_a_task_and_a_demo(ae):
    task = actions.log_activity(
        kind="task", subject="Send deck", owner=ae, due_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    actions.complete_activity(task, by=ae)
    assert Activity.objects.get(pk=task.pk).done_at is not None
    with pytest.raises(Conflict):
        actions.complete_activity(task, by=ae)
    demo = actions.log_activity(
        kind="demo", subject="Demo", owner=ae, due_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    actions.complete_activity(demo, by=ae, status="no_show")
    assert Activity.objects.get(pk=demo.pk).details["status"] == "no_show"


def test_api_complete_and_forbidden_for_others(ae, ae2, api_client_for):
    task = actions.log_activity(
        kind="task", subject="Send deck", owner=ae, due_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    url = f"/api/sales/activities/{task.pk}/complete"
    assert api_client_for(ae2).post(url, {}, content_type="application/json").status_code == 403
    response = api_client_for(ae).post(url, {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["done_at"]
    assert api_client_for(ae).post(url, {}, content_type="application/json").status_code == 409
    assert (
        api_client_for(ae)
        .post("/api/sales/activities/999999/complete", {}, content_type="application/json")
        .status_code
        == 404
    )


def test_activity_list_filters_and_week_calendar(client, ae, ae2):
    now = datetime(2025, 5, 7, 12, 0, tzinfo=UTC)  # a Wednesday
    with time_machine.travel(now, tick=False):
        actions.log_activity(kind="task", subject="Overdue one", owner=ae, due_at=now - timedelta(days=1))
        actions.log_activity(kind="task", subject="Upcoming one", owner=ae, due_at=now + timedelta(days=1))
        actions.log_activity(kind="note", subject="Done one", owner=ae, done_at=now)
        actions.log_activity(
            kind="task", subject="Bob's <b>task</b>", owner=ae2, due_at=now + timedelta(days=1)
        )
        actions.log_activity(kind="task", subject="Call in 7 days", owner=ae, due_at=now + timedelta(days=7))
        client.force_login(ae)
        url = reverse("sales:activity_list")
        page = client.get(url, {"show": "overdue"}).content.decode()
        assert "Overdue one" in page and "Upcoming one" not in page
        page = client.get(url, {"show": "upcoming"}).content.decode()
        assert "Upcoming one" in page and "Overdue one" not in page and "Bob" not in page
        page = client.get(url, {"show": "done"}).content.decode()
        assert "Done one" in page and "Upcoming one" not in page
        page = client.get(url, {"show": "upcoming", "mine": "0"}).content.decode()
        assert "Bob&#x27;s &lt;b&gt;task&lt;/b&gt;" in page
        week = client.get(reverse("sales:activity_calendar")).content.decode()
        assert "Week of May 5" in week and "Overdue one" in week and "Call in 7 days" not in week
        assert "Mon 5 May" in week and "Sun 11 May" in week
        nxt = client.get(reverse("sales:activity_calendar"), {"week": "2025-05-14"}).content.decode()
        assert "Week of May 12" in nxt and "Call in 7 days" in nxt and "Overdue one" not in nxt
        assert client.get(reverse("sales:activity_calendar"), {"week": "garbage"}).status_code == 200


def test_timeline_shows_kind_details(ae, client):
    from accord.contacts.actions import create_contact

    ada = create_contact(email="ada@example.test", first_name="Ada")
    actions.log_activity(
        kind="objection",
        subject="Wants SSO",
        owner=ae,
        contact=ada,
        details={"category": "feature_gap", "handled": False},
    )
    client.force_login(ae)
    page = client.get(ada.get_absolute_url()).content.decode()
    assert "Objection: Wants SSO" in page
    assert "Category: Feature gap; Handled: No" in page
