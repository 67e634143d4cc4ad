"""API-key authentication of the REST API: headers accepted, everything else refused."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.accounts.actions import create_api_key, revoke_api_key
from accord.accounts.models import ApiKey, Role
from accord.contacts.models import Contact

pytestmark = pytest.mark.django_db

URL = "/api/contacts"
UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "A valid API key is required, sent as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
    "field_errors": {},
}


def get(headers: dict[str, str] | None = None, url: str = URL):
    return Client().get(url, headers=headers or {})


def test_bearer_key_authenticates(users):
    secret = create_api_key(users[Role.SDR]).secret
    response = get({"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_x_api_key_header_authenticates(users):
    secret = create_api_key(users[Role.SDR]).secret
    assert get({"X-API-Key": secret}).status_code == 200


def test_no_key_is_401_with_error_body():
    response = get()
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        {"Authorization": "Bearer acc_000000000000_notarealkey"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-API-Key": "nope"},
        {"X-API-Key": "acc_\u00e9\u00e9_x"},
        {"X-API-Key": "acc_\x00_x"},
        {"Authorization": "Bearer " + "a" * 5000},
    ],
)
def test_unknown_or_malformed_keys_are_401(header):
    response = get(header)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_key_sent_with_another_scheme_is_refused(users):
    secret = create_api_key(users[Role.SDR]).secret
    assert get({"Authorization": f"Token {secret}"}).status_code == 401


def test_revoked_key_is_401(users):
    new = create_api_key(users[Role.ADMIN])
    revoke_api_key(new.key)
    response = get({"Authorization": f"Bearer {new.secret}"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_inactive_user_is_401(users):
    user = users[Role.ADMIN]
    secret = create_api_key(user).secret
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = get({"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("param", ["api_key", "apikey", "key", "token", "access_token", "API_KEY", "Token"])
def test_key_in_query_string_is_400_even_with_a_valid_header(users, param):
    secret = create_api_key(users[Role.ADMIN]).secret
    response = get({"Authorization": f"Bearer {secret}"}, url=f"{URL}?{param}={secret}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "api_key_in_url"
    assert "header" in body["message"]
    assert "never in the URL" in body["message"]
    assert body["field_errors"] == {param: ["Not allowed in the URL."]}


def test_key_in_query_string_is_400_without_a_header_too():
    response = get(url=f"{URL}?api_key=whatever")
    assert response.status_code == 400
    assert response.json()["code"] == "api_key_in_url"


def test_key_in_query_string_blocks_writes(users):
    secret = create_api_key(users[Role.ADMIN]).secret
    response = Client().post(
        f"{URL}?token={secret}",
        {"email": "leak@example.com"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_last_used_at_is_recorded(users):
    new = create_api_key(users[Role.MARKETER])
    assert new.key.last_used_at is None
    assert get({"Authorization": f"Bearer {new.secret}"}).status_code == 200
    assert ApiKey.objects.get(pk=new.key.pk).last_used_at is not None


def test_unauthenticated_write_changes_nothing():
    response = Client().post(URL, {"email": "anon@example.com"}, content_type="application/json")
    assert response.status_code == 401
    assert not Contact.objects.exists()


def test_api_writes_need_no_csrf_token(users):
    """Keys, not cookies, authenticate the API, so Django's CSRF check must not apply to it."""
    secret = create_api_key(users[Role.ADMIN]).secret
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"})
    created = client.post(URL, {"email": "csrf@example.com"}, content_type="application/json")
    assert created.status_code == 201
    unknown = client.post("/api/nowhere", {}, content_type="application/json")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
