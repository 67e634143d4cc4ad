"""Parsing and validating filter trees: every refusal names the offending part by its path."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core.errors import Invalid
from accord.segments.fields import STATIC_FIELDS, Catalog, FieldSpec, JsonKey, Kind, scores_available
from accord.segments.filters import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    All,
    EventCondition,
    FieldCondition,
    depends_on_time,
    parse_filter,
    to_json,
)

CATALOG = Catalog.of(
    [
        *STATIC_FIELDS,
        FieldSpec("properties.seats", "Seats", "Custom", Kind.NUMBER, JsonKey("properties", "seats")),
        FieldSpec(
            "properties.plan",
            "Plan",
            "Custom",
            Kind.CHOICE,
            JsonKey("properties", "plan"),
            choices=(("pro", "pro"),),
        ),
    ]
)


def errors_for(tree: Any) -> dict[str, list[str]]:
    with pytest.raises(Invalid) as info:
        parse_filter(tree, CATALOG)
    assert info.value.status == 422
    assert info.value.message.startswith("The segment filter is not valid")
    return info.value.field_errors


def stage(value: Any = "lead", op: str = "eq") -> dict[str, Any]:
    return {"field": "lifecycle_stage", "op": op, "value": value}


@pytest.mark.parametrize(
    ("tree", "path", "fragment"),
    [
        ({"field": "password", "op": "eq", "value": "x"}, "filter.field", "Unknown field"),
        ({"field": "properties.undefined", "op": "eq", "value": "x"}, "filter.field", "Unknown field"),
        ({"field": "email", "op": "gt", "value": "x"}, "filter.op", "Unknown operator"),
        ({"field": "email", "op": "ILIKE", "value": "x"}, "filter.op", "Unknown operator"),
        ({"field": "email", "op": "eq", "value": 3}, "filter.value", "Must be text"),
        ({"field": "email", "op": "eq", "value": "  "}, "filter.value", "Must not be empty"),
        ({"field": "email", "op": "eq", "value": "a\x00b"}, "filter.value", "NUL"),
        ({"field": "email", "op": "eq", "value": "\ud800"}, "filter.value", "Unicode"),
        ({"field": "email", "op": "eq", "value": "x" * 1001}, "filter.value", "at most 1000"),
        ({"field": "email", "op": "eq"}, "filter.value", "required"),
        ({"field": "email", "op": "is_null", "value": "x"}, "filter.value", "takes no value"),
        ({"field": "email", "op": "in", "value": []}, "filter.value", "non-empty list"),
        ({"field": "email", "op": "in", "value": "a"}, "filter.value", "non-empty list"),
        ({"field": "email", "op": "in", "value": ["a", 2]}, "filter.value.1", "Must be text"),
        (stage("won"), "filter.value", "Must be one of"),
        (stage(op="contains"), "filter.op", "Unknown operator"),
        ({"field": "properties.seats", "op": "gt", "value": "5"}, "filter.value", "Must be a number"),
        ({"field": "properties.seats", "op": "gt", "value": True}, "filter.value", "Must be a number"),
        ({"field": "properties.seats", "op": "gt", "value": 2**60}, "filter.value", "Must be between"),
        ({"field": "properties.seats", "op": "between", "value": [5]}, "filter.value", "two values"),
        ({"field": "properties.seats", "op": "between", "value": [9, 5]}, "filter.value", "greater than"),
        ({"field": "properties.plan", "op": "eq", "value": "gold"}, "filter.value", "Must be one of"),
        ({"field": "created_at", "op": "before", "value": "31/01/2026"}, "filter.value", "date like"),
        ({"field": "created_at", "op": "within_last_days", "value": -1}, "filter.value", "from 0"),
        ({"field": "created_at", "op": "is_null"}, "filter.op", "Unknown operator"),
        ({"field": "owner", "op": "eq", "value": "alice"}, "filter.value", "user id"),
        (
            {"field": "lifecycle_stage", "op": "eq", "value": "lead", "extra": 1},
            "filter.extra",
            "Unknown key",
        ),
        ({"and": [stage()], "or": [stage()]}, "filter.or", "Unknown key"),
        ({"or": []}, "filter.or", "at least one"),
        ({"and": {"field": "email"}}, "filter.and", "list"),
        ({"not": [stage()]}, "filter.not", "object"),
        ("lifecycle_stage = 'lead'", "filter", "object"),
        ({"segment": 3}, "filter", "Must be a group"),
        ({"in_segment": "3"}, "filter.in_segment", "segment id"),
        ({"campaign_touched": 0}, "filter.campaign_touched", "campaign id"),
        ({"campaign_touched": 1, "within_days": 0}, "filter.within_days", "from 1"),
        ({"event": {"type": "pageview"}}, "filter.event.type", "Must be one of"),
        ({"event": {"type": "page", "url": "/x"}}, "filter.event.url", "Unknown key"),
        ({"event": {"type": "page"}, "op": "gt", "count": 1}, "filter.op", "Unknown operator"),
        ({"event": {"type": "page"}, "count": -1}, "filter.count", "from 0"),
        ({"event": {"type": "page"}, "count": 1.5}, "filter.count", "whole number"),
        ({"event": {"type": "page", "name": ""}}, "filter.event.name", "empty"),
        (
            {"event": {"type": "page", "properties": [{"key": "url", "op": "gt", "value": "/a"}]}},
            "filter.event.properties.0.op",
            "Unknown operator",
        ),
        (
            {"event": {"type": "page", "properties": [{"key": 'say "hi"', "op": "eq", "value": "/a"}]}},
            "filter.event.properties.0.key",
            "double quotes",
        ),
        (
            {"event": {"type": "page", "properties": [{"key": "", "op": "eq", "value": "/a"}]}},
            "filter.event.properties.0.key",
            "empty",
        ),
    ],
)
def test_invalid_trees_are_refused_with_the_path(tree: Any, path: str, fragment: str) -> None:
    errors = errors_for(tree)
    assert path in errors, errors
    assert any(fragment in message for message in errors[path]), errors[path]


def test_every_problem_is_reported_not_only_the_first() -> None:
    errors = errors_for({"and": [stage("won"), {"field": "nope", "op": "eq", "value": 1}, stage()]})
    assert set(errors) == {"filter.and.0.value", "filter.and.1.field"}


def test_depth_limit() -> None:
    tree: dict[str, Any] = stage()
    for _ in range(MAX_DEPTH - 1):
        tree = {"and": [tree]}
    parse_filter(tree, CATALOG)
    errors = errors_for({"not": tree})
    assert any("nested too deeply" in m for messages in errors.values() for m in messages)


def test_condition_limit() -> None:
    parse_filter({"and": [stage()] * MAX_CONDITIONS}, CATALOG)
    errors = errors_for({"and": [stage()] * MAX_CONDITIONS + [{"or": [stage()]}]})
    assert any("too many conditions" in m for messages in errors.values() for m in messages)


def test_values_are_normalised_and_round_trip_through_json() -> None:
    tree = parse_filter(
        {"and": [
            {"field": "email", "op": "in", "value": [" A@X.test", "a@x.test", "b@x.test"]},
            {"field": "country", "op": "eq", "value": "de"},
            {"field": "created_at", "op": "between", "value": ["2026-01-01", "2026-02-01"]},
            {"event": {"type": "page"}},
        ]},
        CATALOG,
    )  # fmt: skip
    assert isinstance(tree, All)
    email, country = tree.children[0], tree.children[1]
    assert isinstance(email, FieldCondition) and email.value == ("a@x.test", "b@x.test")
    assert isinstance(country, FieldCondition) and country.value == "DE"
    event = tree.children[3]
    assert isinstance(event, EventCondition) and (event.op.value, event.count, event.within_days) == (
        "gte",
        1,
        None,
    )
    assert parse_filter(to_json(tree), CATALOG) == tree
    assert to_json(tree)["and"][3] == {"event": {"type": "page"}, "op": "gte", "count": 1}


def test_an_empty_and_group_matches_everyone_and_is_allowed() -> None:
    assert parse_filter({"and": []}, CATALOG) == All(())


def test_time_dependence() -> None:
    assert not depends_on_time(parse_filter(stage(), CATALOG))
    assert depends_on_time(parse_filter({"not": {"event": {"type": "page"}, "within_days": 3}}, CATALOG))
    assert depends_on_time(
        parse_filter({"field": "created_at", "op": "within_last_days", "value": 3}, CATALOG)
    )
    assert not depends_on_time(parse_filter({"campaign_touched": 4}, CATALOG))


def test_score_fields_exist_only_once_the_scoring_app_has_its_table() -> None:
    from accord.segments.fields import score_fields

    keys = {spec.key for spec in score_fields()}
    assert keys == {"score", "score.fit", "score.engagement"}
    if not scores_available():
        errors = errors_for({"field": "score", "op": "gt", "value": 50})
        assert "filter.field" in errors
