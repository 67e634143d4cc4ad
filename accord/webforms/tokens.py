"""Signed, timestamped tokens (``django.core.signing``) for the public side of forms.

Each purpose has its own salt, so a token made for one purpose is worthless for another:

- ``form``: rendered into every public form; a post without a valid one is refused. A public
  form cannot rely on the Accord session cookie (it runs in an iframe on another site), so this
  token stands in for the CSRF token: it proves the post comes from a form Accord rendered.
- ``thanks``: the thanks page of one submission (so a refresh never re-submits).
- ``asset``: the gated asset download link, expiring.
- ``confirm``: the double opt-in link, expiring.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

FORM_TOKEN_AGE = timedelta(days=2)
THANKS_TOKEN_AGE = timedelta(days=1)


def asset_link_age() -> timedelta:
    return timedelta(hours=getattr(settings, "ACCORD_FORM_ASSET_LINK_HOURS", 48))


def confirm_link_age() -> timedelta:
    return timedelta(hours=getattr(settings, "ACCORD_FORM_CONFIRM_LINK_HOURS", 48))


class Expired(Exception):
    """A genuine token that is too old; ``value`` is what it carried."""

    def __init__(self, value: int) -> None:
        super().__init__("expired")
        self.value = value


def make(purpose: str, value: int) -> str:
    return signing.dumps(value, salt=f"accord.webforms.{purpose}", compress=False)


def read(purpose: str, token: str, max_age: timedelta) -> int | None:
    """The id a token carries; None when the token is not genuine; :class:`Expired` when too old."""
    salt = f"accord.webforms.{purpose}"
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        try:
            old = signing.loads(token, salt=salt)
        except signing.BadSignature:
            return None
        if isinstance(old, int) and not isinstance(old, bool):
            raise Expired(old) from None
        return None
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
