"""The website snippet in a real browser: page views with UTM codes, the anonymous-id cookie,
and the identify a form submit sends, all arriving at Accord.

The "website" is a page on another origin (``localhost``) than Accord's live server
(``127.0.0.1``), as a customer's site would be, so the cross-origin path is what is tested.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from accord.campaigns.models import Campaign, Channel
from accord.contacts.models import Contact
from accord.tracking.actions import create_write_key
from accord.tracking.models import Touchpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITE = """<!doctype html><html><head><title>Acme pricing</title>
<script async src="{accord}/t/accord.js" data-write-key="{key}"></script></head>
<body><h1>Pricing</h1>
<form action="/site/thanks" method="post">
  <input type="email" name="email" aria-label="Email">
  <input type="text" name="first_name" aria-label="First name">
  <input type="password" name="password" aria-label="Password">
  <button type="submit">Get the whitepaper</button>
</form></body></html>"""


def _wait_for(query, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if query():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the events to arrive")


def test_snippet_sends_page_views_and_identifies_on_form_submit(live_server, page):
    campaign = Campaign.objects.create(name="Spring", channel=Channel.EMAIL, utm_campaign="spring")
    key = create_write_key("Website").secret
    port = urlsplit(live_server.url).port
    site = f"http://localhost:{port}/site"
    html = SITE.format(accord=live_server.url, key=key)

    def serve_site(route):
        body = html if route.request.url.split("?")[0].endswith("/pricing") else "<p>Thanks!</p>"
        route.fulfill(status=200, content_type="text/html", body=body)

    page.route(f"{site}/**", serve_site)
    page.goto(f"{site}/pricing?utm_campaign=spring&utm_source=newsletter&utm_medium=email")
    _wait_for(lambda: Touchpoint.objects.filter(type="page").exists())

    view = Touchpoint.objects.get(type="page")
    cookie = {c["name"]: c for c in page.context.cookies()}["accord_aid"]
    assert view.anonymous_id == cookie["value"]
    assert cookie["sameSite"] == "Lax"
    assert cookie["expires"] > time.time() + 360 * 24 * 3600
    assert view.name == "Acme pricing"
    assert view.context["page"]["path"] == "/site/pricing"
    assert view.context["campaign"] == {"name": "spring", "source": "newsletter", "medium": "email"}
    assert view.campaign == campaign
    assert view.contact is None

    page.get_by_label("Email").fill("Visitor@Acme.example")
    page.get_by_label("First name").fill("Vi")
    page.get_by_label("Password").fill("secret-never-sent")
    page.get_by_role("button", name="Get the whitepaper").click()
    page.wait_for_url(f"{site}/thanks")
    _wait_for(lambda: Contact.objects.exists())

    contact = Contact.objects.get()
    assert (contact.email, contact.first_name) == ("visitor@acme.example", "Vi")
    identify = Touchpoint.objects.get(type="identify")
    assert identify.anonymous_id == view.anonymous_id
    assert "password" not in str(identify.properties)
    view.refresh_from_db()
    assert view.contact == contact  # the anonymous page view joined the contact
