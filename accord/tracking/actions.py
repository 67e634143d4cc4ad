"""Write operations of the tracking app: touchpoints and write keys.

Bulk ingest from the Segment-compatible API lives in :mod:`accord.tracking.ingest`; it stores
touchpoints set-based and is the hot path. :func:`record_touchpoint` is for single touchpoints
recorded by other apps' actions (an email click, an attended event).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.core.errors import Invalid
from accord.tracking.models import EventType, Touchpoint, WriteKey

WRITE_KEY_PREFIX = "wk_"
MIN_EXPLICIT_SECRET_LENGTH = 20
MAX_WRITE_KEY_LENGTH = 200
# last_used_at is written at most this often per key, so ingest does not write the key row
# on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewWriteKey:
    key: WriteKey
    secret: str  # the full key; shown once, never stored


def hash_write_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_secret(secret: str) -> None:
    if not (MIN_EXPLICIT_SECRET_LENGTH <= len(secret) <= MAX_WRITE_KEY_LENGTH):
        raise Invalid(
            f"A write key must be {MIN_EXPLICIT_SECRET_LENGTH}–{MAX_WRITE_KEY_LENGTH} characters long.",
            field_errors={"secret": ["Wrong length."]},
        )
    if not (secret.isascii() and secret.isprintable()) or ":" in secret or " " in secret:
        raise Invalid(
            "A write key may only contain printable ASCII characters, without spaces or ':'.",
            field_errors={"secret": ["Not allowed characters."]},
        )


def create_write_key(
    name: str, secret: str | None = None, *, by: User | None = None, may_merge: bool = False
) -> NewWriteKey:
    """Create a write key. The returned secret is the only copy there will ever be.

    ``secret`` lets a caller choose the key (the demo workspace has a known one); by default it is
    ``wk_`` followed by 256 random bits. ``may_merge`` is for server-side keys: their identify/alias
    calls may merge two existing contacts (a browser key's may not).
    """
    name = name.strip()[:100]
    if not name:
        raise Invalid("A write key needs a name.", field_errors={"name": ["This field is required."]})
    if secret is None:
        secret = WRITE_KEY_PREFIX + secrets.token_urlsafe(32)
    _check_secret(secret)
    hashed = hash_write_key(secret)
    if WriteKey.objects.filter(hashed_secret=hashed).exists():
        raise Invalid("That write key already exists.", field_errors={"secret": ["Already in use."]})
    key = WriteKey.objects.create(
        name=name, prefix=secret[:11], hashed_secret=hashed, created_by=by, may_merge=may_merge
    )
    return NewWriteKey(key=key, secret=secret)


def revoke_write_key(key: WriteKey) -> None:
    """Stop accepting events sent with ``key``. Events it sent before stay."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def authenticate_write_key(secret: str) -> WriteKey | None:
    """The active write key for ``secret``, or None. Records its last use (at most once a minute).

    Keys are found by the SHA-256 of the secret (a unique index), so a wrong key costs one indexed
    lookup and reveals nothing about the right one.
    """
    if not secret or len(secret) > MAX_WRITE_KEY_LENGTH or not (secret.isascii() and secret.isprintable()):
        return None
    key = WriteKey.objects.filter(hashed_secret=hash_write_key(secret)).first()
    if key is None or key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        WriteKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def record_touchpoint(
    *,
    type: str,
    occurred_at: datetime,
    contact_id: int | None = None,
    anonymous_id: str = "",
    campaign_id: int | None = None,
    name: str = "",
    properties: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    message_id: str | None = None,
) -> Touchpoint:
    if type not in EventType.values:
        raise ValueError(f"Unknown touchpoint type {type!r}")
    if timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be timezone-aware")
    return Touchpoint.objects.create(
        message_id=message_id or uuid.uuid4().hex,
        type=type,
        name=name,
        contact_id=contact_id,
        anonymous_id=anonymous_id,
        campaign_id=campaign_id,
        properties=properties or {},
        context=context or {},
        occurred_at=occurred_at,
        received_at=timezone.now(),
    )


def record_touchpoints(rows: Sequence[Touchpoint], *, batch_size: int = 2000) -> int:
    """Bulk insert; rows whose ``message_id`` already exists are skipped. Returns rows offered."""
    with transaction.atomic():
        Touchpoint.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    return len(rows)


def move_touchpoints(primary_id: int, duplicate_id: int) -> None:
    """Merge hook: the duplicate contact's touchpoints now belong to the primary."""
    Touchpoint.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)
