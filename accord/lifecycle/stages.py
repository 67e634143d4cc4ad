"""The lifecycle stages of the funnel, in order."""

from __future__ import annotations

from django.db import models


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", "Subscriber"
    LEAD = "lead", "Lead"
    MQL = "mql", "Marketing qualified lead"
    SAL = "sal", "Sales accepted lead"
    SQL = "sql", "Sales qualified lead"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    EVANGELIST = "evangelist", "Evangelist"
    # Off the main line: a lead sales rejected goes to one of these.
    RECYCLED = "recycled", "Recycled (nurture)"
    DISQUALIFIED = "disqualified", "Disqualified"


FUNNEL_ORDER: tuple[str, ...] = (
    LifecycleStage.SUBSCRIBER,
    LifecycleStage.LEAD,
    LifecycleStage.MQL,
    LifecycleStage.SAL,
    LifecycleStage.SQL,
    LifecycleStage.OPPORTUNITY,
    LifecycleStage.CUSTOMER,
    LifecycleStage.EVANGELIST,
)
OFF_FUNNEL: frozenset[str] = frozenset({LifecycleStage.RECYCLED, LifecycleStage.DISQUALIFIED})


def rank(stage: str) -> int:
    """Position on the main funnel line; off-funnel stages rank -1."""
    try:
        return FUNNEL_ORDER.index(stage)
    except ValueError:
        return -1


def is_backwards(from_stage: str | None, to_stage: str) -> bool:
    """A move to an earlier funnel stage. Moves into or out of recycled/disqualified are not
    "backwards" in this sense: they are explicit verdicts, which always carry a reason."""
    if not from_stage or from_stage in OFF_FUNNEL or to_stage in OFF_FUNNEL:
        return False
    return rank(to_stage) < rank(from_stage)
