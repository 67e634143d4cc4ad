"""Rule validation in the actions, and what happens to a rule whose condition stops being valid."""

from __future__ import annotations

import pytest

from accord.contacts.models import PropertyDefinition
from accord.core.errors import Invalid
from accord.scoring import actions
from accord.scoring.models import ContactScore, FitRule
from accord.scoring.recompute import full_recompute
from accord.scoring.rules import clean_event_condition, clean_fit_condition, load_rules
from accord.scoring.tests.fixtures import NOW, PRICING, contact, pricing_rule

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("condition", "path"),
    [
        ({}, "condition"),
        ({"and": []}, "condition"),
        ({"event": {"type": "page"}, "op": "gte", "count": 2}, "condition"),
        ({"campaign_touched": 1}, "condition"),
        ({"in_segment": 1}, "condition"),
        (
            {
                "and": [
                    {"field": "title", "op": "eq", "value": "CEO"},
                    {"field": "score.fit", "op": "gt", "value": 3},
                ]
            },
            "condition.and.1",
        ),
        ({"field": "title", "op": "between", "value": "x"}, "condition.op"),
    ],
)
def test_fit_conditions_that_are_refused(condition: dict, path: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_fit_condition(condition)
    assert path in caught.value.field_errors


def test_event_conditions_are_keyed_by_the_rule_fields() -> None:
    with pytest.raises(Invalid) as caught:
        clean_event_condition("page", "", [{"key": "url", "op": "contains"}])
    assert list(caught.value.field_errors) == ["property_conditions.0.value"]
    with pytest.raises(Invalid) as caught:
        clean_event_condition("nope", "", [])
    assert list(caught.value.field_errors) == ["event_type"]
    assert clean_event_condition("page", "Pricing", PRICING).name == "Pricing"


def test_actions_refuse_unknown_fields_zero_points_and_odd_windows() -> None:
    with pytest.raises(Invalid, match="Unknown field"):
        actions.create_fit_rule(
            name="x", condition={"field": "title", "op": "eq", "value": "CEO"}, points=5, colour=1
        )
    with pytest.raises(Invalid) as caught:
        pricing_rule(points=0)
    assert "points" in caught.value.field_errors
    with pytest.raises(Invalid) as caught:
        pricing_rule(half_life_days=2000, window_days=30)
    assert "half_life_days" in caught.value.field_errors
    with pytest.raises(Invalid) as caught:
        pricing_rule(name="  ")
    assert "name" in caught.value.field_errors
    with pytest.raises(Invalid) as caught:
        pricing_rule(property_conditions={"key": "url"})
    assert "property_conditions" in caught.value.field_errors


def test_a_rule_whose_property_was_deleted_is_skipped_and_reported(caplog) -> None:
    definition = PropertyDefinition.objects.create(
        object_type="contact", key="plan", label="Plan", type="text"
    )
    actions.create_fit_rule(
        name="Pro plan", condition={"field": "properties.plan", "op": "eq", "value": "pro"}, points=20
    )
    pricing_rule(points=10)
    definition.delete()
    rules = load_rules()
    assert rules.skipped == ("Pro plan",) and len(rules.engagement) == 1
    person = contact()
    result = full_recompute(now=NOW)
    assert result.skipped_rules == ("Pro plan",)
    assert ContactScore.objects.get(contact=person).total == 0
    assert "Pro plan" in caplog.text
    assert FitRule.objects.filter(name="Pro plan").exists()  # kept, so someone can fix it
