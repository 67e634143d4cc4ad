"""Building forms: actions (fields, consent wording versions, URLs) and the team's pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from accord.contacts.models import PropertyDefinition
from accord.core.errors import Invalid
from accord.webforms.actions import FieldSpec, update_form
from accord.webforms.models import ConsentRecord, Form
from accord.webforms.tests.fixtures import CONSENT, Visitor, make_form, standard_fields

pytestmark = pytest.mark.django_db
VALUES = {"email": "ada@acme.example", "first_name": "Ada"}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_changing_the_wording_makes_a_new_version_and_old_records_keep_theirs(users):
    form = make_form(users["marketer"])
    Visitor().submit(form, VALUES)
    update_form(form, consent_text="New wording: Acme and its partners may email me.")
    update_form(
        form, consent_text="New wording: Acme and its partners may email me."
    )  # unchanged: no version
    assert list(form.consent_versions.values_list("version", flat=True)) == [2, 1]
    Visitor(ip="198.51.100.8").submit(form, {**VALUES, "email": "bob@acme.example"})
    old, new = ConsentRecord.objects.order_by("id")
    assert (old.wording.version, old.wording.text) == (1, CONSENT)
    assert (new.wording.version, new.wording.text) == (2, "New wording: Acme and its partners may email me.")
    page = login(users["marketing_manager"]).get(f"/forms/{form.pk}/submissions/{old.submission_id}/")
    assert CONSENT.encode() in page.content and b"Wording v1" in page.content
    public = Visitor().open(form)
    assert b"New wording" in public.content and CONSENT.encode() not in public.content


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example/x", "//evil.example", "data:text/html,x"]
)
def test_redirect_and_asset_urls_must_be_http(users, url):
    with pytest.raises(Invalid) as exc:
        make_form(users["marketer"], redirect_url=url)
    assert "redirect_url" in exc.value.field_errors
    with pytest.raises(Invalid) as exc:
        make_form(users["marketer"], asset_url=url)
    assert "asset_url" in exc.value.field_errors


def test_redirect_after_submit(users):
    form = make_form(users["marketer"], redirect_url="https://acme.example/thank-you")
    response = Visitor().submit(form, VALUES)
    assert response.status_code == 303 and response["Location"] == "https://acme.example/thank-you"


@pytest.mark.parametrize(
    ("fields", "error_key"),
    [
        ([FieldSpec("first_name")], "fields"),
        ([FieldSpec("email"), FieldSpec("email")], "fields.1.target"),
        ([FieldSpec("email"), FieldSpec("nope")], "fields.1.target"),
        ([FieldSpec("email", type="checkbox")], "fields.0.type"),
        ([FieldSpec("email"), FieldSpec("title", type="select")], "fields.1.choices"),
    ],
)
def test_field_list_is_checked(users, fields, error_key):
    with pytest.raises(Invalid) as exc:
        make_form(users["marketer"], fields=fields)
    assert error_key in exc.value.field_errors


def test_custom_property_fields_are_validated_by_their_definition(users):
    PropertyDefinition.objects.create(
        object_type="contact", key="team_size", label="Team size", type="number"
    )
    PropertyDefinition.objects.create(
        object_type="contact", key="wants_demo", label="Wants demo", type="boolean"
    )
    form = make_form(users["marketer"], fields=standard_fields(
        FieldSpec("property:team_size", "Team size", "text", True), FieldSpec("property:wants_demo", "Demo?", "checkbox"),
    ))  # fmt: skip
    bad = Visitor().submit(form, {**VALUES, "property__team_size": "lots"})
    assert bad.status_code == 422 and b"Team size must be a number" in bad.content
    Visitor().submit(form, {**VALUES, "property__team_size": "42", "property__wants_demo": "1"})
    from accord.contacts.models import Contact

    assert Contact.objects.get().properties == {"team_size": 42, "wants_demo": True}


def test_builder_page_adds_removes_reorders_and_saves(users):
    client = login(users["marketer"])
    assert client.get("/forms/new/").status_code == 200
    base = {
        "name": "Request a demo", "submit_label": "Book", "is_active": "on", "fields-count": "3",
        "fields-0-target": "email", "fields-0-label": "Email", "fields-0-type": "email", "fields-0-required": "1",
        "fields-1-target": "first_name", "fields-1-label": "First name", "fields-1-type": "text",
        "fields-2-target": "phone", "fields-2-label": "Phone", "fields-2-type": "tel",
    }  # fmt: skip
    added = client.post("/forms/new/", {**base, "action": "add"})
    assert added.status_code == 200 and len(added.context["rows"]) == 4
    assert added.context["settings"]["name"].value() == "Request a demo"
    moved = client.post("/forms/new/", {**base, "action": "up:2"})
    assert [r.target for r in moved.context["rows"]] == ["email", "phone", "first_name"]
    removed = client.post("/forms/new/", {**base, "action": "remove:1"})
    assert [r.target for r in removed.context["rows"]] == ["email", "phone"]
    bad = client.post("/forms/new/", {**base, "action": "save", "fields-2-target": "email"})
    assert bad.status_code == 422 and "is on the form twice" in bad.content.decode()
    assert not Form.objects.exists()
    saved = client.post("/forms/new/", {**base, "action": "save"})
    assert saved.status_code == 303
    form = Form.objects.get()
    assert form.owner == users["marketer"] and form.slug == "request-a-demo"
    assert [f.target for f in form.fields.all()] == ["email", "first_name", "phone"]
    bad_url = client.post(
        f"/forms/{form.pk}/edit/", {**base, "action": "save", "redirect_url": "javascript:x"}
    )
    assert bad_url.status_code == 422 and b"starting with http" in bad_url.content
    consent_missing = client.post(
        f"/forms/{form.pk}/edit/", {**base, "action": "save", "consent_required": "on"}
    )
    assert consent_missing.status_code == 422 and b"Write the consent wording" in consent_missing.content


def test_list_search_pagination_and_empty_state(users):
    client = login(users["sdr"])
    empty = client.get("/forms/")
    assert b"No forms yet" in empty.content
    for n in range(27):
        make_form(users["marketer"], name=f"Form {n:02d}", consent_required=False)
    Visitor().submit(Form.objects.get(name="Form 03"), VALUES, consent=False)
    page1 = client.get("/forms/")
    assert len(page1.context["paging"].page.object_list) == 25
    assert client.get("/forms/?page=2").context["paging"].page.object_list[0].name == "Form 01"
    found = client.get("/forms/?q=form 03")
    assert [f.name for f in found.context["paging"].page.object_list] == ["Form 03"]
    assert found.context["paging"].page.object_list[0].submission_count == 1
    assert b"No forms match" in client.get("/forms/?q=zzz").content


def test_detail_shows_embed_code_and_submissions(users):
    form = make_form(users["marketer"])
    Visitor().submit(form, VALUES)
    page = login(users["sdr"]).get(f"/forms/{form.pk}/")
    html = page.content.decode()
    assert f"http://testserver/forms/f/{form.slug}/" in html
    assert f"&lt;div data-accord-form=&quot;{form.slug}&quot;&gt;&lt;/div&gt;" in html
    assert "http://testserver/forms/embed.js" in html and "?embed=1" in html
    assert "ada@acme.example" in html and "v1 · given" in html
    assert Client().get("/forms/embed.js")["Access-Control-Allow-Origin"] == "*"


def test_csv_export_neutralises_formulas(users):
    form = make_form(users["marketer"])
    Visitor().submit(
        form, {"email": "eve@acme.example", "first_name": '=HYPERLINK("http://x")', "last_name": "@SUM(1)"}
    )
    response = login(users["sdr"]).get(f"/forms/{form.pk}/submissions.csv")
    text = response.getvalue().decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["submitted_at", "status", "email"]
    assert '\'=HYPERLINK("http://x")' in rows[1] and "'@SUM(1)" in rows[1]


def test_demo_forms_seed_through_the_actions(users):
    from django.utils import timezone

    from accord.demo.webforms_demo import seed_forms

    forms = seed_forms(timezone.now())
    assert [f.slug for f in forms] == ["revops-report-2026", "newsletter", "request-a-demo"]
    assert forms[0].has_asset and forms[0].consent_versions.get().version == 1
    assert forms[1].double_opt_in and forms[1].newsletter_only
    assert len(seed_forms(timezone.now())) == 3  # a second run adds nothing
    assert Visitor().open(forms[2]).status_code == 200
