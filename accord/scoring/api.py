"""REST endpoints for scoring (mounted by the project under ``/api/scoring``).

- ``/settings`` — the MQL threshold;
- ``/fit-rules``, ``/engagement-rules`` — rules CRUD;
- ``/scores/{contact_id}`` — a contact's score with its explanation and win probability;
- ``/recompute`` — queue a full recompute, then follow it at ``/recompute/{id}``;
- ``/win-model`` — the current predictive model and its held-out calibration.

Reading needs the scoring-rule view grant; writing the change grant (admins, marketing managers)
(:mod:`accord.scoring.access`). Each endpoint validates, checks, and calls one action.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from accord.accounts.api_auth import api_user
from accord.contacts.models import Contact
from accord.core.api_support import Page, error_responses, paginate
from accord.core.errors import NotFound
from accord.scoring import access, actions
from accord.scoring.explain import explain_score
from accord.scoring.models import EngagementRule, FitRule, ScoreRun, ScoringSettings, WinModel
from accord.scoring.predictive import current_model, predict_contact
from accord.scoring.schemas import (
    EngagementRuleCreate,
    EngagementRuleOut,
    EngagementRuleUpdate,
    FitRuleCreate,
    FitRuleOut,
    FitRuleUpdate,
    RecomputeOut,
    RuleQuery,
    ScoreOut,
    SettingsOut,
    SettingsPatch,
    WinModelOut,
)

router = Router(tags=["scoring"])

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def _viewer(request: HttpRequest) -> Any:
    user = api_user(request)
    access.check_view(user)
    return user


def _manager(request: HttpRequest) -> Any:
    user = api_user(request)
    access.check_manage(user)
    return user


def _get_fit(pk: int, *, lock: bool = False) -> FitRule:
    rules = FitRule.objects.select_for_update() if lock else FitRule.objects.all()
    rule = rules.filter(pk=pk).first()
    if rule is None:
        raise NotFound(f"Fit rule {pk} does not exist.")
    return rule


def _get_engagement(pk: int, *, lock: bool = False) -> EngagementRule:
    rules = EngagementRule.objects.select_for_update() if lock else EngagementRule.objects.all()
    rule = rules.filter(pk=pk).first()
    if rule is None:
        raise NotFound(f"Engagement rule {pk} does not exist.")
    return rule


def _filtered(rules: QuerySet[Any], query: RuleQuery) -> QuerySet[Any]:
    return rules.filter(active=query.active) if query.active is not None else rules


# --------------------------------------------------------------------------- settings
@router.get("/settings", response={200: SettingsOut, **READ_ERRORS})
def get_settings(request: HttpRequest) -> ScoringSettings:
    _viewer(request)
    return ScoringSettings.load()


@router.patch("/settings", response={200: SettingsOut, **WRITE_ERRORS})
def update_settings(request: HttpRequest, payload: SettingsPatch) -> ScoringSettings:
    """Change the MQL threshold. It applies from the next rescore; POST /recompute to apply it to everyone now."""
    user = _manager(request)
    return actions.set_mql_threshold(payload.mql_threshold, by=user)


# --------------------------------------------------------------------------- fit rules
@router.get("/fit-rules", response={200: Page[FitRuleOut], **error_responses(401, 403, 422)})
def list_fit_rules(request: HttpRequest, query: Query[RuleQuery]) -> dict[str, Any]:
    _viewer(request)
    return paginate(request, _filtered(FitRule.objects.order_by("name", "pk"), query), query)


@router.post("/fit-rules", response={201: FitRuleOut, **WRITE_ERRORS})
def create_fit_rule(request: HttpRequest, payload: FitRuleCreate) -> Status[FitRule]:
    _manager(request)
    return Status(201, actions.create_fit_rule(**payload.model_dump()))


@router.get("/fit-rules/{int:rule_id}", response={200: FitRuleOut, **READ_ERRORS})
def get_fit_rule(request: HttpRequest, rule_id: int) -> FitRule:
    _viewer(request)
    return _get_fit(rule_id)


@router.patch("/fit-rules/{int:rule_id}", response={200: FitRuleOut, **WRITE_ERRORS})
def update_fit_rule(request: HttpRequest, rule_id: int, payload: FitRuleUpdate) -> FitRule:
    _manager(request)
    with transaction.atomic():
        return actions.update_fit_rule(_get_fit(rule_id, lock=True), **payload.model_dump(exclude_unset=True))


@router.delete("/fit-rules/{int:rule_id}", response={204: None, **READ_ERRORS})
def delete_fit_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    _manager(request)
    actions.delete_fit_rule(_get_fit(rule_id))
    return Status(204, None)


# --------------------------------------------------------------------------- engagement rules
@router.get("/engagement-rules", response={200: Page[EngagementRuleOut], **error_responses(401, 403, 422)})
def list_engagement_rules(request: HttpRequest, query: Query[RuleQuery]) -> dict[str, Any]:
    _viewer(request)
    return paginate(request, _filtered(EngagementRule.objects.order_by("name", "pk"), query), query)


@router.post("/engagement-rules", response={201: EngagementRuleOut, **WRITE_ERRORS})
def create_engagement_rule(request: HttpRequest, payload: EngagementRuleCreate) -> Status[EngagementRule]:
    _manager(request)
    return Status(201, actions.create_engagement_rule(**payload.model_dump()))


@router.get("/engagement-rules/{int:rule_id}", response={200: EngagementRuleOut, **READ_ERRORS})
def get_engagement_rule(request: HttpRequest, rule_id: int) -> EngagementRule:
    _viewer(request)
    return _get_engagement(rule_id)


@router.patch("/engagement-rules/{int:rule_id}", response={200: EngagementRuleOut, **WRITE_ERRORS})
def update_engagement_rule(
    request: HttpRequest, rule_id: int, payload: EngagementRuleUpdate
) -> EngagementRule:
    _manager(request)
    with transaction.atomic():
        rule = _get_engagement(rule_id, lock=True)
        return actions.update_engagement_rule(rule, **payload.model_dump(exclude_unset=True))


@router.delete("/engagement-rules/{int:rule_id}", response={204: None, **READ_ERRORS})
def delete_engagement_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    _manager(request)
    actions.delete_engagement_rule(_get_engagement(rule_id))
    return Status(204, None)


# --------------------------------------------------------------------------- scores
@router.get("/scores/{int:contact_id}", response={200: ScoreOut, **READ_ERRORS})
def get_score(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    """The contact's score explained line by line (computed now), the stored score, and the win probability."""
    _viewer(request)
    if not Contact.objects.filter(pk=contact_id).exists():
        raise NotFound(f"Contact {contact_id} does not exist.")
    now = timezone.now()
    explanation = explain_score(contact_id, now)
    prediction = predict_contact(contact_id, now)
    return {
        "contact_id": contact_id,
        "now": now,
        "total": explanation.total,
        "fit": explanation.fit,
        "engagement": explanation.engagement,
        "mql_threshold": ScoringSettings.load().mql_threshold,
        "stored": explanation.stored,
        "lines": [{**line.__dict__, "text": line.text} for line in explanation.lines],
        "win_probability": None
        if prediction is None
        else {
            **prediction.__dict__,
            "factors": [
                {
                    "feature": f.feature,
                    "label": f.label,
                    "value": f.value,
                    "value_label": f.value_label,
                    "raises": f.raises,
                    "odds_ratio": f.odds_ratio,
                    "delta": f.delta,
                    "text": f.text,
                }  # fmt: skip
                for f in prediction.factors
            ],
        },
    }


# --------------------------------------------------------------------------- recompute and the model
@router.post("/recompute", response={202: RecomputeOut, **error_responses(401, 403)})
def recompute(request: HttpRequest) -> Status[ScoreRun]:
    """Queue a full recompute (or return the one already queued or running)."""
    user = _manager(request)
    return Status(202, actions.request_recompute(by=user))


@router.get("/recompute/{int:run_id}", response={200: RecomputeOut, **READ_ERRORS})
def get_recompute(request: HttpRequest, run_id: int) -> ScoreRun:
    _viewer(request)
    run = ScoreRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"Recompute run {run_id} does not exist.")
    return run


@router.get("/win-model", response={200: WinModelOut, **READ_ERRORS})
def get_win_model(request: HttpRequest) -> WinModel:
    _viewer(request)
    model = current_model()
    if model is None:
        raise NotFound("No win model has been trained yet.")
    return model
