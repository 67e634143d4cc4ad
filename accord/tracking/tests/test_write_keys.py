"""Write keys: shown once, stored hashed, revocable; the command and the settings page."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accord.accounts.models import Role
from accord.core.errors import Invalid
from accord.tracking.actions import authenticate_write_key, create_write_key, revoke_write_key
from accord.tracking.models import WriteKey

pytestmark = pytest.mark.django_db


def test_key_is_stored_hashed_and_authenticates():
    new = create_write_key("Website")
    stored = WriteKey.objects.get()
    assert new.secret.startswith("wk_") and len(new.secret) > 40
    assert stored.hashed_secret == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in (stored.hashed_secret, stored.prefix)
    assert new.secret.startswith(stored.prefix)
    assert authenticate_write_key(new.secret) == stored
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.parametrize(
    "mangle", [lambda s: s[:-1], lambda s: s + "x", lambda s: "", lambda s: s.upper(), lambda s: s + "\n"]
)
def test_wrong_secrets_are_refused(mangle):
    new = create_write_key("Website")
    assert authenticate_write_key(mangle(new.secret)) is None


def test_revoked_key_is_refused():
    new = create_write_key("Website")
    revoke_write_key(new.key)
    assert authenticate_write_key(new.secret) is None


def test_explicit_secret_for_the_demo():
    new = create_write_key("Demo website", secret="wk_demo_accord_public_key")
    assert authenticate_write_key("wk_demo_accord_public_key") == new.key


@pytest.mark.parametrize(
    "secret", ["short", "has space in it 0123456789", "colon:is:not:allowed:0123", "é" * 30]
)
def test_explicit_secret_is_checked(secret):
    with pytest.raises(Invalid):
        create_write_key("x", secret=secret)


def test_names_are_required_and_secrets_unique():
    with pytest.raises(Invalid):
        create_write_key("   ")
    create_write_key("a", secret="wk_the_same_secret_0123456")
    with pytest.raises(Invalid, match="already exists"):
        create_write_key("b", secret="wk_the_same_secret_0123456")


def test_command_prints_the_key_once():
    out, err = StringIO(), StringIO()
    call_command("create_write_key", name="Marketing site", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    found = authenticate_write_key(secret)
    assert found is not None and found.name == "Marketing site"
    assert "shown once" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("create_write_key", name=" ", stdout=out, stderr=err)


# ---------------------------------------------------------------- the settings page
def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MARKETING_MANAGER])
def test_admin_creates_sees_once_and_revokes(users, role):
    client = _client(users[role])
    response = client.post("/tracking/write-keys/", {"name": "Website"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = WriteKey.objects.get()
    secret = response.context["new_secret"]
    assert authenticate_write_key(secret) == key
    assert secret in response.content.decode()
    assert "data-write-key" in response.content.decode()

    listing = client.get("/tracking/write-keys/").content.decode()
    assert secret not in listing
    assert key.prefix in listing

    assert client.post(f"/tracking/write-keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_blank_name_is_an_error_on_the_page(users):
    response = _client(users[Role.ADMIN]).post("/tracking/write-keys/", {"name": ""})
    assert response.status_code == 422
    assert not WriteKey.objects.exists()


@pytest.mark.parametrize("role", [Role.MARKETER, Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.SALES_MANAGER])
def test_other_roles_may_not_manage_keys(users, role):
    key = create_write_key("Website").key
    client = _client(users[role])
    assert client.get("/tracking/write-keys/").status_code == 403
    assert client.post("/tracking/write-keys/", {"name": "x"}).status_code == 403
    assert client.post(f"/tracking/write-keys/{key.pk}/revoke/").status_code == 403
    assert WriteKey.objects.count() == 1


def test_anonymous_users_are_sent_to_login(db):
    response = Client().get("/tracking/write-keys/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_snippet_is_served_at_a_stable_url(client):
    response = client.get("/t/accord.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert "data-write-key" in body and "accord_aid" in body and "sendBeacon" in body
    assert len(response.content) < 8 * 1024
