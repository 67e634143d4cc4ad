"""Write operations on pipelines, deals and activities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from accord.core.errors import Invalid
from accord.sales.models import Activity, Deal, Pipeline, PipelineStage

# Sent after commit with activity_id, kind, contact_id, deal_id, owner_id, done (bool). The handoff
# listens to it to stop the first-touch SLA clock when a rep calls or emails a lead.
activity_logged = Signal()

DEFAULT_STAGES: tuple[tuple[str, int, str, int | None], ...] = (
    ("Qualification", 10, PipelineStage.Outcome.OPEN, 14),
    ("Discovery", 20, PipelineStage.Outcome.OPEN, 14),
    ("Demo", 40, PipelineStage.Outcome.OPEN, 10),
    ("Proposal", 60, PipelineStage.Outcome.OPEN, 10),
    ("Negotiation", 80, PipelineStage.Outcome.OPEN, 7),
    ("Closed won", 100, PipelineStage.Outcome.WON, None),
    ("Closed lost", 0, PipelineStage.Outcome.LOST, None),
)


def create_pipeline(
    name: str,
    stages: Sequence[tuple[str, int, str, int | None]] = DEFAULT_STAGES,
    *,
    is_default: bool = False,
) -> Pipeline:
    with transaction.atomic():
        if is_default:
            Pipeline.objects.filter(is_default=True).update(is_default=False)
        pipeline = Pipeline.objects.create(name=name, is_default=is_default)
        PipelineStage.objects.bulk_create(
            PipelineStage(pipeline=pipeline, name=n, position=i, probability=p, outcome=o, rotting_days=r)
            for i, (n, p, o, r) in enumerate(stages)
        )
    return pipeline


def create_deal(
    *,
    name: str,
    pipeline: Pipeline,
    stage: PipelineStage | None = None,
    amount: Decimal | int = 0,
    **fields: Any,
) -> Deal:
    stage = stage or pipeline.stages.order_by("position").first()
    if stage is None or stage.pipeline_id != pipeline.pk:
        raise Invalid(
            "The stage does not belong to the pipeline.",
            field_errors={"stage": ["Pick a stage of this pipeline."]},
        )
    if Decimal(amount) < 0:
        raise Invalid("A deal amount cannot be negative.", field_errors={"amount": ["Must be zero or more."]})
    status = {PipelineStage.Outcome.WON: Deal.Status.WON, PipelineStage.Outcome.LOST: Deal.Status.LOST}.get(
        stage.outcome,
        Deal.Status.OPEN,  # type: ignore[call-overload]
    )
    return Deal.objects.create(
        name=name, pipeline=pipeline, stage=stage, amount=amount, status=status, **fields
    )


def log_activity(
    *,
    kind: str,
    subject: str,
    owner: Any = None,
    due_at: datetime | None = None,
    done_at: datetime | None = None,
    **fields: Any,
) -> Activity:
    if kind not in Activity.Kind.values:
        raise Invalid(f"Unknown activity type {kind!r}.", field_errors={"kind": ["Pick an activity type."]})
    if not subject.strip():
        raise Invalid("An activity needs a subject.", field_errors={"subject": ["This field is required."]})
    activity = Activity.objects.create(
        kind=kind, subject=subject.strip(), owner=owner, due_at=due_at, done_at=done_at, **fields
    )
    transaction.on_commit(
        lambda: activity_logged.send(
            sender=Activity,
            activity_id=activity.pk,
            kind=activity.kind,
            contact_id=activity.contact_id,
            deal_id=activity.deal_id,
            owner_id=activity.owner_id,
            done=activity.done_at is not None,
        )
    )
    return activity
