"""What a stored link may point at, and how UTM codes are added to it.

Every URL Accord will later put in an ``href`` or a redirect (tracking link destinations, online
event rooms, mention URLs) is checked here when it is stored: absolute ``http``/``https`` with a
host, no user name or password, no spaces or control characters, and a bounded length. So
``javascript:``, ``data:``, protocol-relative (``//evil.test``) and ``https://bank.test@evil.test``
style URLs never get in.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from accord.campaigns.models import MAX_DESTINATION_LENGTH
from accord.core.errors import Invalid

ALLOWED_SCHEMES = ("http", "https")
_validate = URLValidator(schemes=list(ALLOWED_SCHEMES))


def _refuse(field: str, message: str) -> Invalid:
    return Invalid(message, field_errors={field: [message]})


def check_http_url(
    value: str, *, field: str = "url", required: bool = True, max_length: int = MAX_DESTINATION_LENGTH
) -> str:
    """``value`` trimmed, if it is a safe absolute http(s) URL; else :class:`Invalid` on ``field``."""
    url = (value or "").strip()
    if not url:
        if required:
            raise _refuse(field, "Enter a URL.")
        return ""
    if len(url) > max_length:
        raise _refuse(field, f"Use at most {max_length} characters.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in url):
        raise _refuse(field, "A URL must not contain spaces, backslashes or control characters.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise _refuse(field, "Enter a valid URL.") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise _refuse(field, "Only http:// and https:// URLs are allowed.")
    if not parts.hostname:
        raise _refuse(field, "The URL needs a host name, e.g. https://example.com/page.")
    if parts.username is not None or parts.password is not None:
        raise _refuse(field, "A URL must not contain a user name or password.")
    try:
        _validate(url)
    except ValidationError as exc:
        raise _refuse(field, "Enter a valid URL.") from exc
    return url


def with_utm(url: str, *, source: str, medium: str, campaign: str) -> str:
    """``url`` with ``utm_source``, ``utm_medium`` and ``utm_campaign`` added where set and not
    already in its query. The existing query is kept byte for byte."""
    parts = urlsplit(url)
    present = {pair.split("=", 1)[0].lower() for pair in parts.query.split("&") if pair}
    wanted = [
        (key, value)
        for key, value in (("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign))
        if value and key not in present
    ]
    if not wanted:
        return url
    query = "&".join(filter(None, [parts.query, urlencode(wanted)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
