"""Full recompute and incremental rescore: the stored numbers, caps, windows, property conditions,
fit rules, and that both paths agree — set-based, with a number of queries that does not grow
with the number of contacts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.contacts.models import Contact
from accord.scoring import actions
from accord.scoring.models import ContactScore
from accord.scoring.recompute import _prefer_table_scan, full_recompute, rescore_contacts
from accord.scoring.rules import load_rules
from accord.scoring.tests.fixtures import (
    NOW,
    big_company_rule,
    company,
    contact,
    days_ago,
    pricing_rule,
    touch,
    visit_pricing,
)
from accord.tracking.actions import record_touchpoint

pytestmark = pytest.mark.django_db


def scores() -> dict[int, tuple[int, float, int]]:
    return {s.contact_id: (s.fit, round(s.engagement, 9), s.total) for s in ContactScore.objects.all()}


def test_every_contact_gets_a_row_even_without_rules() -> None:
    people = [contact(), contact()]
    result = full_recompute(now=NOW)
    assert result.contacts == 2
    assert scores() == {p.pk: (0, 0.0, 0) for p in people}


def test_fit_and_engagement_add_up_to_the_total() -> None:
    acme = company(size="201-1000", industry="Software")
    ada = contact(company=acme)
    bob = contact()
    visit_pricing(ada, 0, 7, 14)  # 10 + 5 + 2.5
    visit_pricing(bob, 7)  # 5
    big_company_rule(15)
    pricing_rule(points=10, half_life_days=7)
    full_recompute(now=NOW)
    assert scores() == {ada.pk: (15, 17.5, 33), bob.pk: (0, 5.0, 5)}


def test_cap_limits_a_rule_and_not_the_others() -> None:
    ada = contact()
    visit_pricing(ada, 0, 0, 0, 0)  # 40 uncapped
    touch(ada, 0, "email_open")
    pricing_rule(points=10, cap=25)
    actions.create_engagement_rule(
        name="Opened an email", event_type="email_open", points=3, half_life_days=30
    )
    full_recompute(now=NOW)
    assert scores()[ada.pk] == (0, 28.0, 28)


def test_negative_points_are_capped_from_below() -> None:
    ada = contact()
    for _ in range(5):
        touch(ada, 0, "track", name="Unsubscribed")
    actions.create_engagement_rule(
        name="Unsubscribed",
        event_type="track",
        event_name="Unsubscribed",
        points=-10,
        cap=20,
        half_life_days=30,
    )
    full_recompute(now=NOW)
    assert scores()[ada.pk] == (0, -20.0, -20)


def test_window_excludes_old_occurrences_and_the_future() -> None:
    ada = contact()
    visit_pricing(ada, 5, 29.9, 30.1, -1)  # 30.1 days: outside a 30-day window; -1: tomorrow
    pricing_rule(points=8, half_life_days=10, window_days=30)
    full_recompute(now=NOW)
    expected = 8 * 0.5 ** (5 / 10) + 8 * 0.5 ** (29.9 / 10)
    assert ContactScore.objects.get(contact=ada).engagement == pytest.approx(expected)


def test_property_conditions_and_event_names_select_the_touchpoints() -> None:
    ada = contact()
    touch(ada, 0, "page", properties={"url": "https://acme.test/pricing"})
    touch(ada, 0, "page", properties={"url": "https://acme.test/blog"})
    touch(ada, 0, "page", properties={"url": 42})  # not text: never "contains"
    touch(ada, 0, "page", properties={})
    touch(ada, 0, "track", name="Demo Requested", properties={"seats": 25})
    touch(ada, 0, "track", name="Demo Requested", properties={"seats": 3})
    touch(ada, 0, "track", name="Signed Up", properties={"seats": 40})
    pricing_rule(points=10)
    actions.create_engagement_rule(
        name="Big demo request",
        event_type="track",
        event_name="Demo Requested",
        property_conditions=[{"key": "seats", "op": "gte", "value": 10}],
        points=30,
    )
    full_recompute(now=NOW)
    assert scores()[ada.pk] == (0, 40.0, 40)


def test_touchpoints_without_a_contact_and_paused_rules_do_not_count() -> None:
    ada = contact()
    visit_pricing(ada, 0)
    touch(ada.pk, 0, "page", properties={"url": "/pricing"})
    record_touchpoint(type="page", occurred_at=NOW, anonymous_id="anon-1", properties={"url": "/pricing"})
    rule = pricing_rule(points=10)
    actions.create_engagement_rule(name="Paused", event_type="page", points=50, active=False)
    full_recompute(now=NOW)
    assert scores()[ada.pk] == (0, 20.0, 20)
    actions.update_engagement_rule(rule, active=False)
    full_recompute(now=NOW)
    assert scores()[ada.pk] == (0, 0.0, 0)


def test_fit_rules_with_trees_and_negative_points() -> None:
    acme = company(size="201-1000", industry="Software", country="DE")
    ada = contact(company=acme, title="VP Marketing")
    bob = contact(company=company(size="1-10"), title="Student")
    eve = contact(title="Head of Growth")
    big_company_rule(15)
    actions.create_fit_rule(
        name="Senior title",
        condition={
            "or": [
                {"field": "title", "op": "contains", "value": "VP"},
                {"field": "title", "op": "starts_with", "value": "Head"},
            ]
        },
        points=10,
    )
    actions.create_fit_rule(
        name="Students", condition={"field": "title", "op": "eq", "value": "Student"}, points=-20
    )
    actions.create_fit_rule(
        name="Outside the EU",
        condition={"not": {"field": "company.country", "op": "in", "value": ["DE", "FR"]}},
        points=-5,
    )
    full_recompute(now=NOW)
    # eve has no company: "company country is not DE/FR" holds (two-valued logic, like segments)
    assert scores() == {ada.pk: (25, 0.0, 25), bob.pk: (-25, 0.0, -25), eve.pk: (5, 0.0, 5)}


def test_incremental_rescore_equals_full_recompute() -> None:
    acme = company(size="201-1000")
    people = [contact(company=acme if i % 2 else None) for i in range(6)]
    for i, person in enumerate(people):
        visit_pricing(person, *[i * 1.5 + k for k in range(i)])
        touch(person, i, "email_open")
    big_company_rule(15)
    pricing_rule(points=10, cap=35, half_life_days=7)
    actions.create_engagement_rule(
        name="Opened an email", event_type="email_open", points=3, half_life_days=30
    )
    full_recompute(now=NOW)
    # new events for some contacts, rescored incrementally …
    visit_pricing(people[0], 0.5, 1.5)
    touch(people[3], 0.2, "email_open")
    assert rescore_contacts([people[0].pk, people[3].pk, 999_999], now=NOW) == 2
    incremental = scores()
    # … equal a full recompute from scratch
    ContactScore.objects.all().delete()
    full_recompute(now=NOW)
    assert scores() == incremental


def test_rescore_of_unknown_or_no_contacts_is_a_no_op() -> None:
    assert rescore_contacts([], now=NOW) == 0
    assert rescore_contacts([123456], now=NOW) == 0
    assert not ContactScore.objects.exists()


def test_an_older_computation_never_overwrites_a_newer_score() -> None:
    ada = contact()
    visit_pricing(ada, 0)
    pricing_rule(points=10, half_life_days=7)
    rescore_contacts([ada.pk], now=NOW)
    full_recompute(now=days_ago(7))  # a slow full run that started a week earlier, say
    score = ContactScore.objects.get(contact=ada)
    assert (score.engagement, score.computed_at) == (10.0, NOW)


def test_copy_in_chunks_writes_every_contact() -> None:
    people = [contact() for _ in range(7)]
    for person in people:
        visit_pricing(person, 0)
    pricing_rule(points=10)
    result = full_recompute(now=NOW, copy_chunk=2)
    assert result.contacts == 7
    assert set(scores().values()) == {(0, 10.0, 10)}


def _dataset(n: int) -> None:
    acme = company(size="201-1000")
    for i in range(n):
        person = contact(company=acme if i % 2 else None, title="VP Sales" if i % 3 else "")
        visit_pricing(person, i % 5, i % 7)
        touch(person, i % 4, "email_open")


def _rules() -> None:
    big_company_rule(15)
    actions.create_fit_rule(
        name="VP", condition={"field": "title", "op": "contains", "value": "VP"}, points=5
    )
    pricing_rule(points=10, cap=30)
    actions.create_engagement_rule(
        name="Opened an email", event_type="email_open", points=3, half_life_days=30
    )


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def test_full_recompute_and_rescore_issue_as_many_queries_for_40_contacts_as_for_3() -> None:
    _rules()
    _dataset(3)
    full_3 = _queries(lambda: full_recompute(now=NOW, promote=False))
    rescore_3 = _queries(
        lambda: rescore_contacts(Contact.objects.values_list("pk", flat=True), now=NOW, promote=False)
    )
    _dataset(37)
    full_40 = _queries(lambda: full_recompute(now=NOW, promote=False))
    rescore_40 = _queries(
        lambda: rescore_contacts(Contact.objects.values_list("pk", flat=True), now=NOW, promote=False)
    )
    assert ContactScore.objects.count() == 40
    assert full_40 == full_3 <= 16
    assert rescore_40 == rescore_3 <= 10


def test_full_recompute_query_count_is_bounded(django_assert_max_num_queries) -> None:
    _rules()
    _dataset(25)
    with django_assert_max_num_queries(16):
        full_recompute(now=NOW, promote=False)


def test_sqlite_full_recompute_chooses_a_table_scan_when_most_touchpoints_count() -> None:
    ada = contact()
    visit_pricing(ada, 0, 1, 2)
    touch(ada, 0, "email_open")
    pricing_rule()
    expected = connection.vendor == "sqlite"
    assert _prefer_table_scan(load_rules(), NOW) is expected
