"""Every write in scoring. Pages and the API call these; nothing else writes scoring tables.

- rules: :func:`create_fit_rule`, :func:`update_fit_rule`, :func:`delete_fit_rule` and the same for
  engagement rules; :func:`set_mql_threshold`;
- scores: :func:`rescore_contacts` (a batch, after ingest or an edit), :func:`request_recompute`
  (queue a full recompute run) and :func:`run_recompute` (what the worker runs);
- merges: :func:`drop_merged_score` (a :mod:`accord.core.merge` hook).

Changing rules or the threshold does not rescore by itself: the person saving decides when to
recompute ("Recompute now"), and the nightly run picks it up otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accord.accounts.models import User
from accord.core.errors import Invalid, from_django_validation
from accord.scoring import tasks
from accord.scoring.models import ContactScore, EngagementRule, FitRule, ScoreRun, ScoringSettings
from accord.scoring.mql import promote_to_mql
from accord.scoring.recompute import (
    RecomputeResult,
    create_run,
    full_recompute,
    rescore_contacts,
    run_recompute,
)
from accord.scoring.rules import clean_event_condition, clean_fit_condition

__all__ = [
    "RecomputeResult",
    "create_engagement_rule",
    "create_fit_rule",
    "delete_engagement_rule",
    "delete_fit_rule",
    "drop_merged_score",
    "full_recompute",
    "promote_to_mql",
    "request_recompute",
    "rescore_contacts",
    "run_recompute",
    "schedule_rescore",
    "set_mql_threshold",
    "update_engagement_rule",
    "update_fit_rule",
]

FIT_FIELDS = ("name", "condition", "points", "active")
ENGAGEMENT_FIELDS = (
    "name", "event_type", "event_name", "property_conditions", "points", "cap", "half_life_days",
    "window_days", "active",
)  # fmt: skip


def _unknown(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise Invalid(
            f"Unknown field(s): {', '.join(unknown)}.", field_errors={k: ["Unknown field."] for k in unknown}
        )


def _full_clean(obj: FitRule | EngagementRule | ScoringSettings, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise from_django_validation(exc) from exc


def _check_points(points: Any) -> None:
    if points == 0:
        raise Invalid("A rule worth 0 points changes nothing.", field_errors={"points": ["Must not be 0."]})


def _name(value: Any) -> str:
    return value.strip() if isinstance(value, str) else value


# --------------------------------------------------------------------------- fit rules
def _save_fit(rule: FitRule) -> FitRule:
    rule.name = _name(rule.name)
    _full_clean(rule, exclude=["condition"])
    _check_points(rule.points)
    clean_fit_condition(rule.condition)
    with transaction.atomic():
        rule.save()
    return rule


def create_fit_rule(**fields: Any) -> FitRule:
    _unknown(fields, FIT_FIELDS)
    return _save_fit(FitRule(**fields))


def update_fit_rule(rule: FitRule, **fields: Any) -> FitRule:
    _unknown(fields, FIT_FIELDS)
    for name, value in fields.items():
        setattr(rule, name, value)
    return _save_fit(rule)


def delete_fit_rule(rule: FitRule) -> None:
    rule.delete()


# --------------------------------------------------------------------------- engagement rules
def _save_engagement(rule: EngagementRule) -> EngagementRule:
    rule.name = _name(rule.name)
    rule.event_name = (rule.event_name or "").strip()
    if rule.property_conditions is None:
        rule.property_conditions = []
    _full_clean(rule, exclude=["property_conditions"])
    _check_points(rule.points)
    if rule.half_life_days > rule.window_days * 10:
        raise Invalid(
            "The half-life is far longer than the window: points would barely decay.",
            field_errors={"half_life_days": ["At most ten times the window."]},
        )
    if not isinstance(rule.property_conditions, list):
        raise Invalid(
            "Property conditions must be a list.", field_errors={"property_conditions": ["Must be a list."]}
        )
    clean_event_condition(rule.event_type, rule.event_name, rule.property_conditions)
    with transaction.atomic():
        rule.save()
    return rule


def create_engagement_rule(**fields: Any) -> EngagementRule:
    _unknown(fields, ENGAGEMENT_FIELDS)
    return _save_engagement(EngagementRule(**fields))


def update_engagement_rule(rule: EngagementRule, **fields: Any) -> EngagementRule:
    _unknown(fields, ENGAGEMENT_FIELDS)
    for name, value in fields.items():
        setattr(rule, name, value)
    return _save_engagement(rule)


def delete_engagement_rule(rule: EngagementRule) -> None:
    rule.delete()


# --------------------------------------------------------------------------- settings
def set_mql_threshold(threshold: Any, *, by: User | None = None) -> ScoringSettings:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise Invalid(
            "The threshold must be a whole number.",
            field_errors={"mql_threshold": ["Must be a whole number."]},
        )
    with transaction.atomic():
        settings = ScoringSettings.objects.select_for_update().filter(pk=1).first() or ScoringSettings.load()
        settings.mql_threshold = threshold
        settings.updated_by = by
        _full_clean(settings, exclude=["updated_by"])
        settings.save()
    return settings


# --------------------------------------------------------------------------- scores
def schedule_rescore(contact_ids: list[int]) -> None:
    """Rescore these contacts in the worker once the current transaction commits."""
    ids = sorted({int(pk) for pk in contact_ids})
    if ids:
        transaction.on_commit(lambda: tasks.rescore_contacts_task(ids))


def request_recompute(*, by: User | None = None) -> ScoreRun:
    """Queue a full recompute after commit; if one is already queued or running, return that one."""
    run, created = create_run(by=by)
    if created:
        run_id = run.pk
        transaction.on_commit(lambda: tasks.full_recompute_task(run_id))
    return run


def drop_merged_score(primary_id: int, duplicate_id: int) -> None:
    """Merge hook: the duplicate's score row goes; the primary is rescored after commit."""
    ContactScore.objects.filter(contact_id=duplicate_id).delete()
    schedule_rescore([primary_id])
