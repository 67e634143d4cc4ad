"""Who may see and change lead scoring (``Resource.SCORING_RULE``), through the pages and the API.

Every role sees the rules, the scores and the model; only marketing managers and admins (superusers
included, whatever role is stored for them) change rules or the threshold and start a recompute.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role, User
from accord.scoring import access
from accord.scoring.models import FitRule, ScoreRun, ScoringSettings
from accord.scoring.tests.fixtures import big_company_rule, company, contact

pytestmark = pytest.mark.django_db

REFUSAL = "Only admins and marketing managers can change lead scoring."
SOFTWARE = {"field": "company.industry", "op": "eq", "value": "Software"}


def rule_form(name: str, points: int) -> dict[str, Any]:
    return {"name": name, "condition": json.dumps(SOFTWARE), "points": points, "active": "on"}


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.MARKETER, Role.SALES_MANAGER])
def test_readers_see_rules_and_scores(
    users: dict[str, User], api_client_for: Callable[[User], Any], role
) -> None:
    user = users[role]
    rule = big_company_rule(15)
    ada = contact(company=company(size="201-1000"))
    client = logged_in(user)

    page = client.get(reverse("scoring:settings"))
    assert page.status_code == 200 and page.context["can_manage"] is False
    html = page.content.decode()
    assert rule.name in html and "New fit rule" not in html and "Recompute now" not in html
    panel = client.get(reverse("scoring:contact_panel", args=[ada.pk]), headers={"HX-Request": "true"})
    assert panel.status_code == 200 and 'data-testid="score-total">15<' in panel.content.decode()

    api = api_client_for(user)
    listed = api.get("/api/scoring/fit-rules")
    assert listed.status_code == 200 and [r["name"] for r in listed.json()["items"]] == [rule.name]
    score = api.get(f"/api/scoring/scores/{ada.pk}")
    assert score.status_code == 200 and score.json()["total"] == 15
    assert api.get("/api/scoring/settings").json()["mql_threshold"] == 60


@pytest.mark.parametrize("role", [Role.MARKETER, Role.SALES_MANAGER])
def test_readers_cannot_change_a_rule_or_start_a_recompute(
    users: dict[str, User], api_client_for: Callable[[User], Any], role
) -> None:
    user = users[role]
    rule = big_company_rule(15)
    client = logged_in(user)

    assert client.get(reverse("scoring:fit_rule_edit", args=[rule.pk])).status_code == 403
    edited = client.post(reverse("scoring:fit_rule_edit", args=[rule.pk]), rule_form("Taken", 99))
    assert edited.status_code == 403
    assert client.post(reverse("scoring:fit_rule_new"), rule_form("New", 5)).status_code == 403
    assert client.post(reverse("scoring:fit_rule_delete", args=[rule.pk])).status_code == 403
    assert client.post(reverse("scoring:recompute")).status_code == 403
    assert client.post(reverse("scoring:threshold"), {"mql_threshold": 10}).status_code == 403

    api = api_client_for(user)
    for response in (
        api.patch(f"/api/scoring/fit-rules/{rule.pk}", {"points": 99}, content_type="application/json"),
        api.delete(f"/api/scoring/fit-rules/{rule.pk}"),
        api.post("/api/scoring/recompute"),
        api.patch("/api/scoring/settings", {"mql_threshold": 10}, content_type="application/json"),
    ):
        assert response.status_code == 403, response.content[:300]
        assert response.json() == {"code": "forbidden", "message": REFUSAL, "field_errors": {}}

    rule.refresh_from_db()
    assert (rule.name, rule.points) == ("Mid-size company", 15)
    assert FitRule.objects.count() == 1
    assert not ScoreRun.objects.exists()
    assert ScoringSettings.load().mql_threshold == 60


def _manages_scoring(user: User, api: Any) -> None:
    """``user`` changes a rule and starts a recompute, on the page and through the API."""
    rule = big_company_rule(15)
    client = logged_in(user)
    assert client.get(reverse("scoring:settings")).context["can_manage"] is True
    edited = client.post(reverse("scoring:fit_rule_edit", args=[rule.pk]), rule_form("Software", 10))
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.points, rule.condition) == ("Software", 10, SOFTWARE)
    assert client.post(reverse("scoring:recompute")).status_code == 302
    assert ScoreRun.objects.count() == 1

    patched = api.patch(f"/api/scoring/fit-rules/{rule.pk}", {"points": 20}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["points"] == 20
    queued = api.post("/api/scoring/recompute")
    assert queued.status_code == 202 and queued.json()["id"] == ScoreRun.objects.get().pk  # the queued one


def test_a_marketing_manager_changes_rules_and_recomputes(
    users: dict[str, User], api_client_for: Callable[[User], Any]
) -> None:
    manager = users[Role.MARKETING_MANAGER]
    _manages_scoring(manager, api_client_for(manager))


def test_a_superuser_whose_stored_role_is_marketer_acts_as_admin(
    make_user: Callable[..., User], api_client_for: Callable[[User], Any]
) -> None:
    root = make_user(Role.MARKETER, is_superuser=True)
    assert root.role == Role.MARKETER and root.effective_role == Role.ADMIN
    assert access.can_manage(root) and access.can_view(root)
    _manages_scoring(root, api_client_for(root))


def test_a_plain_marketer_is_not_taken_for_an_admin(make_user: Callable[..., User]) -> None:
    marketer = make_user(Role.MARKETER)
    assert access.can_view(marketer) and not access.can_manage(marketer)
