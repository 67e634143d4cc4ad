"""Who may import, export and see imports (decided by accord.accounts.permissions)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role
from accord.accounts.permissions import ALL, OWN, ROLE_GRANTS, Action, Resource
from accord.integrations.models import ImportJob
from accord.integrations.tests.fixtures import csv_bytes

pytestmark = pytest.mark.django_db
NEW = reverse("integrations:import_new")
LIST = reverse("integrations:import_list")
DATA = csv_bytes("email,title", "a@example.test,CTO", "b@,x")


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def without(monkeypatch, role: str, resource: Resource, *actions: Action) -> None:
    grants = {a: s for a, s in ROLE_GRANTS[role][resource].items() if a not in actions}
    monkeypatch.setitem(ROLE_GRANTS[role], resource, grants)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_may_import_contacts_today(client, users, role):
    """Each role has ADD on contacts (an SDR creates leads), so each may import them."""
    response = logged_in(client, users[role]).post(
        NEW, {"object_type": "contact", "file": SimpleUploadedFile("a.csv", DATA)}
    )
    assert response.status_code == 302


def test_a_role_without_add_gets_403(client, users, monkeypatch):
    without(monkeypatch, Role.SDR, Resource.CONTACT, Action.ADD)
    without(monkeypatch, Role.SDR, Resource.COMPANY, Action.ADD)
    c = logged_in(client, users[Role.SDR])
    assert c.get(NEW).status_code == 403
    assert (
        c.post(NEW, {"object_type": "contact", "file": SimpleUploadedFile("a.csv", DATA)}).status_code == 403
    )
    assert not ImportJob.objects.exists()


def test_add_on_companies_only_offers_companies(client, users, monkeypatch):
    without(monkeypatch, Role.SDR, Resource.CONTACT, Action.ADD)
    c = logged_in(client, users[Role.SDR])
    html = c.get(NEW).content.decode()
    assert 'value="company"' in html and 'value="contact"' not in html
    response = c.post(NEW, {"object_type": "contact", "file": SimpleUploadedFile("a.csv", DATA)})
    assert response.status_code == 422


def test_without_change_only_skip_is_offered(client, users, monkeypatch, upload):
    without(monkeypatch, Role.MARKETER, Resource.CONTACT, Action.CHANGE)
    marketer = users[Role.MARKETER]
    job = upload(DATA, by=marketer)
    c = logged_in(client, marketer)
    url = reverse("integrations:import_map", args=[job.pk])
    html = c.get(url).content.decode()
    assert 'value="update"' not in html and "matching rows are skipped" in html
    response = c.post(url, {"col-0": "email", "col-1": "title", "on_duplicate": "update"})
    assert response.status_code == 422


def test_anonymous_users_are_sent_to_login(client):
    for url in (
        LIST,
        NEW,
        reverse("integrations:export_contacts"),
        reverse("integrations:import_detail", args=[1]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_the_upload_still_checks_csrf(users):
    c = Client(enforce_csrf_checks=True)
    c.force_login(users[Role.MARKETER])
    response = c.post(NEW, {"object_type": "contact", "file": SimpleUploadedFile("a.csv", DATA)})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_jobs_are_private_to_their_uploader_unless_change_covers_every_record(
    client, users, make_user, run_import
):
    sdr, other_sdr, marketer = users[Role.SDR], make_user(Role.SDR), users[Role.MARKETER]
    job = run_import(DATA, by=sdr)
    urls = [job.get_absolute_url(), reverse("integrations:import_errors", args=[job.pk])]
    c = logged_in(client, other_sdr)  # CHANGE: OWN
    assert [c.get(u).status_code for u in urls] == [403, 403]
    assert c.post(reverse("integrations:import_cancel", args=[job.pk])).status_code == 403
    assert "a.csv" not in c.get(LIST).content.decode() and "people.csv" not in c.get(LIST).content.decode()
    c = logged_in(client, sdr)
    assert [c.get(u).status_code for u in urls] == [200, 200]
    assert "people.csv" in c.get(LIST).content.decode()
    c = logged_in(client, marketer)  # CHANGE: ALL on contacts
    assert ROLE_GRANTS[Role.MARKETER][Resource.CONTACT][Action.CHANGE] == ALL
    assert [c.get(u).status_code for u in urls] == [200, 200]
    assert "people.csv" in c.get(LIST).content.decode()


def test_export_needs_view(client, users, monkeypatch):
    without(monkeypatch, Role.ACCOUNT_EXECUTIVE, Resource.CONTACT, Action.VIEW)
    c = logged_in(client, users[Role.ACCOUNT_EXECUTIVE])
    assert c.get(reverse("integrations:export_contacts")).status_code == 403
    assert c.get(reverse("integrations:export_companies")).status_code == 200


def test_an_own_view_grant_exports_own_records_only(client, users, monkeypatch):
    from accord.contacts.actions import create_contact

    ae = users[Role.ACCOUNT_EXECUTIVE]
    create_contact(email="mine@example.test", owner=ae)
    create_contact(email="other@example.test")
    grants = {**ROLE_GRANTS[Role.ACCOUNT_EXECUTIVE][Resource.CONTACT], Action.VIEW: OWN}
    monkeypatch.setitem(ROLE_GRANTS[Role.ACCOUNT_EXECUTIVE], Resource.CONTACT, grants)
    response: Any = logged_in(client, ae).get(reverse("integrations:export_contacts"))
    body = b"".join(response.streaming_content).decode()
    assert "mine@example.test" in body and "other@example.test" not in body
