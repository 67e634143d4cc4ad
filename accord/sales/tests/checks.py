"""Checks shared by the sales tests."""

from __future__ import annotations

import pytest

from accord.sales.models import Deal, DealStageChange, Pipeline, PipelineStage


def snapshot():
    """Pipelines, stages (with archived_at), deals and their history, to prove a refusal changed nothing."""
    return (
        list(Pipeline.objects.order_by("pk").values_list("pk", "name", "is_default")),
        list(
            PipelineStage.objects.order_by("pk").values_list(
                "pk",
                "pipeline_id",
                "name",
                "position",
                "probability",
                "outcome",
                "rotting_days",
                "archived_at",
            )
        ),
        list(Deal.objects.order_by("pk").values_list("pk", "stage_id", "status", "closed_at")),
        DealStageChange.objects.count(),
    )


def refused(exc_type, call, *args, **kwargs):
    """Run an action that must be refused; return the error after checking nothing changed."""
    before = snapshot()
    with pytest.raises(exc_type) as info:
        call(*args, **kwargs)
    assert snapshot() == before
    return info.value
