"""The self-service API key page: create (shown once), list own keys, revoke."""

from __future__ import annotations

import pytest

from accord.accounts.actions import authenticate_api_key, create_api_key
from accord.accounts.models import ApiKey, Role

pytestmark = pytest.mark.django_db


def test_create_shows_the_key_once_and_it_works(client, users):
    client.force_login(users[Role.SDR])
    resp = client.post("/account/api-keys/", {"name": "sync script"})
    assert resp.status_code == 200
    secret = resp.context["new_secret"]
    assert secret and secret in resp.content.decode()
    assert authenticate_api_key(secret) == users[Role.SDR]
    again = client.get("/account/api-keys/")
    assert secret not in again.content.decode()
    assert "sync script" in again.content.decode()


def test_blank_name_is_refused_and_nothing_is_created(client, users):
    client.force_login(users[Role.SDR])
    resp = client.post("/account/api-keys/", {"name": "  "})
    assert resp.status_code == 422
    assert "Give the key a name" in resp.content.decode()
    assert not ApiKey.objects.exists()


def test_users_see_and_revoke_only_their_own_keys(client, users):
    theirs = create_api_key(users[Role.ACCOUNT_EXECUTIVE], "ae key").key
    mine = create_api_key(users[Role.SDR], "sdr key").key
    client.force_login(users[Role.SDR])
    page = client.get("/account/api-keys/").content.decode()
    assert "sdr key" in page and "ae key" not in page
    assert client.post(f"/account/api-keys/{theirs.pk}/revoke/").status_code == 403
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.post(f"/account/api-keys/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None


def test_admin_sees_and_revokes_everyones_keys(client, users):
    key = create_api_key(users[Role.SDR], "sdr key").key
    client.force_login(users[Role.ADMIN])
    assert "sdr key" in client.get("/account/api-keys/").content.decode()
    assert client.post(f"/account/api-keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_revoke_needs_post(client, users):
    key = create_api_key(users[Role.SDR]).key
    client.force_login(users[Role.SDR])
    assert client.get(f"/account/api-keys/{key.pk}/revoke/").status_code == 405
