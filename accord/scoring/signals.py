"""Keep scores current as records change: rescore the contacts concerned in the worker, after commit.

- ingest: ``tracking.signals.touchpoints_ingested`` (sent after commit, once per request, with the
  batch's contact ids) → one rescore task for the batch;
- a single touchpoint saved outside ingest (``record_touchpoint``) → its contact;
- a contact saved (fit may change) → that contact; a company saved → its contacts. A save that only
  moves the lifecycle stage (``change_stage``) does not rescore: no rule reads the stage's history,
  and an MQL move made by scoring would otherwise rescore the contact it just scored.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from accord.contacts.models import Company, Contact
from accord.scoring import tasks
from accord.tracking.models import Touchpoint
from accord.tracking.signals import touchpoints_ingested


def _rescore_later(contact_ids: list[int]) -> None:
    ids = sorted({int(pk) for pk in contact_ids if pk is not None})
    if ids:
        transaction.on_commit(lambda: tasks.rescore_contacts_task(ids))


def touchpoints_stored(sender: Any, contact_ids: list[int] | None = None, **kwargs: Any) -> None:
    _rescore_later(list(contact_ids or []))


def touchpoint_saved(
    sender: type[Touchpoint], instance: Touchpoint, raw: bool = False, **kwargs: Any
) -> None:
    if not raw and instance.contact_id is not None:
        _rescore_later([instance.contact_id])


def contact_saved(
    sender: type[Contact], instance: Contact, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or (update_fields is not None and set(update_fields) <= {"lifecycle_stage", "updated_at"}):
        return
    _rescore_later([instance.pk])


def company_saved(
    sender: type[Company], instance: Company, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    if not raw and not created:  # a new company has no contacts yet
        company_id = instance.pk
        transaction.on_commit(lambda: tasks.rescore_company_task(company_id))


def connect() -> None:
    touchpoints_ingested.connect(touchpoints_stored, dispatch_uid="scoring.touchpoints_ingested")
    post_save.connect(touchpoint_saved, sender=Touchpoint, dispatch_uid="scoring.touchpoint_saved")
    post_save.connect(contact_saved, sender=Contact, dispatch_uid="scoring.contact_saved")
    post_save.connect(company_saved, sender=Company, dispatch_uid="scoring.company_saved")
