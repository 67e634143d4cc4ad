"""Double opt-in through a real SMTP server: the email, the confirmation, an expired link, reuse."""

from __future__ import annotations

import re

import pytest

from accord.contacts.models import Contact
from accord.tracking.models import Touchpoint
from accord.webforms.models import ConsentRecord, Submission
from accord.webforms.tests.fixtures import Visitor, make_form

pytestmark = pytest.mark.django_db(transaction=True)

VALUES = {"email": "grace@hopper.example", "first_name": "Grace"}
LINK = re.compile(r"(http://testserver\S+/confirm/\S+/)")


def _link(smtp, address: str, n: int = -1) -> str:
    messages = smtp.to(address)
    assert messages, "no email arrived"
    match = LINK.search(smtp.body(messages[n]))
    assert match, smtp.body(messages[n])
    return match.group(1).removeprefix("http://testserver")


@pytest.fixture
def newsletter(users, settings):
    settings.ACCORD_BASE_URL = "http://testserver"
    return make_form(users["marketer"], name="Newsletter", newsletter_only=True, double_opt_in=True,
                     consent_text="Send me the monthly RevOps newsletter.")  # fmt: skip


def test_email_arrives_and_link_confirms(smtp, newsletter):
    visitor = Visitor()
    response = visitor.submit(newsletter, VALUES)
    thanks = visitor.client.get(response["Location"])
    assert b"Check your inbox" in thanks.content
    # nothing counts before the confirmation
    assert not Contact.objects.exists() and not Touchpoint.objects.exists()
    assert ConsentRecord.objects.get().status == "pending"

    message = smtp.to("grace@hopper.example")[0]
    assert message["Subject"] == "Please confirm: Newsletter"
    link = _link(smtp, "grace@hopper.example")
    page = visitor.client.get(link)
    assert page.status_code == 200 and b"Confirm my email" in page.content
    assert not Contact.objects.exists()  # opening the link (a mail scanner) confirms nothing

    done = visitor.client.post(link)
    assert done.status_code == 200 and b"Your email is confirmed" in done.content
    contact = Contact.objects.get()
    assert contact.lifecycle_stage == "subscriber"
    consent = ConsentRecord.objects.get()
    assert consent.status == "confirmed" and consent.confirmed_at is not None and consent.contact == contact
    assert Touchpoint.objects.get().type == "form_submit"

    again = visitor.client.post(link)
    assert again.status_code == 200 and b"Already confirmed" in again.content
    assert Touchpoint.objects.count() == 1 and Contact.objects.count() == 1
    assert len(smtp.to("grace@hopper.example")) == 1


def test_expired_link_changes_nothing_and_offers_a_new_one(smtp, newsletter, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)
    visitor = Visitor()
    visitor.submit(newsletter, VALUES)
    link = _link(smtp, "grace@hopper.example")
    time_machine.move_to("2026-03-04 10:00:01+00:00", tick=False)  # 48 h and a second later

    for response in (visitor.client.get(link), visitor.client.post(link)):
        assert response.status_code == 410
        assert b"This confirmation link has expired" in response.content
        assert b"Send me a new link" in response.content
    assert not Contact.objects.exists() and not Touchpoint.objects.exists()
    assert ConsentRecord.objects.get().status == "pending"
    assert Submission.objects.get().status == "pending"

    resent = visitor.client.post(link + "new-link/")
    assert resent.status_code == 200 and b"We sent you a new link" in resent.content
    assert len(smtp.to("grace@hopper.example")) == 2
    fresh = _link(smtp, "grace@hopper.example", -1)
    assert fresh != link
    assert visitor.client.post(fresh).status_code == 200
    assert Contact.objects.get().lifecycle_stage == "subscriber"


def test_lead_form_with_double_opt_in_makes_a_lead_and_delivers_the_asset(smtp, users, settings):
    settings.ACCORD_BASE_URL = "http://testserver"
    form = make_form(users["marketer"], double_opt_in=True, asset_url="https://cdn.example/r.pdf")
    visitor = Visitor()
    thanks = visitor.client.get(visitor.submit(form, {**VALUES, "first_name": "Grace"})["Location"])
    assert thanks.context["download_url"] == ""  # no asset before the confirmation
    done = visitor.client.post(_link(smtp, "grace@hopper.example"))
    assert Contact.objects.get().lifecycle_stage == "lead"
    assert visitor.client.get(done.context["download_url"]).status_code == 302


def test_forged_confirmation_link_is_not_found(newsletter):
    assert Visitor().client.get(f"/forms/f/{newsletter.slug}/confirm/abc:def/").status_code == 404
