"""Script in what visitors send (field values, referrer, page URL, user agent) is shown escaped on
every page that displays it: the form's submissions and consent evidence, the contact page and
its timeline, the contact list and the campaign page. Values also arrive through the tracking
API (/v1/page), the real ingest path for referrers, URLs and user agents."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.test import Client

from accord.campaigns.actions import add_utm_rule, create_campaign
from accord.contacts.models import Contact
from accord.tracking.actions import create_write_key
from accord.tracking.models import Touchpoint
from accord.webforms.models import Submission
from accord.webforms.tests.fixtures import Visitor, make_form, standard_fields

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMG_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
RAW = (SCRIPT, "<img src=x onerror=alert(1)>")


def _assert_safe(html: str, *, shown: tuple[str, ...] = ()) -> None:
    for raw in RAW:
        assert raw not in html
    for escaped in shown:
        assert escaped in html


@pytest.fixture
def hostile(users):
    campaign = create_campaign(name="Spring push", channel="social", by=users["marketer"])
    add_utm_rule(campaign, source="linkedin", medium="paid")
    form = make_form(users["marketer"], fields=standard_fields())
    visitor = Visitor(user_agent=f"Mozilla/5.0 {SCRIPT}")
    visitor.client.cookies["accord_aid"] = "anon-xss"
    response = visitor.submit(
        form,
        {
            "email": "mallory@evil.example",
            "first_name": SCRIPT,
            "last_name": IMG,
            "company_name": IMG,
            "page_url": f"https://acme.example/?utm_source=linkedin&utm_medium=paid&q={IMG}",
            "referrer": f"https://ref.example/{SCRIPT}",
        },  # fmt: skip
    )
    assert response.status_code == 303
    # the same visitor's page view, through the tracking API with a write key
    key = create_write_key("Site").secret
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    event = {
        "type": "page", "messageId": str(uuid.uuid4()), "anonymousId": "anon-xss", "name": SCRIPT,
        "context": {"page": {"url": f"https://acme.example/{IMG}", "referrer": f"https://r.example/{SCRIPT}"},
                    "userAgent": IMG, "campaign": {"source": "linkedin", "medium": "paid"}},
    }  # fmt: skip
    ingest = Client().post(
        "/v1/page", json.dumps(event), content_type="application/json", HTTP_AUTHORIZATION=auth
    )
    assert ingest.status_code == 200, ingest.content
    contact = Contact.objects.get()
    assert Touchpoint.objects.filter(contact=contact).count() == 2
    return {"form": form, "contact": contact, "campaign": campaign, "submission": Submission.objects.get()}


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_form_pages_escape_everything(users, hostile):
    manager = users["marketing_manager"]
    form, submission = hostile["form"], hostile["submission"]
    _assert_safe(_page(manager, f"/forms/{form.pk}/"), shown=(SCRIPT_ESCAPED, IMG_ESCAPED))
    detail = _page(manager, f"/forms/{form.pk}/submissions/{submission.pk}/")
    _assert_safe(detail, shown=(SCRIPT_ESCAPED, IMG_ESCAPED, f"https://ref.example/{SCRIPT_ESCAPED}",
                                f"Mozilla/5.0 {SCRIPT_ESCAPED}"))  # fmt: skip


def test_contact_pages_and_campaign_page_escape_everything(users, hostile):
    manager = users["marketing_manager"]
    contact, campaign = hostile["contact"], hostile["campaign"]
    assert contact.first_name == SCRIPT
    _assert_safe(_page(manager, f"/contacts/{contact.pk}/"), shown=(SCRIPT_ESCAPED, IMG_ESCAPED))
    _assert_safe(_page(manager, "/contacts/"), shown=(SCRIPT_ESCAPED,))
    _assert_safe(_page(manager, f"/campaigns/{campaign.pk}/"))


def test_hosted_form_escapes_what_it_echoes(users):
    form = make_form(users["marketer"])
    page = Visitor().open(
        form, f"?utm_source={IMG}&utm_campaign={SCRIPT}", Referer=f"https://x.example/{IMG}"
    )
    _assert_safe(page.content.decode(), shown=(IMG_ESCAPED, SCRIPT_ESCAPED))
    invalid = Visitor().submit(form, {"email": "bad", "first_name": IMG, "last_name": SCRIPT})
    assert invalid.status_code == 422
    _assert_safe(invalid.content.decode(), shown=(IMG_ESCAPED, SCRIPT_ESCAPED))
