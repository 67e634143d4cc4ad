"""Event counts within time windows, property filters on events, and campaigns touched."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accord.contacts.actions import create_contact
from accord.contacts.models import Contact
from accord.segments.compiler import compile_segment
from accord.segments.fields import load_catalog
from accord.segments.filters import parse_filter
from accord.segments.tests.fixtures import World
from accord.segments.tests.helpers import check, sql_ids
from accord.segments.tests.oracle import snapshot
from accord.tracking.actions import record_touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor(world: World) -> Contact:
    """3 pricing visits in the last 7 days, 2 more 10–20 days ago, a blog visit, a signup, an anonymous visit."""
    contact = create_contact(email="visitor@events.test")
    now = world.now

    def page(days_ago: float, url: str, **kw: Any) -> None:
        record_touchpoint(
            type="page",
            occurred_at=now - dt.timedelta(days=days_ago),
            contact_id=kw.pop("contact_id", contact.pk),
            properties={"url": url},
            **kw,
        )

    for days_ago in (1, 2, 6.9):
        page(days_ago, "/pricing")
    page(10, "/pricing/teams", campaign_id=world.campaign_ids[0])
    page(20, "/PRICING")
    page(3, "/blog/post")
    page(0.5, "/pricing", contact_id=None, anonymous_id="anon-visitor")
    record_touchpoint(
        type="track", name="Signed Up", occurred_at=now - dt.timedelta(days=40), contact_id=contact.pk,
        properties={"plan": "pro", "seats": 12, "trial": True}, campaign_id=world.campaign_ids[1],
    )  # fmt: skip
    return contact


def pricing(op: str, count: int, days: int | None = None, **event: Any) -> dict[str, Any]:
    tree: dict[str, Any] = {
        "event": {
            "type": "page",
            "properties": [{"key": "url", "op": "contains", "value": "/pricing"}],
            **event,
        },
        "op": op,
        "count": count,
    }
    if days is not None:
        tree["within_days"] = days
    return tree


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        (pricing("gte", 3, 7), True),
        (pricing("gte", 4, 7), False),
        (pricing("eq", 3, 7), True),
        (pricing("lte", 2, 7), False),
        (pricing("lte", 3, 7), True),
        (pricing("gte", 5, 30), True),  # contains ignores ASCII case: /PRICING counts
        (pricing("eq", 5), True),
        (pricing("gte", 6), False),
        (pricing("eq", 0, 7), False),
        (pricing("gte", 0, 7), True),
        ({"event": {"type": "page"}, "op": "gte", "count": 6}, True),
        (
            {
                "event": {"type": "page", "properties": [{"key": "url", "op": "eq", "value": "/pricing"}]},
                "count": 4,
            },
            False,
        ),
        (
            {
                "event": {
                    "type": "page",
                    "properties": [{"key": "url", "op": "not_contains", "value": "pricing"}],
                }
            },
            True,
        ),
        ({"event": {"type": "track", "name": "Signed Up"}}, True),
        ({"event": {"type": "track", "name": "signed up"}}, False),
        ({"event": {"type": "track", "name": "Signed Up"}, "within_days": 30}, False),
        ({"event": {"type": "track", "properties": [{"key": "seats", "op": "gte", "value": 10}]}}, True),
        ({"event": {"type": "track", "properties": [{"key": "seats", "op": "gt", "value": 12}]}}, False),
        ({"event": {"type": "track", "properties": [{"key": "trial", "op": "eq", "value": True}]}}, True),
        (
            {
                "event": {
                    "type": "track",
                    "properties": [{"key": "plan", "op": "in", "value": ["pro", "team"]}],
                }
            },
            True,
        ),
        ({"event": {"type": "track", "properties": [{"key": "coupon", "op": "is_null"}]}}, True),
        ({"event": {"type": "form_submit"}, "op": "eq", "count": 0}, True),
    ],
)
def test_event_conditions(world: World, visitor: Contact, tree: dict[str, Any], expected: bool) -> None:
    rows = snapshot()
    assert (visitor.pk in check(tree, world, rows)) is expected


def test_campaign_touched_within_a_window(world: World, visitor: Contact) -> None:
    rows = snapshot()
    first, second = world.campaign_ids
    assert visitor.pk in check({"campaign_touched": first, "within_days": 11}, world, rows)
    assert visitor.pk not in check({"campaign_touched": first, "within_days": 9}, world, rows)
    assert visitor.pk in check({"campaign_touched": second}, world, rows)
    assert visitor.pk not in check({"campaign_touched": second, "within_days": 39}, world, rows)


def test_anonymous_events_count_for_nobody(world: World, visitor: Contact) -> None:
    rows = snapshot()
    # the anonymous /pricing visit half a day ago would make it 4 within 7 days
    assert visitor.pk not in check(pricing("gte", 4, 7), world, rows)


def test_windows_are_anchored_at_now(world: World, visitor: Contact) -> None:
    tree = pricing("gte", 3, 7)
    assert visitor.pk in sql_ids(tree, world)
    later = World(**{**world.__dict__, "now": world.now + dt.timedelta(days=1)})
    assert visitor.pk not in sql_ids(tree, later)  # the visit 6.9 days ago drops out


def test_event_count_sets_are_restricted_to_the_batch(world: World, visitor: Contact) -> None:
    node = parse_filter(pricing("gte", 3, 7), load_catalog())
    sql, params = compile_segment(node, now=world.now, contact_ids=[visitor.pk]).query.sql_with_params()
    assert sql.count('"contact_id" IN') >= 1  # the touchpoint subquery is limited to the batch too
    assert list(
        compile_segment(node, now=world.now, contact_ids=[visitor.pk]).values_list("pk", flat=True)
    ) == [visitor.pk]
