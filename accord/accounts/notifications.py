"""In-app notifications with an email copy: the one way any app tells a user something happened.

    notify([rep], kind="lead_assigned", title="New lead: Ada Lovelace", url="/leads/12/",
           key=f"lead_assigned:{assignment.pk}")

Rows are written in the caller's transaction; emails go out after commit (a Huey task, idempotent:
a notice is emailed at most once, recorded in ``emailed_at``). With a ``key`` the same notice is
stored once per user, however often it is raised.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accord.accounts.models import Notification, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One notice for one user, for :func:`notify_many`."""

    user_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    key: str = ""


def notify(
    users: Iterable[User | None],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
    email: bool = True,
) -> list[int]:
    """Store one notice per active user (skipping users who already have ``key``); email them after
    commit. Returns the ids of the notices created now."""
    active = [u.pk for u in users if u is not None and u.is_active]
    return notify_many([Notice(pk, kind, title, body, url, key) for pk in dict.fromkeys(active)], email=email)


def notify_many(notices: Sequence[Notice], *, email: bool = True) -> list[int]:
    """Store many notices in one INSERT (a notice whose user already has its ``key`` is skipped) and
    email the new ones in one task after commit. Callers pass active users only. Returns new ids."""
    if not notices:
        return []
    keyed = [n for n in notices if n.key]
    taken: set[tuple[int, str]] = set()
    if keyed:
        taken = set(
            Notification.objects.filter(
                user_id__in={n.user_id for n in keyed}, key__in={n.key[:200] for n in keyed}
            ).values_list("user_id", "key")
        )
    rows = [
        Notification(user_id=n.user_id, kind=n.kind, title=n.title[:200], body=n.body, url=n.url[:500],
                     key=n.key[:200])
        for n in notices
        if (n.user_id, n.key[:200]) not in taken
    ]  # fmt: skip
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)  # sets no ids with ignore_conflicts
    since = min(r.created_at for r in rows)  # auto_now_add is filled in before the insert
    ids = list(
        Notification.objects.filter(
            user_id__in={r.user_id for r in rows}, kind__in={r.kind for r in rows}, created_at__gte=since,
            emailed_at=None,
        ).values_list("pk", flat=True)
    )  # fmt: skip
    if email and ids:
        transaction.on_commit(lambda: _schedule_email(ids))
    return ids


def _schedule_email(ids: Sequence[int]) -> None:
    from accord.accounts.tasks import email_notifications

    email_notifications(list(ids))


def send_emails(ids: Sequence[int]) -> int:
    """Email each not-yet-emailed notice in ``ids`` to its user; returns how many were sent."""
    sent = 0
    base = getattr(settings, "ACCORD_BASE_URL", "").rstrip("/")
    for note in Notification.objects.select_related("user").filter(pk__in=ids, emailed_at=None):
        # claim the notice first, so two workers never send the same one
        if not Notification.objects.filter(pk=note.pk, emailed_at=None).update(emailed_at=timezone.now()):
            continue
        if not note.user.email:
            continue
        link = f"\n\n{base}{note.url}" if note.url else ""
        try:
            send_mail(
                f"[Accord] {note.title}",
                f"{note.body}{link}".strip() or note.title,
                settings.DEFAULT_FROM_EMAIL,
                [note.user.email],
            )
            sent += 1
        except OSError:
            log.exception("Could not email notification %s", note.pk)
            Notification.objects.filter(pk=note.pk).update(emailed_at=None)
    return sent


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
