"""Acceptance tests in Chromium: a visitor fills the hosted form from a campaign link; the same
form embedded (iframe) in a page served by another origin; and hostile values shown on the
contact page without any script running."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from accord.campaigns.actions import add_utm_rule, create_campaign
from accord.contacts.models import Contact
from accord.tracking.actions import record_touchpoint
from accord.tracking.models import Touchpoint
from accord.webforms.models import ConsentRecord, Submission
from accord.webforms.tests.fixtures import CONSENT, Visitor, make_form
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(users: dict[str, Any]) -> Any:
    campaign = create_campaign(name="RevOps report — LinkedIn", channel="social", by=users["marketer"],
                               utm_campaign="revops-2026")  # fmt: skip
    add_utm_rule(campaign, source="linkedin", medium="paid", name="revops-2026")
    return campaign


def _fill(target: Any) -> None:
    target.get_by_label("Work email").fill("Ada.Lovelace@Acme.example")
    target.get_by_label("First name").fill("Ada")
    target.get_by_label("Last name").fill("Lovelace")
    target.get_by_label("Company").fill("Acme")
    target.get_by_label(CONSENT).check()
    target.get_by_role("button", name="Get the report").click()


def test_visitor_fills_the_hosted_form_from_a_campaign_link(live_server, page, users, campaign):
    form = make_form(users["marketer"], submit_label="Get the report", asset_url="https://cdn.example/r.pdf")
    url = (
        f"{live_server.url}/forms/f/{form.slug}/?utm_source=linkedin&utm_medium=paid&utm_campaign=revops-2026"
    )
    page.goto(url)
    # a required field left empty: the browser's own check or ours, nothing is stored
    page.get_by_label("Work email").fill("not-an-email")
    page.get_by_role("button", name="Get the report").click()
    assert not Contact.objects.exists()
    page.goto(url)
    _fill(page)
    page.get_by_test_id("thanks").wait_for()
    assert page.get_by_test_id("download-link").is_visible()

    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.last_name) == (
        "ada.lovelace@acme.example",
        "Ada",
        "Lovelace",
    )
    assert contact.lifecycle_stage == "lead"
    consent = ConsentRecord.objects.get()
    assert consent.wording.version == 1 and consent.ip == "127.0.0.1" and consent.given_at
    assert "HeadlessChrome" in consent.user_agent or "Chrome" in consent.user_agent
    touch = Touchpoint.objects.get(type="form_submit")
    assert touch.contact == contact and touch.campaign == campaign


class _Site(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def customer_site() -> Iterator[tuple[str, type[_Site]]]:
    """A plain local HTTP server: the customer's website, on another origin than Accord."""
    handler = type("Site", (_Site,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_embedded_form_on_another_origin(live_server, page, users, campaign, customer_site):
    site, handler = customer_site
    form = make_form(users["marketer"], submit_label="Get the report")
    handler.html = (
        "<!doctype html><html><head><title>Acme report</title></head><body><h1>The 2026 RevOps report</h1>"
        f'<div data-accord-form="{form.slug}"></div>'
        f'<script async src="{live_server.url}/forms/embed.js"></script></body></html>'
    ).encode()
    earlier = record_touchpoint(
        type="page", occurred_at=timezone.now(), anonymous_id="aid-embed-1", name="Pricing"
    )
    page.context.add_cookies([{"name": "accord_aid", "value": "aid-embed-1", "url": site}])
    page.goto(f"{site}/report?utm_source=linkedin&utm_medium=paid&utm_campaign=revops-2026")
    frame = page.frame_locator("iframe[title='Form']")
    _fill(frame)
    frame.get_by_test_id("thanks").wait_for()

    submission = Submission.objects.get()
    assert (
        submission.page_url == f"{site}/report?utm_source=linkedin&utm_medium=paid&utm_campaign=revops-2026"
    )
    assert submission.campaign == campaign and submission.anonymous_id == "aid-embed-1"
    contact = Contact.objects.get()
    earlier.refresh_from_db()
    assert earlier.contact == contact  # the anonymous page view joined the contact
    assert page.evaluate("document.querySelector('iframe').offsetHeight") > 150


def test_hostile_values_fire_no_dialog_on_the_contact_and_form_pages(live_server, page, users):
    form = make_form(users["marketer"])
    Visitor(user_agent='"><img src=x onerror=alert(1)>').submit(
        form,
        {
            "email": "mallory@evil.example",
            "first_name": "<script>alert(1)</script>",
            "last_name": '"><img src=x onerror=alert(1)>',
            "page_url": "https://x.example/<script>alert(1)</script>",
            "referrer": '"><img src=x onerror=alert(1)>',
        },  # fmt: skip
    )
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    sign_in(page, f"{live_server.url}/", "marketing_manager")
    contact = Contact.objects.get()
    submission = Submission.objects.get()
    for path in (f"/contacts/{contact.pk}/", "/contacts/", f"/forms/{form.pk}/",
                 f"/forms/{form.pk}/submissions/{submission.pk}/"):  # fmt: skip
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
    assert page.get_by_text("<script>alert(1)</script>").first.is_visible()
    assert dialogs == []
