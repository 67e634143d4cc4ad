"""Each operator on each kind of field, compiled to SQL, against the oracle and hand-checked answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accord.segments.fields import OPS_BY_KIND, STATIC_FIELDS, Kind, load_catalog
from accord.segments.tests.fixtures import World
from accord.segments.tests.helpers import check, ids_where
from accord.segments.tests.oracle import Row

pytestmark = pytest.mark.django_db

OWNER = "<owner>"  # replaced by the first owner's id
CASES: list[tuple[str, str, Any]] = [
    # text columns
    ("email", "eq", "PERSON3@mail.test "),
    ("email", "neq", "person3@mail.test"),
    ("email", "in", ["person1@example.test", "person2@mail.test", "nobody@x.test"]),
    ("email", "not_in", ["person1@example.test"]),
    ("email", "contains", "EXAMPLE"),
    ("email", "not_contains", "acme"),
    ("email", "starts_with", "person1"),
    ("first_name", "is_null", None),
    ("first_name", "is_not_null", None),
    ("first_name", "contains", "zoë"),
    ("last_name", "contains", "%"),
    ("last_name", "contains", "\\"),
    ("last_name", "contains", "o'n"),
    ("last_name", "eq", "O'Neil"),
    ("title", "starts_with", "MARKETING"),
    ("title", "contains", "_"),
    ("title", "not_contains", "o"),
    ("country", "eq", "de"),
    ("country", "in", ["US", "gb"]),
    ("country", "neq", "DE"),
    ("country", "is_null", None),
    ("country", "is_not_null", None),
    # choices
    ("lifecycle_stage", "eq", "lead"),
    ("lifecycle_stage", "neq", "lead"),
    ("lifecycle_stage", "in", ["mql", "sql"]),
    ("lifecycle_stage", "not_in", ["lead", "mql", "customer"]),
    # owner
    ("owner", "eq", OWNER),
    ("owner", "neq", OWNER),
    ("owner", "in", [OWNER, 999_999]),
    ("owner", "not_in", [OWNER]),
    ("owner", "is_null", None),
    ("owner", "is_not_null", None),
    # datetime column
    ("created_at", "eq", "2026-06-06"),
    ("created_at", "before", "2026-05-20"),
    ("created_at", "after", "2026-05-20"),
    ("created_at", "between", ["2026-05-01", "2026-05-31"]),
    ("created_at", "within_last_days", 10),
    ("created_at", "within_last_days", 0),
    # company columns (one contact in six has no company)
    ("company.name", "eq", "O'Brien & Co"),
    ("company.name", "neq", "Acme Corp"),
    ("company.name", "contains", "MüLLER"),  # ASCII case folds everywhere; ü matches ü
    ("company.name", "contains", "'; DROP TABLE --"),
    ("company.name", "not_contains", "corp"),
    ("company.name", "starts_with", "東京"),
    ("company.name", "is_null", None),
    ("company.name", "is_not_null", None),
    ("company.domain", "eq", "ACME.test"),
    ("company.domain", "in", ["acme.test", "globex.test"]),
    ("company.industry", "is_null", None),
    ("company.industry", "is_not_null", None),
    ("company.industry", "eq", "Software"),
    ("company.size", "eq", "51-200"),
    ("company.size", "in", ["11-50", "1-10"]),
    ("company.size", "not_in", ["11-50"]),
    ("company.size", "is_null", None),
    ("company.revenue_band", "neq", ">1B"),
    ("company.revenue_band", "is_not_null", None),
    ("company.country", "eq", "de"),
    ("company.country", "not_in", ["DE", "US"]),
    # custom properties: choice, number, boolean, date, text
    ("properties.plan", "eq", "pro"),
    ("properties.plan", "neq", "pro"),
    ("properties.plan", "in", ["free", "enterprise"]),
    ("properties.plan", "not_in", ["free"]),
    ("properties.plan", "is_null", None),
    ("properties.plan", "is_not_null", None),
    ("properties.seats", "eq", 2.5),
    ("properties.seats", "neq", 10),
    ("properties.seats", "gt", 4),
    ("properties.seats", "gte", 5),
    ("properties.seats", "lt", 5),
    ("properties.seats", "lte", 0),
    ("properties.seats", "between", [1, 10]),
    ("properties.seats", "in", [1, 25]),
    ("properties.seats", "not_in", [1, 25]),
    ("properties.seats", "is_null", None),
    ("properties.seats", "is_not_null", None),
    ("properties.newsletter", "eq", True),
    ("properties.newsletter", "eq", False),
    ("properties.newsletter", "neq", True),
    ("properties.newsletter", "is_null", None),
    ("properties.newsletter", "is_not_null", None),
    ("properties.renewal", "eq", "2026-06-15"),
    ("properties.renewal", "before", "2026-06-15"),
    ("properties.renewal", "after", "2026-06-15"),
    ("properties.renewal", "between", ["2026-05-01", "2026-07-31"]),
    ("properties.renewal", "within_last_days", 30),
    ("properties.renewal", "is_null", None),
    ("properties.renewal", "is_not_null", None),
    ("properties.nickname", "eq", "zoë"),
    ("properties.nickname", "contains", "'BOSS'"),
    ("properties.nickname", "starts_with", "x%"),
    ("properties.nickname", "not_contains", "a"),
    ("properties.nickname", "is_null", None),
    ("company.properties.tier", "eq", "gold"),
    ("company.properties.tier", "neq", "gold"),
    ("company.properties.tier", "is_null", None),
    ("company.properties.employees", "gt", 100),
    ("company.properties.employees", "lte", 120),
    ("company.properties.employees", "is_null", None),
]


def _value(value: Any, world: World) -> Any:
    if value == OWNER:
        return world.owners[0].pk
    if isinstance(value, list):
        return [_value(v, world) for v in value]
    return value


@pytest.mark.parametrize(
    ("field", "op", "value"), CASES, ids=[f"{f}-{o}-{i}" for i, (f, o, _) in enumerate(CASES)]
)
def test_operator_matches_the_oracle(world: World, rows: list[Row], field: str, op: str, value: Any) -> None:
    tree: dict[str, Any] = {"field": field, "op": op}
    if value is not None:
        tree["value"] = _value(value, world)
    check(tree, world, rows)


def test_the_cases_cover_every_operator_of_every_kind(world: World) -> None:
    catalog = load_catalog()
    specs = {spec.key: spec for spec in catalog.fields.values()}
    covered = {(specs[f].kind, op) for f, op, _ in CASES}
    wanted = {(spec.kind, op.value) for spec in specs.values() for op in spec.operators}
    assert wanted - covered == set()
    # every kind is exercised: the static fields plus the custom properties' kinds
    assert {spec.kind for spec in STATIC_FIELDS} | {Kind.NUMBER, Kind.BOOLEAN, Kind.DATE} == set(OPS_BY_KIND)


# ---------------------------------------------------------------- answers checked by hand
def test_company_conditions_treat_a_missing_company_as_no_value(world: World, rows: list[Row]) -> None:
    acme = check({"field": "company.name", "op": "eq", "value": "Acme Corp"}, world, rows)
    assert acme == ids_where(world, lambda c: c.company is not None and c.company.name == "Acme Corp")
    not_acme = check({"field": "company.name", "op": "neq", "value": "Acme Corp"}, world, rows)
    assert ids_where(world, lambda c: c.company is None) <= not_acme
    empty = check({"field": "company.name", "op": "is_null"}, world, rows)
    assert empty == ids_where(world, lambda c: c.company is None)


def test_json_values_of_the_wrong_type_or_null_are_no_value(world: World, rows: list[Row]) -> None:
    legacy_null_plan, legacy_string_seats = world.contacts[1].pk, world.contacts[1].pk
    assert legacy_null_plan in check({"field": "properties.plan", "op": "is_null"}, world, rows)
    assert legacy_string_seats not in check(
        {"field": "properties.seats", "op": "gt", "value": 4}, world, rows
    )
    assert legacy_string_seats in check({"field": "properties.seats", "op": "is_null"}, world, rows)
    wrong_types = world.contacts[2].pk  # newsletter "yes", renewal 20260101
    assert wrong_types in check({"field": "properties.newsletter", "op": "is_null"}, world, rows)
    assert wrong_types in check({"field": "properties.renewal", "op": "is_null"}, world, rows)


def test_unassigned_owner(world: World, rows: list[Row]) -> None:
    unassigned = check({"field": "owner", "op": "is_null"}, world, rows)
    assert unassigned == ids_where(world, lambda c: c.owner_id is None)
    assert unassigned


def test_created_on_a_day_is_the_whole_utc_day(world: World, rows: list[Row]) -> None:
    contact = world.contacts[3]
    day = contact.created_at.astimezone(dt.UTC).date().isoformat()
    assert contact.pk in check({"field": "created_at", "op": "eq", "value": day}, world, rows)


def test_contains_ignores_ascii_case_and_escapes_like_wildcards(world: World, rows: list[Row]) -> None:
    percent = check({"field": "last_name", "op": "contains", "value": "0%"}, world, rows)
    assert percent == ids_where(world, lambda c: "0%" in c.last_name)
    underscore = check({"field": "title", "op": "contains", "value": "r_"}, world, rows)
    assert underscore == ids_where(world, lambda c: "r_" in c.title)
    upper = check({"field": "title", "op": "contains", "value": "HEAD OF"}, world, rows)
    assert upper == ids_where(world, lambda c: "head of" in c.title.lower())
    assert upper
