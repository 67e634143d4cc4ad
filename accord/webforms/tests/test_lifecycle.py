"""A form's lifecycle after it is built: partial updates over the API, closing and reopening it,
and deleting it (refused once it has submissions: their consent evidence is kept) — through the
actions, the API and the team's pages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from accord.campaigns.models import Campaign
from accord.core.errors import Conflict, NotFound
from accord.webforms import actions, submit
from accord.webforms.models import ConsentRecord, ConsentWording, Form, FormField, Submission
from accord.webforms.tests.fixtures import CONSENT, Visitor, make_form

pytestmark = pytest.mark.django_db

VALUES = {"email": "ada@acme.example", "first_name": "Ada"}
NEW_WORDING = "Acme and its partners may email me about events. I can unsubscribe at any time."
SALES_ROLES = ["sdr", "ae", "sales_manager"]


def login(user: Any, **kw: Any) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def patch(client: Client, form: Form | int, body: dict[str, Any]) -> Any:
    pk = form.pk if isinstance(form, Form) else form
    return client.patch(f"/api/forms/{pk}", json.dumps(body), content_type="application/json")


def snapshot(form: Form) -> dict[str, Any]:
    """What a refused change must leave exactly as it was."""
    form.refresh_from_db()
    return {
        "row": {f.name: getattr(form, f.attname) for f in Form._meta.concrete_fields},
        "fields": list(form.fields.values_list("target", "label", "type", "required", "order")),
        "wordings": list(form.consent_versions.values_list("version", "text")),
    }


def submit_json(form: Form, values: dict[str, Any], ip: str = "198.51.100.40") -> Any:
    return Client(REMOTE_ADDR=ip).post(
        f"/api/forms/f/{form.slug}/submit",
        json.dumps({"values": values, "consent": True}),
        content_type="application/json",
    )


# ---------------------------------------------------------------- PATCH /api/forms/{id}
def test_patch_changes_only_the_keys_sent(users, api_client_for):
    form = make_form(users["marketer"], title="The report", double_opt_in=False)
    before = snapshot(form)
    campaign = Campaign.objects.create(name="RevOps 2026", channel="email", owner=users["marketer"])
    response = patch(
        api_client_for(users["marketer"]),
        form,
        {"name": "RevOps report", "double_opt_in": True, "default_campaign_id": campaign.pk},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["double_opt_in"], body["default_campaign_id"]) == (
        "RevOps report",
        True,
        campaign.pk,
    )
    after = snapshot(form)
    assert after["row"]["title"] == "The report" and after["row"]["slug"] == before["row"]["slug"]
    assert after["fields"] == before["fields"] and after["wordings"] == before["wordings"]
    cleared = patch(api_client_for(users["marketer"]), form, {"default_campaign_id": None})
    assert cleared.status_code == 200 and cleared.json()["default_campaign_id"] is None


def test_patch_replaces_the_field_list(users, admin_api):
    form = make_form(users["marketer"])
    response = patch(
        admin_api,
        form,
        {"fields": [{"target": "email", "label": "Email"}, {"target": "phone", "required": True}]},
    )
    assert response.status_code == 200, response.content
    assert [(f["name"], f["required"]) for f in response.json()["fields"]] == [
        ("email", True),
        ("phone", True),
    ]
    assert list(FormField.objects.filter(form=form).values_list("target", flat=True)) == ["email", "phone"]


@pytest.mark.parametrize(
    ("body", "error_key"),
    [
        ({"fields": [{"target": "first_name"}]}, "fields"),
        ({"fields": [{"target": "email"}, {"target": "email"}]}, "fields.1.target"),
        ({"fields": [{"target": "email"}, {"target": "no_such_field"}]}, "fields.1.target"),
        ({"fields": [{"target": "email", "type": "checkbox"}]}, "fields.0.type"),
        ({"fields": [{"target": "email"}, {"target": "title", "type": "select"}]}, "fields.1.choices"),
    ],
)
def test_patch_with_a_bad_field_list_is_refused_and_changes_nothing(users, admin_api, body, error_key):
    form = make_form(users["marketer"])
    before = snapshot(form)
    response = patch(admin_api, form, {"name": "Renamed", "consent_text": NEW_WORDING, **body})
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["code"] == "invalid" and error["message"]
    assert error_key in error["field_errors"]
    assert snapshot(form) == before  # neither the name, the wording nor the fields changed


@pytest.mark.parametrize(
    ("body", "status", "error_key"),
    [
        ({"redirect_url": "javascript:alert(1)"}, 422, "redirect_url"),
        ({"asset_url": "ftp://files.example/r.pdf"}, 422, "asset_url"),
        ({"name": "   "}, 422, "name"),
        ({"name": None}, 422, "name"),
        ({"fields": None}, 422, "fields"),
        ({"fields": []}, 422, "fields"),
        ({"slug": "Not A Slug"}, 422, "slug"),
        ({"default_campaign_id": 999999}, 422, "default_campaign_id"),
        ({"consent_required": True, "consent_text": ""}, None, None),  # keeps the current wording
        ({"colour": "red"}, 422, None),
    ],
)
def test_patch_validation_matches_post(users, admin_api, body, status, error_key):
    form = make_form(users["marketer"], name="Original")
    before = snapshot(form)
    response = patch(admin_api, form, body)
    if status is None:
        assert response.status_code == 200
        assert response.json()["consent_version"] == 1
        return
    assert response.status_code == status, response.content
    assert set(response.json()) == {"code", "message", "field_errors"}
    if error_key:
        assert error_key in response.json()["field_errors"]
    assert snapshot(form) == before


def test_patch_slug_taken_is_a_conflict(users, admin_api):
    make_form(users["marketer"], name="First", slug="first")
    form = make_form(users["marketer"], name="Second", slug="second")
    response = patch(admin_api, form, {"slug": "first"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_slug" and "slug" in response.json()["field_errors"]
    form.refresh_from_db()
    assert form.slug == "second"


def test_consent_required_without_any_wording_is_refused(users, admin_api):
    form = make_form(users["marketer"], consent_required=False)
    response = patch(admin_api, form, {"consent_required": True})
    assert response.status_code == 422 and "consent_text" in response.json()["field_errors"]
    form.refresh_from_db()
    assert not form.consent_required


def test_patch_of_the_consent_wording_makes_a_new_version(users, api_client_for):
    form = make_form(users["marketer"])
    Visitor().submit(form, VALUES)
    api = api_client_for(users["marketer"])
    response = patch(api, form, {"consent_text": NEW_WORDING})
    assert response.status_code == 200, response.content
    assert (response.json()["consent_version"], response.json()["consent_text"]) == (2, NEW_WORDING)
    again = patch(api, form, {"consent_text": NEW_WORDING, "name": "Renamed"})  # same text: no version
    assert again.status_code == 200 and again.json()["consent_version"] == 2
    wordings = ConsentWording.objects.filter(form=form).order_by("version")
    assert [(w.version, w.text, w.created_by_id) for w in wordings] == [
        (1, CONSENT, users["marketer"].pk),
        (2, NEW_WORDING, users["marketer"].pk),
    ]
    Visitor(ip="198.51.100.8").submit(form, {**VALUES, "email": "bob@acme.example"})
    old, new = ConsentRecord.objects.order_by("id")
    assert (old.wording.version, new.wording.version) == (1, 2)  # earlier evidence keeps v1


# ---------------------------------------------------------------- permissions
def test_api_marketer_changes_only_own_forms(users, make_user, api_client_for):
    other = make_user("marketer")
    theirs = make_form(other, name="Someone else's", consent_required=False)
    mine = make_form(users["marketer"], name="Mine", consent_required=False)
    api = api_client_for(users["marketer"])
    before = snapshot(theirs)
    for response in (
        patch(api, theirs, {"name": "Taken over"}),
        api.post(f"/api/forms/{theirs.pk}/close"),
        api.post(f"/api/forms/{theirs.pk}/reopen"),
        api.delete(f"/api/forms/{theirs.pk}"),
    ):
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert snapshot(theirs) == before
    assert api.get(f"/api/forms/{theirs.pk}").status_code == 200  # may read
    assert patch(api, mine, {"name": "Still mine"}).status_code == 200
    assert api.post(f"/api/forms/{mine.pk}/close").status_code == 200
    manager = api_client_for(users["marketing_manager"])
    assert patch(manager, theirs, {"name": "Managed"}).status_code == 200
    assert manager.post(f"/api/forms/{theirs.pk}/close").json()["is_active"] is False


@pytest.mark.parametrize("role", SALES_ROLES)
def test_api_sales_roles_are_read_only(users, api_client_for, role):
    form = make_form(users["marketer"], consent_required=False)
    before = snapshot(form)
    api = api_client_for(users[role])
    assert api.get(f"/api/forms/{form.pk}").status_code == 200
    for response in (
        patch(api, form, {"name": "Renamed"}),
        api.post(f"/api/forms/{form.pk}/close"),
        api.delete(f"/api/forms/{form.pk}"),
    ):
        assert response.status_code == 403
    assert snapshot(form) == before
    assert Form.objects.filter(pk=form.pk).exists()


def test_unknown_forms_are_404_and_keys_are_required(users, admin_api):
    form = make_form(users["marketer"], consent_required=False)
    assert patch(admin_api, 999999, {"name": "x"}).status_code == 404
    assert admin_api.post("/api/forms/999999/close").status_code == 404
    assert admin_api.post("/api/forms/999999/reopen").status_code == 404
    missing = admin_api.delete("/api/forms/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert patch(Client(), form, {"name": "x"}).status_code == 401
    assert Client().delete(f"/api/forms/{form.pk}").status_code == 401


# ---------------------------------------------------------------- close and reopen
def test_closed_form_refuses_submissions_and_reopened_accepts_again(users, admin_api):
    form = make_form(users["marketer"])
    visitor = Visitor()
    token, hidden = visitor.token(form)  # the page was opened while the form was open

    closed = admin_api.post(f"/api/forms/{form.pk}/close")
    assert closed.status_code == 200 and closed.json()["is_active"] is False
    form.refresh_from_db()
    assert not form.is_active
    assert visitor.open(form).status_code == 410
    late = visitor.client.post(f"/forms/f/{form.slug}/", {**hidden, **VALUES, "token": token, "consent": "1"})
    assert late.status_code == 410 and b"This form is closed" in late.content
    refused = submit_json(form, VALUES)
    assert refused.status_code == 410 and refused.json()["code"] == "form_closed"
    assert Submission.objects.count() == 0
    assert admin_api.post(f"/api/forms/{form.pk}/close").status_code == 200  # twice: harmless

    reopened = admin_api.post(f"/api/forms/{form.pk}/reopen")
    assert reopened.status_code == 200 and reopened.json()["is_active"] is True
    assert visitor.submit(form, VALUES).status_code == 303
    assert submit_json(form, {**VALUES, "email": "bob@acme.example"}).status_code == 201
    assert sorted(Submission.objects.values_list("email", flat=True)) == [
        "ada@acme.example",
        "bob@acme.example",
    ]


def test_a_submission_checked_against_a_stale_open_form_is_refused_once_closed(users):
    form = make_form(users["marketer"])
    stale = Form.objects.get(pk=form.pk)  # loaded by the request before the form closed
    actions.archive_form(form)
    with pytest.raises(submit.Closed):
        submit.submit(stale, VALUES, submit.Visit(ip="198.51.100.9"), consent=True)
    assert Submission.objects.count() == 0


# ---------------------------------------------------------------- delete
def test_delete_is_refused_while_the_form_has_submissions(users, admin_api):
    form = make_form(users["marketer"])
    Visitor().submit(form, VALUES)
    before = snapshot(form)
    counts = (Submission.objects.count(), ConsentRecord.objects.count(), ConsentWording.objects.count())
    response = admin_api.delete(f"/api/forms/{form.pk}")
    assert response.status_code == 409
    error = response.json()
    assert error["code"] == "form_has_submissions"
    assert "1 submission" in error["message"] and "Close it instead" in error["message"]
    assert snapshot(form) == before
    assert (
        Submission.objects.count(),
        ConsentRecord.objects.count(),
        ConsentWording.objects.count(),
    ) == counts
    with pytest.raises(Conflict):
        actions.delete_form(form)  # closed or not, the evidence stays
    actions.archive_form(form)
    assert admin_api.delete(f"/api/forms/{form.pk}").status_code == 409
    assert Form.objects.filter(pk=form.pk).exists()


def test_a_form_without_submissions_is_deleted_with_its_fields_and_wording(
    users, api_client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    form = make_form(users["marketer"], asset_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 data"))
    asset = tmp_path / form.asset_file.name
    keep = make_form(users["marketer"], name="Another form")
    assert asset.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(users["marketer"]).delete(f"/api/forms/{form.pk}")
    assert response.status_code == 204 and response.content == b""
    assert list(Form.objects.values_list("pk", flat=True)) == [keep.pk]
    assert not FormField.objects.filter(form_id=form.pk).exists()
    assert not ConsentWording.objects.filter(form_id=form.pk).exists()
    assert not asset.exists()
    assert Visitor().open(form).status_code == 404
    assert api_client_for(users["marketer"]).get(f"/api/forms/{form.pk}").status_code == 404


# ---------------------------------------------------------------- pages
def _csrf(page: Any) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert match, "the page has no CSRF token"
    return match.group(1).decode()


def test_detail_page_close_and_reopen_buttons(users):
    form = make_form(users["marketer"], consent_required=False)
    client = login(users["marketer"], enforce_csrf_checks=True)
    page = client.get(f"/forms/{form.pk}/")
    close_url = f"/forms/{form.pk}/close/".encode()
    assert close_url in page.content and b"Close form" in page.content and b"Reopen form" not in page.content
    assert client.post(f"/forms/{form.pk}/close/").status_code == 403  # no CSRF token
    form.refresh_from_db()
    assert form.is_active

    closed = client.post(f"/forms/{form.pk}/close/", {"csrfmiddlewaretoken": _csrf(page)})
    assert closed.status_code == 303 and closed["Location"] == f"/forms/{form.pk}/"
    form.refresh_from_db()
    assert not form.is_active
    page = client.get(f"/forms/{form.pk}/")
    assert b"Reopen form" in page.content and b"Close form" not in page.content
    assert b"is closed: it no longer accepts submissions" in page.content  # the message
    assert Visitor().open(form).status_code == 410

    reopened = client.post(f"/forms/{form.pk}/reopen/", {"csrfmiddlewaretoken": _csrf(page)})
    assert reopened.status_code == 303
    form.refresh_from_db()
    assert form.is_active
    assert Visitor().submit(form, VALUES, consent=False).status_code == 303
    assert client.get(f"/forms/{form.pk}/close/").status_code == 405  # a change is a POST


@pytest.mark.parametrize("role", SALES_ROLES)
def test_sales_roles_see_no_lifecycle_buttons_and_cannot_post(users, role):
    form = make_form(users["marketer"], consent_required=False)
    client = login(users[role])
    page = client.get(f"/forms/{form.pk}/")
    assert page.status_code == 200
    for text in (b"Close form", b"Reopen form", b"Delete\xe2\x80\xa6", f"/forms/{form.pk}/delete/".encode()):
        assert text not in page.content
    assert client.post(f"/forms/{form.pk}/close/").status_code == 403
    assert client.get(f"/forms/{form.pk}/delete/").status_code == 403
    assert client.post(f"/forms/{form.pk}/delete/").status_code == 403
    form.refresh_from_db()
    assert form.is_active


def test_marketer_cannot_close_or_delete_another_marketers_form_on_pages(users, make_user):
    theirs = make_form(make_user("marketer"), consent_required=False)
    client = login(users["marketer"])
    page = client.get(f"/forms/{theirs.pk}/")
    assert b"Close form" not in page.content and b"Delete\xe2\x80\xa6" not in page.content
    assert client.post(f"/forms/{theirs.pk}/close/").status_code == 403
    assert client.post(f"/forms/{theirs.pk}/delete/").status_code == 403
    assert Form.objects.get(pk=theirs.pk).is_active
    assert client.post("/forms/999999/close/").status_code == 404


def test_delete_page_confirms_then_deletes(users):
    form = make_form(users["marketer"], name="Webinar sign-up", consent_required=False)
    client = login(users["marketer"], enforce_csrf_checks=True)
    detail = client.get(f"/forms/{form.pk}/")
    assert f'href="/forms/{form.pk}/delete/"'.encode() in detail.content
    confirm = client.get(f"/forms/{form.pk}/delete/")
    assert confirm.status_code == 200
    assert "Delete “Webinar sign-up”".encode() in confirm.content
    assert Form.objects.filter(pk=form.pk).exists()  # opening the confirm step deletes nothing
    deleted = client.post(f"/forms/{form.pk}/delete/", {"csrfmiddlewaretoken": _csrf(confirm)}, follow=True)
    assert deleted.redirect_chain == [("/forms/", 303)]
    assert "Form “Webinar sign-up” deleted.".encode() in deleted.content
    assert not Form.objects.filter(pk=form.pk).exists()


def test_delete_page_offers_close_instead_when_the_form_has_submissions(users):
    form = make_form(users["marketer"])
    Visitor().submit(form, VALUES)
    client = login(users["marketer"])
    confirm = client.get(f"/forms/{form.pk}/delete/")
    assert confirm.status_code == 200
    assert b"cannot be deleted" in confirm.content and b"Close it instead" in confirm.content
    assert f'action="/forms/{form.pk}/delete/"'.encode() not in confirm.content  # no delete button
    assert f'action="/forms/{form.pk}/close/"'.encode() in confirm.content
    refused = client.post(f"/forms/{form.pk}/delete/", follow=True)
    assert refused.redirect_chain == [(f"/forms/{form.pk}/", 303)]
    assert b"Close it instead" in refused.content  # the action's message, shown on the form page
    assert Form.objects.filter(pk=form.pk).exists() and Submission.objects.filter(form=form).count() == 1
    client.post(f"/forms/{form.pk}/close/")
    assert b"It is already closed." in client.get(f"/forms/{form.pk}/delete/").content


def test_list_shows_a_closed_badge_and_filters_by_status(users):
    open_form = make_form(users["marketer"], name="Open sign-up", consent_required=False)
    closed_form = make_form(users["marketer"], name="Old webinar", consent_required=False)
    actions.archive_form(closed_form)
    client = login(users["sdr"])

    def names(query: str = "", *, htmx: bool = False) -> list[str]:
        response = client.get(f"/forms/{query}", headers={"HX-Request": "true"} if htmx else None)
        assert response.status_code == 200
        assert (b"<h1>Forms</h1>" in response.content) is not htmx  # htmx gets the results only
        return sorted(f.name for f in response.context["paging"].page.object_list)

    everything = client.get("/forms/")
    assert everything.content.count(b'data-testid="closed-badge"') == 1
    assert b'<select name="status"' in everything.content
    assert names() == ["Old webinar", "Open sign-up"]
    assert names("?status=") == ["Old webinar", "Open sign-up"]
    assert names("?status=active") == ["Open sign-up"]
    assert names("?status=closed") == ["Old webinar"]
    assert names("?status=nonsense&q=webinar") == ["Old webinar"]  # a bad status is not applied
    assert names("?status=closed", htmx=True) == ["Old webinar"]  # the htmx partial
    actions.reopen_form(closed_form)
    empty = client.get("/forms/?status=closed")
    assert b"No closed forms" in empty.content and open_form.name.encode() not in empty.content


def test_an_edit_loaded_before_a_delete_does_not_bring_the_form_back(users):
    form = make_form(users["marketer"], consent_required=False)
    stale = Form.objects.get(pk=form.pk)  # an edit page or PATCH loaded it first
    actions.delete_form(form)
    with pytest.raises(NotFound):
        actions.update_form(stale, name="Back from the dead")
    assert not Form.objects.filter(pk=form.pk).exists()


def test_api_list_filters_by_status_and_shows_every_setting(users, admin_api):
    open_form = make_form(users["marketer"], name="Open one", slug="open-one")
    closed_form = make_form(users["marketer"], name="Closed one", slug="closed-one")
    actions.archive_form(closed_form)
    patched = patch(
        admin_api, open_form, {"submit_label": "Send it", "asset_url": "https://acme.example/w.pdf"}
    )
    assert patched.status_code == 200, patched.content

    def ids(status: str) -> list[int]:
        response = admin_api.get(f"/api/forms?status={status}")
        assert response.status_code == 200, response.content
        return sorted(item["id"] for item in response.json()["items"])

    assert ids("active") == [open_form.pk]
    assert ids("closed") == [closed_form.pk]
    assert ids("all") == sorted([open_form.pk, closed_form.pk])
    bad = admin_api.get("/api/forms?status=paused")
    assert bad.status_code == 422 and "status" in json.dumps(bad.json()["field_errors"])
    item = admin_api.get(f"/api/forms/{open_form.pk}").json()
    assert (item["submit_label"], item["asset_url"]) == ("Send it", "https://acme.example/w.pdf")
