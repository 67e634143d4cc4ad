"""The official Segment Python library, pointed at Accord, delivers to the right contact's timeline.

Uses pytest-django's ``live_server`` (a real HTTP server on loopback) and the
``segment-analytics-python`` package, unchanged: only its host and write key are set.
"""

from __future__ import annotations

import pytest

from accord.contacts.models import Contact
from accord.core import timeline
from accord.tracking.actions import create_write_key
from accord.tracking.models import Touchpoint

analytics = pytest.importorskip("segment.analytics")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _close_keepalive_connections():
    """The library keeps one module-level HTTP session; close its connections before the live
    server stops, so no server thread is left reading from a socket that goes away."""
    yield
    analytics.request._session.close()


@pytest.fixture
def client(live_server):
    key = create_write_key("Python backend").secret
    errors: list[Exception] = []
    c = analytics.Client(
        write_key=key,
        host=live_server.url,
        sync_mode=True,
        max_retries=0,
        on_error=lambda e, batch: errors.append(e),
    )
    c.errors = errors
    return c


def test_identify_track_and_page_arrive_on_the_contacts_timeline(client):
    client.page(anonymous_id="visitor-1", name="Pricing", properties={"url": "https://acme.test/pricing"})
    client.identify(
        user_id="user-42", anonymous_id="visitor-1", traits={"email": "Jo@Example.org", "firstName": "Jo"}
    )
    client.track(user_id="user-42", event="Trial Started", properties={"plan": "team"})
    client.page(user_id="user-42", name="Docs")
    assert client.errors == []

    contact = Contact.objects.get()
    assert (contact.email, contact.first_name) == ("jo@example.org", "Jo")
    assert Touchpoint.objects.filter(contact=contact).count() == 4
    titles = [entry.title for entry in timeline.for_contact(contact.pk)]
    assert "Custom event: Trial Started" in titles
    assert "Page view: Pricing" in titles
    assert "Page view: Docs" in titles
    tp = Touchpoint.objects.get(name="Trial Started")
    assert tp.properties == {"plan": "team"}
    assert tp.context["library"]["name"] == "analytics-python"


def test_library_retries_do_not_duplicate(client):
    client.track(anonymous_id="a", event="Clicked", message_id="fixed-id")
    client.track(anonymous_id="a", event="Clicked", message_id="fixed-id")
    assert Touchpoint.objects.filter(message_id="fixed-id").count() == 1


def test_a_wrong_key_is_reported_to_the_library(live_server):
    bad = analytics.Client(write_key="wk_not_a_real_key_000000000", host=live_server.url, sync_mode=True)
    with pytest.raises(analytics.request.APIError) as caught:  # sync mode raises; async calls on_error
        bad.track(anonymous_id="a", event="x")
    assert caught.value.status == 401
    assert caught.value.code == "unauthorized"
    assert not Touchpoint.objects.exists()


def test_the_background_consumer_delivers_too(live_server):
    key = create_write_key("Async backend").secret
    errors: list[Exception] = []
    c = analytics.Client(write_key=key, host=live_server.url, on_error=lambda e, batch: errors.append(e))
    for i in range(25):
        c.track(anonymous_id=f"a{i % 3}", event="Clicked", properties={"i": i})
    c.shutdown()  # flushes the queue and joins the consumer thread
    assert errors == []
    assert Touchpoint.objects.count() == 25
