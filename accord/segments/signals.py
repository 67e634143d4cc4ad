"""Keep memberships current as records change: after commit, refresh the contacts concerned.

- single saves of contacts, companies and touchpoints (``post_save``);
- ingest batches: ``tracking.signals.touchpoints_ingested`` (sent after commit with the batch's
  contact ids) schedules one refresh task per request.

Other bulk writes (imports) send no ``post_save``; they call
:func:`accord.segments.actions.schedule_refresh` with the batch of contact ids.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from accord.contacts.models import Company, Contact
from accord.segments import tasks
from accord.tracking.models import Touchpoint
from accord.tracking.signals import touchpoints_ingested


def _refresh_later(contact_ids: list[int]) -> None:
    transaction.on_commit(lambda: tasks.refresh_contacts_task(contact_ids))


def contact_saved(sender: type[Contact], instance: Contact, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _refresh_later([instance.pk])


def company_saved(
    sender: type[Company], instance: Company, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    if not raw and not created:  # a new company has no contacts yet
        company_id = instance.pk
        transaction.on_commit(lambda: tasks.refresh_company_task(company_id))


def touchpoint_saved(
    sender: type[Touchpoint], instance: Touchpoint, raw: bool = False, **kwargs: Any
) -> None:
    if not raw and instance.contact_id is not None:
        _refresh_later([instance.contact_id])


def batch_ingested(sender: Any, contact_ids: Any = (), **kwargs: Any) -> None:
    """Sent after commit already: schedule the refresh directly."""
    ids = sorted({int(i) for i in contact_ids or ()})
    if ids:
        tasks.refresh_contacts_task(ids)


def connect() -> None:
    post_save.connect(contact_saved, sender=Contact, dispatch_uid="segments.contact_saved")
    post_save.connect(company_saved, sender=Company, dispatch_uid="segments.company_saved")
    post_save.connect(touchpoint_saved, sender=Touchpoint, dispatch_uid="segments.touchpoint_saved")
    touchpoints_ingested.connect(batch_ingested, dispatch_uid="segments.batch_ingested")
