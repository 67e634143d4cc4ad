"""Tracking links: creating them (destination checked and stored once) and recording clicks."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accord.accounts.models import User
from accord.campaigns.actions._checks import contact_exists, text
from accord.campaigns.destinations import check_http_url, with_utm
from accord.campaigns.models import MAX_DESTINATION_LENGTH, Campaign, LinkClick, TrackingLink
from accord.campaigns.signals import link_clicked
from accord.core.errors import Conflict
from accord.core.numbers import ascii_int

CODE_BYTES = 6  # 8 URL-safe characters: 2**48 codes
CODE_ATTEMPTS = 5
_CONTACT_SALT = "accord.campaigns.link-contact"
_IP_SALT = "accord.campaigns.click-ip"
MAX_ANONYMOUS_ID = 200


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def create_tracking_link(
    campaign: Campaign,
    *,
    destination: str,
    label: str = "",
    add_utm: bool = True,
    by: User | None = None,
) -> TrackingLink:
    """A short link of ``campaign`` to ``destination``.

    The destination must be an absolute http(s) URL; the campaign's UTM codes are appended (unless
    the URL sets them, or ``add_utm`` is false) and the result is stored. The redirect only ever
    sends visitors to this stored URL.
    """
    url = check_http_url(destination, field="destination")
    if add_utm:
        url = with_utm(
            url, source=campaign.utm_source, medium=campaign.utm_medium, campaign=campaign.utm_campaign
        )
        url = check_http_url(url, field="destination", max_length=MAX_DESTINATION_LENGTH)
    label = text(label, "label", max_length=200)
    for _ in range(CODE_ATTEMPTS):
        link = TrackingLink(campaign=campaign, code=new_code(), destination=url, label=label, created_by=by)
        try:
            with transaction.atomic():
                link.save()
        except IntegrityError:  # the random code is taken: draw another
            continue
        return link
    raise Conflict("Could not find a free short code; try again.", code="short_code_exhausted")


# ---------------------------------------------------------------- contact tokens
def contact_token(contact_id: int) -> str:
    """A signed token naming a contact, for links sent to that contact (``?c=<token>``)."""
    return signing.Signer(salt=_CONTACT_SALT).sign(str(contact_id))


def contact_from_token(token: str) -> int | None:
    """The contact id a token names, or None if it is missing, altered or malformed."""
    if not token or len(token) > 200:
        return None
    try:
        value = signing.Signer(salt=_CONTACT_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return ascii_int(value)


def tracked_url(link: TrackingLink, *, base_url: str, contact_id: int | None = None) -> str:
    """The full short URL to send, optionally naming the contact it is sent to."""
    url = base_url.rstrip("/") + link.get_short_path()
    return f"{url}?c={contact_token(contact_id)}" if contact_id else url


# ---------------------------------------------------------------- clicks
def hash_ip(ip: str) -> str:
    """A keyed hash of a client IP: counts unique clickers without storing addresses."""
    return salted_hmac(_IP_SALT, ip, algorithm="sha256").hexdigest() if ip else ""


@dataclass(frozen=True)
class ClickInfo:
    ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    anonymous_id: str = ""
    contact_token: str = ""


def _header_text(value: str, max_length: int) -> str:
    """A request header as storable text: no NUL or other control characters, bounded length."""
    return "".join(ch for ch in value[: max_length * 2] if ch.isprintable())[:max_length]


def _clean_anonymous_id(value: str) -> str:
    value = value.strip()
    ok = value and len(value) <= MAX_ANONYMOUS_ID and value.isascii() and value.isprintable()
    return value if ok else ""


def record_click(link_id: int, campaign_id: int, info: ClickInfo, *, at: datetime | None = None) -> LinkClick:
    """Store one click (one INSERT, plus one look-up when a contact token is sent) and announce it
    with :data:`~accord.campaigns.signals.link_clicked` after commit."""
    contact_id = contact_from_token(info.contact_token)
    if contact_id is not None and not contact_exists(LinkClick, contact_id):
        contact_id = None
    click = LinkClick(
        link_id=link_id,
        occurred_at=at or timezone.now(),
        ip_hash=hash_ip(info.ip),
        user_agent=_header_text(info.user_agent, 400),
        referrer=_header_text(info.referrer, 1000),
        anonymous_id=_clean_anonymous_id(info.anonymous_id),
        contact_id=contact_id,
    )
    with transaction.atomic():
        click.save()
        transaction.on_commit(
            lambda: link_clicked.send(
                sender=LinkClick,
                click_id=click.pk,
                link_id=link_id,
                campaign_id=campaign_id,
                contact_id=click.contact_id,
                anonymous_id=click.anonymous_id,
                occurred_at=click.occurred_at,
            )
        )
    return click
