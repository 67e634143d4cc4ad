"""Background work for scoring. Every task is idempotent: running it twice leaves the same scores
(the MQL move only happens to contacts still before MQL, a finished recompute run is not rerun)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accord.contacts.models import Contact
from accord.scoring import predictive, recompute

RESCORE_COMPANY_BATCH = 5000


@db_task()
def rescore_contacts_task(contact_ids: list[int]) -> None:
    """Rescore a batch of contacts (after ingest, an edit or a merge)."""
    recompute.rescore_contacts(contact_ids)


@db_task()
def rescore_company_task(company_id: int) -> None:
    """A company changed: its contacts' fit may have changed."""
    ids = list(Contact.objects.filter(company_id=company_id).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), RESCORE_COMPANY_BATCH):
        recompute.rescore_contacts(ids[start : start + RESCORE_COMPANY_BATCH])


@db_task()
def full_recompute_task(run_id: int) -> None:
    recompute.run_recompute(run_id)


# Engagement decays with the clock even when nothing happens: recompute everyone nightly.
@db_periodic_task(crontab(hour="3", minute="15"))
def nightly_recompute_task() -> None:
    run, created = recompute.create_run()
    if created:  # otherwise a recompute someone asked for is already on its way
        recompute.run_recompute(run.pk)


@db_periodic_task(crontab(hour="2", minute="40"))
def retrain_win_model_task() -> None:
    predictive.train_win_model()
