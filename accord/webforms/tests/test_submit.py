"""A visitor's submission of the hosted form: contact, consent evidence, touchpoint, campaign,
stage, anonymous id, and what is refused (validation, honeypot, rate limit)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accord.campaigns.actions import add_utm_rule, create_campaign
from accord.contacts.actions import create_contact, set_contact_stage
from accord.contacts.models import Contact
from accord.lifecycle.models import StageChange
from accord.tracking.actions import record_touchpoint
from accord.tracking.models import Touchpoint
from accord.tracking.signals import touchpoints_ingested
from accord.webforms.models import ConsentRecord, Submission, SubmissionAttempt
from accord.webforms.tests.fixtures import CONSENT, Visitor, make_form

pytestmark = pytest.mark.django_db(transaction=False)

UTM = "?utm_source=linkedin&utm_medium=paid&utm_campaign=Q2-Report"
VALUES = {
    "email": "  Ada.Lovelace@Acme.example ",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "company_name": "Acme",
}


@pytest.fixture
def campaign(users: dict[str, Any]) -> Any:
    campaign = create_campaign(name="Q2 report on LinkedIn", channel="social", by=users["marketer"])
    add_utm_rule(campaign, source="linkedin", medium="paid", name="q2-report")
    return campaign


def _nothing_written() -> None:
    assert not Contact.objects.exists()
    assert not Touchpoint.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not Submission.objects.exists()
    assert not StageChange.objects.exists()


def test_submission_creates_contact_consent_touchpoint_and_lead(
    users, campaign, django_capture_on_commit_callbacks
):
    form = make_form(users["marketer"])
    received: list[dict[str, Any]] = []

    def on_ingest(**kw: Any) -> None:
        received.append(kw)

    touchpoints_ingested.connect(on_ingest, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = Visitor(ip="203.0.113.5", user_agent="Mozilla/5.0 UnitTest").submit(
                form, VALUES, query=UTM, HTTP_REFERER="https://www.linkedin.com/"
            )
    finally:
        touchpoints_ingested.disconnect(on_ingest)
    assert response.status_code == 303
    assert "/thanks/" in response["Location"]

    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.last_name) == (
        "ada.lovelace@acme.example",
        "Ada",
        "Lovelace",
    )
    assert contact.company is not None and contact.company.domain == "acme.example"
    assert contact.lifecycle_stage == "lead"
    history = StageChange.objects.filter(contact=contact).order_by("id")
    assert list(history.values_list("from_stage", "to_stage", "rule")) == [
        ("", "subscriber", "form"),
        ("subscriber", "lead", "form"),
    ]

    consent = ConsentRecord.objects.get()
    assert consent.contact == contact
    assert consent.wording.version == 1 and consent.wording.text == CONSENT
    assert consent.ip == "203.0.113.5" and consent.user_agent == "Mozilla/5.0 UnitTest"
    assert consent.status == "confirmed" and consent.given_at is not None
    assert consent.source_url.endswith(f"/forms/f/{form.slug}/{UTM}")

    touch = Touchpoint.objects.get()
    assert touch.type == "form_submit" and touch.contact == contact and touch.campaign == campaign
    assert touch.context["campaign"] == {"source": "linkedin", "medium": "paid", "campaign": "Q2-Report"}
    submission = Submission.objects.get()
    assert submission.utm["utm_campaign"] == "Q2-Report" and submission.campaign == campaign

    assert received == [{"signal": touchpoints_ingested, "sender": Touchpoint, "contact_ids": [contact.pk],
                         "event_types": ["form_submit"], "stored": 1}]  # fmt: skip

    thanks = Visitor().client.get(response["Location"])
    assert thanks.status_code == 200 and b"Thank you" in thanks.content


def test_default_campaign_when_utm_matches_nothing(users, campaign):
    form = make_form(users["marketer"], default_campaign=campaign)
    Visitor().submit(form, VALUES, query="?utm_source=unknown")
    assert Touchpoint.objects.get().campaign == campaign


def test_existing_contact_found_case_insensitively_and_blanks_filled_only(users):
    existing = create_contact(email="ada.lovelace@acme.example", first_name="Augusta")
    form = make_form(users["marketer"])
    Visitor().submit(form, {**VALUES, "email": "ADA.LOVELACE@ACME.EXAMPLE"})
    existing.refresh_from_db()
    assert Contact.objects.count() == 1
    assert existing.first_name == "Augusta"  # a visitor's value never overwrites
    assert existing.last_name == "Lovelace"  # but fills a blank
    assert Submission.objects.get().contact == existing


def test_anonymous_page_views_join_the_contact(users):
    earlier = record_touchpoint(
        type="page", occurred_at=timezone.now(), anonymous_id="aid-123", name="Pricing"
    )
    form = make_form(users["marketer"])
    visitor = Visitor()
    visitor.client.cookies["accord_aid"] = "aid-123"
    visitor.submit(form, VALUES)
    earlier.refresh_from_db()
    contact = Contact.objects.get()
    assert earlier.contact == contact
    assert contact.identities.filter(kind="anonymous_id", value="aid-123").exists()


@pytest.mark.parametrize(
    ("data", "consent", "field", "message"),
    [
        ({**VALUES, "first_name": ""}, True, "first_name", b"First name is required."),
        ({**VALUES, "email": "not-an-email"}, True, "email", b"Enter a valid email address"),
        ({**VALUES, "email": ""}, True, "email", b"Work email is required."),
        (VALUES, False, "consent", b"Please tick the consent box"),
    ],
)
def test_invalid_submission_rerenders_with_422_and_writes_nothing(users, data, consent, field, message):
    form = make_form(users["marketer"])
    response = Visitor().submit(form, data, consent=consent)
    assert response.status_code == 422
    assert message in response.content
    assert f'id="wf-{field}-error"'.encode() in response.content
    assert b'value="Lovelace"' in response.content  # what was typed is kept
    _nothing_written()
    assert not SubmissionAttempt.objects.exists()


def test_post_without_a_genuine_token_is_refused(users):
    form = make_form(users["marketer"])
    visitor = Visitor()
    response = visitor.client.post(f"/forms/f/{form.slug}/", {**VALUES, "consent": "1", "token": "forged"})
    assert response.status_code == 400
    assert b"did not come from this site" in response.content
    _nothing_written()


def test_honeypot_looks_like_success_and_stores_nothing(users):
    form = make_form(users["marketer"])
    response = Visitor().submit(form, VALUES, website_url="http://spam.example")
    assert response.status_code == 200
    assert b"Thank you" in response.content
    _nothing_written()


def test_rate_limit_per_ip_and_form(users, settings):
    settings.ACCORD_FORM_RATE_LIMIT = 3
    form = make_form(users["marketer"])
    other_form = make_form(users["marketer"], name="Newsletter")
    same = Visitor(ip="192.0.2.10")
    for n in range(3):
        assert same.submit(form, {**VALUES, "email": f"p{n}@acme.example"}).status_code == 303
    blocked = same.submit(form, {**VALUES, "email": "p4@acme.example"})
    assert blocked.status_code == 429
    assert b"Too many submissions" in blocked.content
    assert not Contact.objects.filter(email="p4@acme.example").exists()
    assert Visitor(ip="192.0.2.11").submit(form, {**VALUES, "email": "other@acme.example"}).status_code == 303
    assert same.submit(other_form, {**VALUES, "email": "p5@acme.example"}).status_code == 303
    assert Submission.objects.count() == 5


def test_rate_limit_window_passes(users, settings, time_machine):
    settings.ACCORD_FORM_RATE_LIMIT = 1
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)
    form = make_form(users["marketer"])
    visitor = Visitor()
    assert visitor.submit(form, VALUES).status_code == 303
    assert visitor.submit(form, {**VALUES, "email": "b@acme.example"}).status_code == 429
    time_machine.move_to("2026-03-02 10:10:01+00:00", tick=False)
    assert visitor.submit(form, {**VALUES, "email": "b@acme.example"}).status_code == 303


@pytest.mark.parametrize(("before", "newsletter", "after"), [
    (None, False, "lead"), (None, True, "subscriber"), ("subscriber", False, "lead"),
    ("mql", False, "mql"), ("customer", False, "customer"), ("lead", True, "lead"),
])  # fmt: skip
def test_stage_rules(users, before, newsletter, after):
    if before:
        contact = create_contact(email="ada.lovelace@acme.example")
        if before != "subscriber":
            set_contact_stage(contact, before)
    form = make_form(users["marketer"], newsletter_only=newsletter)
    Visitor().submit(form, VALUES)
    contact = Contact.objects.get()
    assert contact.lifecycle_stage == after
    changes = StageChange.objects.filter(contact=contact, rule="form")
    if before is None:
        assert changes.exists()
    if before == after:
        assert not changes.exists()  # no backwards move, no history row
    if before == "subscriber":
        assert list(changes.values_list("from_stage", "to_stage")) == [("subscriber", "lead")]


def test_gated_asset_link_works_then_expires(users, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)
    form = make_form(
        users["marketer"], asset_url="https://cdn.example/revops-2026.pdf", asset_name="The report"
    )
    visitor = Visitor()
    thanks = visitor.client.get(visitor.submit(form, VALUES)["Location"])
    link = thanks.context["download_url"]
    assert link and link.encode() in thanks.content
    download = visitor.client.get(link)
    assert download.status_code == 302 and download["Location"] == "https://cdn.example/revops-2026.pdf"
    assert Touchpoint.objects.filter(type="content_download").count() == 1
    visitor.client.get(link)
    assert Touchpoint.objects.filter(type="content_download").count() == 1  # the first download only
    time_machine.move_to("2026-03-04 10:00:01+00:00", tick=False)
    expired = visitor.client.get(link)
    assert expired.status_code == 410
    assert b"This download link has expired" in expired.content


def test_uploaded_asset_is_served_as_attachment(users, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    form = make_form(users["marketer"], asset_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 data"))
    visitor = Visitor()
    link = visitor.client.get(visitor.submit(form, VALUES)["Location"]).context["download_url"]
    response = visitor.client.get(link)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response.getvalue() == b"%PDF-1.4 data"
    assert visitor.client.get(link.replace("/download/", "/download/x")).status_code == 404


def test_hosted_page_is_embeddable_and_closed_form_refuses(users):
    form = make_form(users["marketer"])
    page = Visitor().open(form, "?embed=1&page_url=https://acme.example/report%3Futm_source%3Dx&aid=a-9")
    assert page.status_code == 200
    assert "X-Frame-Options" not in page
    assert b'name="page_url" value="https://acme.example/report?utm_source=x"' in page.content
    assert b'name="aid" value="a-9"' in page.content
    form.is_active = False
    form.save()
    assert Visitor().open(form).status_code == 410
