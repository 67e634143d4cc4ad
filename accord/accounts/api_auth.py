"""API-key authentication for the REST API.

A key is sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. A key, or anything
that looks like one, in the URL's query string is refused with 400 even when a valid header is
sent too: URLs end up in logs, browser history and Referer headers, so a key there is leaked.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from accord.accounts.actions import authenticate_api_key
from accord.accounts.models import User
from accord.core.errors import ActionError

KEY_QUERY_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token"})
# Keys are short printable ASCII; anything else is refused before touching the database.
MAX_KEY_LENGTH = 200


class ApiKeyInUrl(ActionError):
    status = 400
    code = "api_key_in_url"


def refuse_key_in_url(request: HttpRequest) -> None:
    """Raise :class:`ApiKeyInUrl` when the query string carries something that looks like a key."""
    found = sorted({name for name in request.GET if name.lower() in KEY_QUERY_PARAMS})
    if found:
        raise ApiKeyInUrl(
            "API keys must be sent in a header ('Authorization: Bearer <key>' or 'X-API-Key: <key>'), "
            "never in the URL. Remove it from the URL, and revoke the key if it was a real one.",
            field_errors={name: ["Not allowed in the URL."] for name in found},
        )


def user_for_key(secret: str) -> User | None:
    secret = secret.strip()
    if not secret or len(secret) > MAX_KEY_LENGTH or not (secret.isascii() and secret.isprintable()):
        return None
    return authenticate_api_key(secret)


class BearerKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``."""

    def __call__(self, request: HttpRequest) -> User | None:
        refuse_key_in_url(request)
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_key(token)


class HeaderKeyAuth(APIKeyHeader):
    """``X-API-Key: <key>``, for clients that cannot set ``Authorization``."""

    param_name = "X-API-Key"

    def __call__(self, request: HttpRequest) -> User | None:
        refuse_key_in_url(request)
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return user_for_key(key) if key else None


def api_auth() -> list[Any]:
    """The auth callbacks for a NinjaAPI, tried in order."""
    return [BearerKeyAuth(), HeaderKeyAuth()]


def api_user(request: HttpRequest) -> User:
    """The user an authenticated API request acts as."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):  # pragma: no cover - every operation is authenticated
        raise TypeError("request is not authenticated with an API key")
    return user
