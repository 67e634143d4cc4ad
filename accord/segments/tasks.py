"""Background work for segments. Every task is idempotent: running it twice leaves the same membership."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accord.contacts.models import Contact
from accord.segments import graph, rebuild


@db_task()
def rebuild_segment_task(segment_id: int) -> None:
    """Rebuild a segment and then the segments that use it; a deleted segment is nothing to do."""
    rebuild.rebuild_with_dependents(segment_id)


@db_task()
def rebuild_dependents_task(segment_id: int) -> None:
    """Rebuild the segments that use ``segment_id`` (after a static list changed)."""
    rebuild.rebuild_many(graph.dependents(segment_id, graph.load_graph()))


@db_task()
def refresh_contacts_task(contact_ids: list[int]) -> None:
    """Bring every dynamic segment up to date for contacts that changed (a batch from ingest or edits)."""
    rebuild.refresh_for_contacts(contact_ids)


@db_task()
def refresh_company_task(company_id: int) -> None:
    """A company changed: refresh its contacts, one batch at a time."""
    ids = Contact.objects.filter(company_id=company_id).order_by("pk").values_list("pk", flat=True)
    rebuild.refresh_for_contacts(ids.iterator(chunk_size=rebuild.REFRESH_BATCH))


# Windows ("in the last 30 days") move with the clock even when nothing happens; catch up hourly.
@db_periodic_task(crontab(minute="7"))
def rebuild_time_dependent_task() -> None:
    rebuild.rebuild_time_dependent()
