"""Who may do what with forms, on pages and in the API; the API's endpoints and its public
JSON submission endpoint (same validation as the hosted form)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accord.contacts.models import Contact
from accord.tracking.models import Touchpoint
from accord.webforms.models import ConsentRecord, Form, Submission
from accord.webforms.tests.fixtures import Visitor, make_form

pytestmark = pytest.mark.django_db

EDIT = {
    "name": "Renamed", "is_active": "on", "fields-count": "1", "action": "save",
    "fields-0-target": "email", "fields-0-label": "Email", "fields-0-type": "email", "fields-0-required": "1",
}  # fmt: skip
NEW_FORM = {
    "name": "Webinar sign-up",
    "fields": [{"target": "email", "required": True}, {"target": "first_name"}],
}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_marketer_creates_and_edits_own_forms_only(users, make_user):
    mine = make_form(users["marketer"], consent_required=False)
    theirs = make_form(make_user("marketer"), name="Someone else's", consent_required=False)
    client = login(users["marketer"])
    assert client.get("/forms/new/").status_code == 200
    assert client.post(f"/forms/{mine.pk}/edit/", EDIT).status_code == 303
    assert client.get(f"/forms/{theirs.pk}/edit/").status_code == 403
    assert client.post(f"/forms/{theirs.pk}/edit/", EDIT).status_code == 403
    theirs.refresh_from_db()
    assert theirs.name == "Someone else's"
    assert client.get(f"/forms/{theirs.pk}/").status_code == 200  # may view
    manager = login(users["marketing_manager"])
    assert manager.post(f"/forms/{theirs.pk}/edit/", EDIT).status_code == 303


@pytest.mark.parametrize("role", ["sdr", "ae", "sales_manager"])
def test_sales_roles_view_only(users, role):
    form = make_form(users["marketer"], consent_required=False)
    client = login(users[role])
    assert client.get("/forms/").status_code == 200
    assert client.get(f"/forms/{form.pk}/").status_code == 200
    assert client.get(f"/forms/{form.pk}/submissions.csv").status_code == 200
    assert b"New form" not in client.get("/forms/").content
    assert b"Edit form" not in client.get(f"/forms/{form.pk}/").content
    assert client.get("/forms/new/").status_code == 403
    assert client.post("/forms/new/", EDIT).status_code == 403
    assert client.post(f"/forms/{form.pk}/edit/", EDIT).status_code == 403
    assert not Form.objects.filter(name="Renamed").exists()


def test_anonymous_users_go_to_login(users):
    form = make_form(users["marketer"], consent_required=False)
    for url in ("/forms/", f"/forms/{form.pk}/", f"/forms/{form.pk}/submissions.csv"):
        assert Client().get(url).status_code == 302


def test_api_permissions(users, api_client_for):
    sdr = api_client_for(users["sdr"])
    marketer = api_client_for(users["marketer"])
    assert sdr.get("/api/forms").status_code == 200
    refused = sdr.post("/api/forms", NEW_FORM, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    created = marketer.post("/api/forms", NEW_FORM, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner_id"] == users["marketer"].pk and body["slug"] == "webinar-sign-up"
    assert [f["name"] for f in body["fields"]] == ["email", "first_name"]
    assert sdr.get(f"/api/forms/{body['id']}").status_code == 200
    assert sdr.get(f"/api/forms/{body['id']}/submissions").status_code == 200
    assert Client().get("/api/forms").status_code == 401


def test_api_create_validation(users, admin_api):
    bad = admin_api.post(
        "/api/forms", {**NEW_FORM, "redirect_url": "javascript:alert(1)"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "redirect_url" in bad.json()["field_errors"]
    no_email = admin_api.post(
        "/api/forms", {"name": "x", "fields": [{"target": "first_name"}]}, content_type="application/json"
    )
    assert no_email.status_code == 422 and "fields" in no_email.json()["field_errors"]
    unknown = admin_api.post("/api/forms", {**NEW_FORM, "colour": "red"}, content_type="application/json")
    assert unknown.status_code == 422
    assert admin_api.get("/api/forms/999999").status_code == 404


def _submit(form: Form, body: dict, ip: str = "198.51.100.20") -> Any:
    return Client(REMOTE_ADDR=ip).post(
        f"/api/forms/f/{form.slug}/submit", json.dumps(body), content_type="application/json"
    )


def test_api_submission_endpoint(users, admin_api, settings):
    settings.ACCORD_FORM_RATE_LIMIT = 2
    form = make_form(users["marketer"], asset_url="https://cdn.example/r.pdf")
    ok = _submit(form, {"values": {"email": "Lin@Acme.example", "first_name": "Lin"}, "consent": True,
                        "utm_source": "linkedin", "page_url": "https://acme.example/report"})  # fmt: skip
    assert ok.status_code == 201, ok.content
    assert ok.json()["status"] == "received" and "/download/" in ok.json()["download_url"]
    assert Contact.objects.get().email == "lin@acme.example"

    missing = _submit(form, {"values": {"email": "x@acme.example"}, "consent": True})
    assert missing.status_code == 422 and missing.json()["field_errors"] == {
        "first_name": ["First name is required."]
    }
    bad = _submit(form, {"values": {"email": "nope", "first_name": "N"}, "consent": False})
    assert bad.status_code == 422 and set(bad.json()["field_errors"]) == {"email", "consent"}
    assert (
        Contact.objects.count() == 1
        and Touchpoint.objects.count() == 1
        and ConsentRecord.objects.count() == 1
    )

    spam = _submit(form, {"values": {"email": "bot@spam.example", "first_name": "B"}, "consent": True,
                          "website_url": "http://spam"})  # fmt: skip
    assert spam.status_code == 201 and not Contact.objects.filter(email="bot@spam.example").exists()

    assert (
        _submit(
            form, {"values": {"email": "two@acme.example", "first_name": "T"}, "consent": True}
        ).status_code
        == 201
    )
    throttled = _submit(form, {"values": {"email": "three@acme.example", "first_name": "T"}, "consent": True})
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    other_ip = _submit(
        form, {"values": {"email": "three@acme.example", "first_name": "T"}, "consent": True}, "198.51.100.21"
    )
    assert other_ip.status_code == 201

    listed = admin_api.get(f"/api/forms/{form.pk}/submissions?page_size=2").json()
    assert listed["count"] == 3 and len(listed["items"]) == 2 and listed["next"]
    assert listed["items"][-1]["consent_version"] == 1
    assert _submit(Form(slug="missing"), {"values": {}}).status_code == 404


def test_submissions_table_is_paginated(users):
    form = make_form(users["marketer"], consent_required=False)
    for n in range(27):
        Visitor(ip=f"198.51.100.{n + 1}").submit(
            form, {"email": f"p{n}@acme.example", "first_name": "P"}, consent=False
        )
    assert Submission.objects.count() == 27
    client = login(users["sdr"])
    assert len(client.get(f"/forms/{form.pk}/").context["paging"].page.object_list) == 25
    assert len(client.get(f"/forms/{form.pk}/?page=2").context["paging"].page.object_list) == 2
