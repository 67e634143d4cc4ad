"""The scoring settings page (rules, threshold, recompute with progress, win model) and the score
panel of the contact page, for the roles that may and may not change them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role
from accord.scoring.models import ContactScore, EngagementRule, FitRule, ScoreRun, ScoringSettings
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
XSS = "<script>alert(1)</script>"


@pytest.fixture
def manager(client, users):
    client.force_login(users[Role.MARKETING_MANAGER])
    return client


@pytest.fixture
def marketer(client, users):
    client.force_login(users[Role.MARKETER])
    return client


def test_settings_page_lists_rules_in_words(manager) -> None:
    big_company_rule(15)
    pricing_rule(name="Visited pricing page", points=10, cap=30, half_life_days=14)
    response = manager.get(reverse("scoring:settings"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mid-size company" in html and "+15" in html
    assert "Company size is any of" in html
    assert "Visited pricing page" in html and "url contains &#x27;/pricing&#x27;" in html
    assert "14 days" in html and "New fit rule" in html and "Recompute now" in html


def test_people_who_cannot_manage_see_rules_but_no_forms(marketer, users) -> None:
    big_company_rule()
    html = marketer.get(reverse("scoring:settings")).content.decode()
    assert "Mid-size company" in html
    assert "New fit rule" not in html and "Recompute now" not in html and 'name="mql_threshold"' not in html
    for url in (reverse("scoring:fit_rule_new"), reverse("scoring:engagement_rule_new")):
        assert marketer.get(url).status_code == 403
    assert marketer.post(reverse("scoring:recompute")).status_code == 403
    assert marketer.post(reverse("scoring:threshold"), {"mql_threshold": 10}).status_code == 403
    assert ScoringSettings.load().mql_threshold == 60


def test_anonymous_visitors_are_sent_to_log_in(client) -> None:
    response = client.get(reverse("scoring:settings"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_create_edit_and_delete_a_fit_rule(manager) -> None:
    condition = '{"field": "company.industry", "op": "eq", "value": "Software"}'
    response = manager.post(
        reverse("scoring:fit_rule_new"),
        {"name": "Software", "condition": condition, "points": 10, "active": "on"},
    )
    assert response.status_code == 302
    rule = FitRule.objects.get()
    assert (rule.name, rule.points, rule.active, rule.condition["value"]) == (
        "Software",
        10,
        True,
        "Software",
    )
    edit = reverse("scoring:fit_rule_edit", args=[rule.pk])
    assert "company.industry" in manager.get(edit).content.decode()
    manager.post(edit, {"name": "Software firms", "condition": condition, "points": 12})
    rule.refresh_from_db()
    assert (rule.name, rule.points, rule.active) == ("Software firms", 12, False)
    assert manager.post(reverse("scoring:fit_rule_delete", args=[rule.pk])).status_code == 302
    assert not FitRule.objects.exists()


@pytest.mark.parametrize(
    ("condition", "points", "message"),
    [
        ("{not json", 5, "This is not valid JSON"),
        ("[1, 2]", 5, "Must be a JSON object"),
        ('{"field": "nope", "op": "eq", "value": 1}', 5, "In condition.field: Unknown field"),
        (
            '{"event": {"type": "page"}, "op": "gte", "count": 1}',
            5,
            "score behaviour with an engagement rule",
        ),
        ('{"field": "score", "op": "gt", "value": 5}', 5, "A score cannot depend on the score"),
        ('{"field": "title", "op": "eq", "value": "CEO"}', 0, "Must not be 0"),
    ],
)
def test_invalid_fit_rules_are_explained_on_the_form(
    manager, condition: str, points: int, message: str
) -> None:
    response = manager.post(
        reverse("scoring:fit_rule_new"), {"name": "Bad", "condition": condition, "points": points}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not FitRule.objects.exists()


def test_create_an_engagement_rule_and_see_property_errors(manager) -> None:
    url = reverse("scoring:engagement_rule_new")
    data = {
        "name": "Pricing",
        "event_type": "page",
        "property_conditions": '[{"key": "url", "op": "sounds_like", "value": "/pricing"}]',
        "points": 10,
        "cap": 30,
        "half_life_days": 14,
        "window_days": 90,
        "active": "on",
    }
    response = manager.post(url, data)
    assert response.status_code == 422
    assert "In property_conditions.0.op: Unknown operator" in response.content.decode()
    data["property_conditions"] = '[{"key": "url", "op": "contains", "value": "/pricing"}]'
    assert manager.post(url, data).status_code == 302
    rule = EngagementRule.objects.get()
    assert (rule.property_conditions, rule.cap, rule.half_life_days) == (PRICING, 30, 14)


def test_rule_names_are_escaped(manager) -> None:
    pricing_rule(name=XSS)
    html = manager.get(reverse("scoring:settings")).content.decode()
    assert XSS not in html and "&lt;script&gt;" in html


def test_threshold_form(manager) -> None:
    assert manager.post(reverse("scoring:threshold"), {"mql_threshold": 72}).status_code == 302
    assert ScoringSettings.load().mql_threshold == 72
    manager.post(reverse("scoring:threshold"), {"mql_threshold": 0})
    assert ScoringSettings.load().mql_threshold == 72


def test_recompute_now_runs_and_the_status_partial_polls_until_done(
    manager, django_capture_on_commit_callbacks
) -> None:
    pricing_rule(points=10)
    ada = contact()
    visit_pricing(ada, 0, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = manager.post(reverse("scoring:recompute"), headers={"HX-Request": "true"})
    run = ScoreRun.objects.get()
    html = response.content.decode()
    assert response.status_code == 200 and "Queued" in html
    assert (
        f'hx-get="{reverse("scoring:recompute_status", args=[run.pk])}"' in html
        and 'hx-trigger="every 1s"' in html
    )
    for callback in callbacks:  # the worker picks it up
        callback()
    status = manager.get(reverse("scoring:recompute_status", args=[run.pk]), headers={"HX-Request": "true"})
    html = status.content.decode()
    assert "Done" in html and "1 contacts scored" in html and "every 1s" not in html
    assert ContactScore.objects.get(contact=ada).total == 10


def test_recompute_without_javascript_redirects(manager, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(reverse("scoring:recompute"))
    assert response.status_code == 302 and response["Location"].endswith("#recompute")
    assert ScoreRun.objects.get().status == ScoreRun.Status.DONE


def test_a_second_request_while_one_is_queued_reuses_it(manager) -> None:
    manager.post(reverse("scoring:recompute"))
    manager.post(reverse("scoring:recompute"))
    assert ScoreRun.objects.count() == 1


def test_win_model_report(manager) -> None:
    html = manager.get(reverse("scoring:settings")).content.decode()
    assert "Not trained yet" in html
    train_win_model()
    html = manager.get(reverse("scoring:settings")).content.decode()
    assert "Not enough data: 0 closed deals, at least 30 are needed." in html


def test_retrain_button_queues_the_task(manager, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(reverse("scoring:retrain"))
    assert response.status_code == 302
    from accord.scoring.models import WinModel

    assert WinModel.objects.count() == 1


# --------------------------------------------------------------------------- contact page panel
def test_panel_placeholder_loads_the_panel_with_htmx() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("scoring/_score_panel.html", {"contact_id": 42})
    assert f'hx-get="{reverse("scoring:contact_panel", args=[42])}"' in html and 'hx-trigger="load"' in html


def test_panel_shows_the_score_lines_and_the_win_probability_fallback(client, users) -> None:
    client.force_login(users[Role.SDR])
    ada = contact(company=company(size="201-1000"))
    visit_pricing(ada, 0, 0, now=timezone.now())
    big_company_rule(15)
    pricing_rule(name="Visited pricing page", points=10, half_life_days=7)
    response = client.get(reverse("scoring:contact_panel", args=[ada.pk]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert re.search(r'data-testid="score-total">35<', html)
    assert "+15" in html and "Mid-size company" in html
    assert "Visited pricing page 2× in 1 day, decays to +10 by" in html
    assert "No win model trained yet" in html


def test_panel_is_a_page_of_its_own_without_htmx(client, users) -> None:
    client.force_login(users[Role.SDR])
    ada = contact(first_name="Ada", last_name="Lovelace")
    html = client.get(reverse("scoring:contact_panel", args=[ada.pk])).content.decode()
    assert "<html" in html and "Ada Lovelace" in html and 'data-testid="score-total">0<' in html


def test_panel_404_for_unknown_contacts_and_login_required(client, users) -> None:
    assert client.get(reverse("scoring:contact_panel", args=[1])).status_code == 302
    client.force_login(users[Role.SDR])
    assert client.get(reverse("scoring:contact_panel", args=[999_999])).status_code == 404
