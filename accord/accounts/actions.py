"""Write operations for accounts. Each function is one atomic change."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import ApiKey, Role, Team, User

API_KEY_PREFIX = "acc"
# last_used_at is written at most this often per key, so a busy script does not turn every
# read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiKey:
    key: ApiKey
    secret: str  # the full key; shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(
    *,
    username: str,
    password: str | None,
    role: str = Role.MARKETER,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    team: Team | None = None,
    is_superuser: bool = False,
) -> User:
    with transaction.atomic():
        user = User(
            username=username,
            email=email.strip().lower(),
            first_name=first_name,
            last_name=last_name,
            role=role,
            team=team,
            is_superuser=is_superuser,
            is_staff=is_superuser or role == Role.ADMIN,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    return user


def create_api_key(user: User, name: str = "default") -> NewApiKey:
    """Create a key for ``user``. The returned secret is the only copy there will ever be."""
    prefix = secrets.token_hex(6)
    secret = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        user=user, name=name[:100] or "default", prefix=prefix, hashed_secret=_hash(secret)
    )
    return NewApiKey(key=key, secret=secret)


def revoke_api_key(key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def authenticate_api_key(secret: str) -> User | None:
    """Return the active user owning ``secret``, or None. Records last use."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=parts[1]).first()
    if key is None or key.revoked_at is not None or not key.user.is_active:
        return None
    if not hmac.compare_digest(key.hashed_secret, _hash(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.user
