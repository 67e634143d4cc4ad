"""The scoring API router, tested through ninja's TestClient on an API assembled like accord/api.py
(the project mounts the router under /api/scoring)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from accord.accounts.models import Role
from accord.accounts.permissions import PermissionDenied
from accord.core.api_support import AccordNinjaAPI, register_error
from accord.scoring.api import router
from accord.scoring.models import EngagementRule, FitRule, ScoreRun, ScoringSettings
from accord.scoring.predictive import train_win_model
from accord.scoring.tests.fixtures import (
    PRICING,
    big_company_rule,
    company,
    contact,
    pricing_rule,
    visit_pricing,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def api() -> TestClient:
    app = AccordNinjaAPI(urls_namespace=f"scoring-test-{uuid.uuid4().hex}")
    register_error(app, PermissionDenied, 403, "forbidden")
    app.add_router("/scoring", router)
    return TestClient(app)


@pytest.fixture
def manager(users):
    return users[Role.MARKETING_MANAGER]


@pytest.fixture
def sdr(users):
    return users[Role.SDR]


FIT = {
    "name": "Mid-size",
    "condition": {"field": "company.size", "op": "in", "value": ["201-1000"]},
    "points": 15,
}
ENGAGEMENT = {
    "name": "Pricing",
    "event_type": "page",
    "property_conditions": PRICING,
    "points": 10,
    "cap": 30,
}


def test_fit_rules_crud(api, manager) -> None:
    created = api.post("/scoring/fit-rules", json=FIT, auth=manager)
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    assert created.json()["active"] is True
    listed = api.get("/scoring/fit-rules", auth=manager).json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "Mid-size"
    patched = api.patch(f"/scoring/fit-rules/{rule_id}", json={"points": -5, "active": False}, auth=manager)
    assert patched.status_code == 200 and (patched.json()["points"], patched.json()["active"]) == (-5, False)
    assert api.get("/scoring/fit-rules?active=true", auth=manager).json()["count"] == 0
    assert api.get(f"/scoring/fit-rules/{rule_id}", auth=manager).json()["name"] == "Mid-size"
    assert api.delete(f"/scoring/fit-rules/{rule_id}", auth=manager).status_code == 204
    assert api.get(f"/scoring/fit-rules/{rule_id}", auth=manager).status_code == 404


def test_engagement_rules_crud(api, manager) -> None:
    created = api.post("/scoring/engagement-rules", json=ENGAGEMENT, auth=manager)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["half_life_days"], body["window_days"], body["event_name"]) == (30, 90, "")
    rule_id = body["id"]
    patched = api.patch(
        f"/scoring/engagement-rules/{rule_id}", json={"cap": None, "half_life_days": 7}, auth=manager
    )
    assert (patched.json()["cap"], patched.json()["half_life_days"]) == (None, 7)
    assert api.delete(f"/scoring/engagement-rules/{rule_id}", auth=manager).status_code == 204
    assert not EngagementRule.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/scoring/fit-rules", {**FIT, "points": 0}, "points"),
        ("/scoring/fit-rules", {**FIT, "points": 5000}, "points"),
        ("/scoring/fit-rules", {**FIT, "condition": {"field": "score", "op": "gt", "value": 1}}, "condition"),
        (
            "/scoring/fit-rules",
            {**FIT, "condition": {"field": "nope", "op": "eq", "value": 1}},
            "condition.field",
        ),
        ("/scoring/fit-rules", {**FIT, "extra": 1}, "extra"),
        ("/scoring/fit-rules", {**FIT, "name": "x\x00"}, "name"),
        ("/scoring/engagement-rules", {**ENGAGEMENT, "event_type": "fax"}, "event_type"),
        ("/scoring/engagement-rules", {**ENGAGEMENT, "half_life_days": 0}, "half_life_days"),
        (
            "/scoring/engagement-rules",
            {**ENGAGEMENT, "property_conditions": [{"key": "url", "op": "gt", "value": "x"}]},
            "property_conditions.0.op",
        ),
    ],
)
def test_invalid_rules_get_field_errors(api, manager, path: str, body: dict, field: str) -> None:
    response = api.post(path, json=body, auth=manager)
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == "invalid"
    assert field in response.json()["field_errors"], response.json()
    assert not FitRule.objects.exists() and not EngagementRule.objects.exists()


def test_patch_refuses_null_for_required_fields(api, manager) -> None:
    rule = big_company_rule()
    response = api.patch(f"/scoring/fit-rules/{rule.pk}", json={"points": None}, auth=manager)
    assert response.status_code == 422 and "points" in response.json()["field_errors"]


def test_only_managers_and_admins_write(api, users) -> None:
    rule = big_company_rule()
    for role in (Role.MARKETER, Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.SALES_MANAGER):
        user = users[role]
        assert api.get("/scoring/fit-rules", auth=user).status_code == 200
        for method, path, body in (
            ("post", "/scoring/fit-rules", FIT),
            ("patch", f"/scoring/fit-rules/{rule.pk}", {"points": 1}),
            ("delete", f"/scoring/fit-rules/{rule.pk}", None),
            ("patch", "/scoring/settings", {"mql_threshold": 10}),
            ("post", "/scoring/recompute", None),
        ):
            response = getattr(api, method)(path, json=body, auth=user)
            assert response.status_code == 403, (role, path)
            assert response.json()["code"] == "forbidden"
    assert api.post("/scoring/fit-rules", json=FIT, auth=users[Role.ADMIN]).status_code == 201


def test_settings(api, manager, sdr) -> None:
    assert api.get("/scoring/settings", auth=sdr).json()["mql_threshold"] == 60
    response = api.patch("/scoring/settings", json={"mql_threshold": 75}, auth=manager)
    assert response.status_code == 200 and response.json()["mql_threshold"] == 75
    assert ScoringSettings.load().updated_by == manager
    assert api.patch("/scoring/settings", json={"mql_threshold": 0}, auth=manager).status_code == 422


def test_score_with_explanation_and_win_probability(api, sdr) -> None:
    ada = contact(company=company(size="201-1000"))
    visit_pricing(ada, 0, now=timezone.now())
    big_company_rule(15)
    pricing_rule(name="Visited pricing page", points=10)
    response = api.get(f"/scoring/scores/{ada.pk}", auth=sdr)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["total"], body["fit"], body["mql_threshold"], body["stored"]) == (25, 15, 60, None)
    assert [line["text"] for line in body["lines"]][0] == "+15 Mid-size company"
    assert body["lines"][1]["text"].startswith("+10 Visited pricing page 1× in 1 day, decays to +5 by ")
    assert body["lines"][1]["occurrences"] == 1 and body["lines"][1]["decays_to"] == 5
    assert body["win_probability"]["enough_data"] is False
    assert api.get("/scoring/scores/999999", auth=sdr).status_code == 404


def test_recompute_and_its_status(api, manager, sdr, django_capture_on_commit_callbacks) -> None:
    contact()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/scoring/recompute", auth=manager)
    assert response.status_code == 202
    run_id = response.json()["id"]
    status = api.get(f"/scoring/recompute/{run_id}", auth=sdr).json()
    assert (status["status"], status["percent"], status["contacts_scored"]) == ("done", 100, 1)
    assert ScoreRun.objects.get().requested_by == manager
    assert api.get("/scoring/recompute/999", auth=sdr).status_code == 404


def test_win_model(api, sdr) -> None:
    assert api.get("/scoring/win-model", auth=sdr).status_code == 404
    train_win_model()
    body = api.get("/scoring/win-model", auth=sdr).json()
    assert body["enough_data"] is False and body["algorithm"] == "naive_bayes"
    assert "Not enough data" in body["metrics"]["reason"]
