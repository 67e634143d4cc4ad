"""Property test: random filter trees from the allow-list, with hostile literals.

For every generated tree:
(a) no literal reaches the SQL text: the SQL is *identical* when every text literal is replaced by
    another string (so they are all bound parameters), and SQL-looking literals never appear in it;
(b) the contacts the SQL returns are exactly those the oracle (plain Python) selects.
Runs on whichever database the suite runs on (SQLite and PostgreSQL in CI).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.segments.compiler import compile_segment
from accord.segments.fields import Catalog, FieldSpec, Kind, Op, load_catalog
from accord.segments.filters import (
    All,
    AnyOf,
    EventCondition,
    FieldCondition,
    Node,
    Not,
    PropertyFilter,
    parse_filter,
)
from accord.segments.tests.fixtures import EVENT_NAMES, NOW, URLS, World
from accord.segments.tests.oracle import Row, matching_ids

pytestmark = pytest.mark.django_db

SQLISH = [
    "'; DROP TABLE contacts_contact; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT * FROM accounts_user",
    "%' --",
    "\\' ; --",
    "$1::text",
    ") OR (1=1",
    "?); DELETE FROM segments_segment; --",
]
# Non-ASCII characters without case, plus ASCII: case-insensitive matching then means the same on
# SQLite (ASCII folding) and PostgreSQL (Unicode folding); see oracle.py.
SAFE_TEXT = st.text(
    alphabet=st.sampled_from("abcXYZ019 _%\\'\"-;/.?東京🚀€—"), min_size=1, max_size=12
).filter(lambda s: s.strip() != "")


def _texts(world: World) -> st.SearchStrategy[str]:
    pieces = sorted(
        {p for s in world.strings for p in (s, s[:3], s[1:5], s.swapcase() if s.isascii() else s)}
    )
    return st.one_of(st.sampled_from([p for p in pieces if p.strip()]), st.sampled_from(SQLISH), SAFE_TEXT)


def _scalar(spec: FieldSpec, world: World) -> st.SearchStrategy[Any]:
    kind = spec.kind
    if kind is Kind.TEXT:
        return _texts(world)
    if kind is Kind.CHOICE:
        return st.sampled_from(sorted(spec.choice_values))
    if kind is Kind.NUMBER:
        return st.one_of(st.integers(-5, 500), st.sampled_from([0.5, 2.5, 49.5, 450.5]))
    if kind in (Kind.DATE, Kind.DATETIME):
        return st.integers(-120, 120).map(lambda d: (NOW.date() + dt.timedelta(days=d)).isoformat())
    if kind is Kind.BOOLEAN:
        return st.booleans()
    return st.sampled_from([*(u.pk for u in world.owners), 987_654])


def _operand(spec: FieldSpec, op: Op, world: World) -> st.SearchStrategy[Any]:
    scalar = _scalar(spec, world)
    if op in (Op.IN, Op.NOT_IN):
        return st.lists(scalar, min_size=1, max_size=4)
    if op is Op.BETWEEN:
        return st.tuples(scalar, scalar).map(lambda pair: sorted(pair))
    if op is Op.WITHIN_LAST_DAYS:
        return st.integers(0, 90)
    return scalar


@st.composite
def _field_condition(draw: st.DrawFn, catalog: Catalog, world: World) -> dict[str, Any]:
    spec = draw(st.sampled_from(sorted(catalog.fields.values(), key=lambda s: s.key)))
    op = draw(st.sampled_from(spec.operators))
    tree: dict[str, Any] = {"field": spec.key, "op": op.value}
    if op not in (Op.IS_NULL, Op.IS_NOT_NULL):
        tree["value"] = draw(_operand(spec, op, world))
    return tree


@st.composite
def _event_property(draw: st.DrawFn, world: World) -> dict[str, Any]:
    key = draw(st.sampled_from(["url", "amount", "flag", "missing", "'; DROP TABLE x; --"]))
    kind = draw(st.sampled_from([Kind.TEXT, Kind.NUMBER, Kind.BOOLEAN]))
    ops = {
        Kind.TEXT: [
            "eq",
            "neq",
            "in",
            "not_in",
            "contains",
            "not_contains",
            "starts_with",
            "is_null",
            "is_not_null",
        ],
        Kind.NUMBER: ["eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in"],
        Kind.BOOLEAN: ["eq", "neq"],
    }[kind]
    op = draw(st.sampled_from(ops))
    if op in ("is_null", "is_not_null"):
        return {"key": key, "op": op}
    value: st.SearchStrategy[Any] = {
        Kind.TEXT: st.one_of(
            st.sampled_from(URLS), st.sampled_from(["pricing", "/PRICING", "blog"]), _texts(world)
        ),
        Kind.NUMBER: st.sampled_from([5, 10, 49.5, 100, 42, 0]),
        Kind.BOOLEAN: st.booleans(),
    }[kind]
    drawn = draw(st.lists(value, min_size=1, max_size=3) if op in ("in", "not_in") else value)
    return {"key": key, "op": op, "value": drawn}


@st.composite
def _event_condition(draw: st.DrawFn, world: World) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": draw(st.sampled_from(["page", "track", "form_submit", "email_open", "ad_click"]))
    }
    if draw(st.booleans()):
        event["name"] = draw(st.one_of(st.sampled_from([n for n in EVENT_NAMES if n]), _texts(world)))
    props = draw(st.lists(_event_property(world), max_size=2))
    if props:
        event["properties"] = props
    tree: dict[str, Any] = {
        "event": event,
        "op": draw(st.sampled_from(["gte", "lte", "eq"])),
        "count": draw(st.integers(0, 4)),
    }
    days = draw(st.one_of(st.none(), st.integers(1, 60)))
    if days is not None:
        tree["within_days"] = days
    return tree


def _trees(catalog: Catalog, world: World) -> st.SearchStrategy[dict[str, Any]]:
    campaign = st.builds(
        lambda c, d: {"campaign_touched": c, **({"within_days": d} if d else {})},
        st.sampled_from(world.campaign_ids),
        st.one_of(st.none(), st.integers(1, 60)),
    )
    segment = st.sampled_from([world.static_list.pk, world.leads.pk]).map(lambda i: {"in_segment": i})
    leaf = st.one_of(_field_condition(catalog, world), _event_condition(world), campaign, segment)
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.lists(children, min_size=1, max_size=4).map(lambda c: {"and": c}),
            st.lists(children, min_size=1, max_size=4).map(lambda c: {"or": c}),
            children.map(lambda c: {"not": c}),
        ),
        max_leaves=8,
    )


# ---------------------------------------------------------------- literal replacement
def _texts_replaced(node: Node, tokens: dict[str, str]) -> Node:
    """``node`` with every free-text literal swapped for a token (equal texts → equal tokens)."""

    def token(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return tokens.setdefault(text, f"zzlit{len(tokens)}")

    def value(v: Any) -> Any:
        return tuple(token(x) for x in v) if isinstance(v, tuple) else token(v)

    if isinstance(node, All | AnyOf):
        return type(node)(tuple(_texts_replaced(c, tokens) for c in node.children))
    if isinstance(node, Not):
        return Not(_texts_replaced(node.child, tokens))
    if isinstance(node, FieldCondition) and node.field.kind is Kind.TEXT:
        return dataclasses.replace(node, value=value(node.value))
    if isinstance(node, EventCondition):
        props = tuple(
            PropertyFilter(token(p.key), p.op, value(p.value) if p.kind is Kind.TEXT else p.value, p.kind)
            for p in node.properties
        )
        return dataclasses.replace(node, name=token(node.name), properties=props)
    return node


def _sql(node: Node) -> tuple[str, tuple[Any, ...]]:
    sql, params = compile_segment(node, now=NOW).order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def test_random_trees_compile_to_bound_parameters_and_match_the_oracle(world: World, rows: list[Row]) -> None:
    catalog = load_catalog()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_trees(catalog, world))
    def run(tree: dict[str, Any]) -> None:
        node = parse_filter(tree, catalog)
        sql, params = _sql(node)
        tokens: dict[str, str] = {}
        replaced_sql, replaced_params = _sql(_texts_replaced(node, tokens))
        assert sql == replaced_sql, "a literal changed the SQL text"
        assert len(params) == len(replaced_params)
        for literal in tokens:
            if literal in SQLISH or (len(literal) >= 4 and any(ch in literal for ch in "';\"")):
                assert literal not in sql
        got = set(compile_segment(node, now=NOW).values_list("pk", flat=True))
        assert got == matching_ids(node, rows, NOW)

    run()
