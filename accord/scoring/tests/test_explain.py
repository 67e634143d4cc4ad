"""Explanations with frozen time: the exact sentences, the "decays to … by <date>" dates, and that
the lines add up to the stored score."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.scoring import actions
from accord.scoring.decay import round_score
from accord.scoring.explain import explain, explain_score
from accord.scoring.models import ContactScore
from accord.scoring.recompute import full_recompute
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

pytestmark = pytest.mark.django_db


def texts(contact_id: int, now: dt.datetime = NOW) -> list[str]:
    return [line.text for line in explain(contact_id, now)]


def test_the_example_from_the_spec() -> None:
    ada = contact()
    visit_pricing(ada, 0, 0, 6.5)  # 10 + 10 + 10·0.5^(6.5/14) = 27.25…, capped at 15
    pricing_rule(name="Visited pricing page", points=10, cap=15, half_life_days=14)
    [line] = explain(ada.pk, NOW)
    # 15 → 7 (half, rounded towards zero) when the raw sum 27.25 has decayed to 7: 14 × log2(27.25/7) = 27.5 days
    assert line.text == "+15 Visited pricing page 3× in 7 days (capped at 15), decays to +7 by 2026-12-25"
    assert (line.occurrences, line.is_capped, line.decays_to) == (3, True, 7)
    assert line.first_at == days_ago(6.5) and line.last_at == NOW


def test_an_uncapped_rule_halves_after_one_half_life() -> None:
    ada = contact()
    visit_pricing(ada, 0, 7)  # 10 + 5 = 15
    pricing_rule(name="Visited pricing page", points=10, half_life_days=7)
    [line] = explain(ada.pk, NOW)
    assert line.points == pytest.approx(15)
    # 15 → 7: a little more than one half-life (7 × log2(15/7) = 7.7 days after noon on the 28th)
    assert line.text == "+15 Visited pricing page 2× in 7 days, decays to +7 by 2026-12-06"
    visit_pricing(ada, 0)  # 25 now
    [line] = explain(ada.pk, NOW)
    assert line.text == "+25 Visited pricing page 3× in 7 days, decays to +12 by 2026-12-05"


def test_the_date_is_exact_for_an_even_contribution() -> None:
    ada = contact()
    visit_pricing(ada, 0, 0)  # 20 → 10 after exactly one half-life
    pricing_rule(name="Pricing", points=10, half_life_days=10)
    [line] = explain(ada.pk, NOW)
    assert (line.decays_to, line.decays_by) == (10, dt.date(2026, 12, 8))


def test_small_contributions_say_when_they_fade() -> None:
    ada = contact()
    visit_pricing(ada, 0)
    touch(ada, 40, "email_open")
    pricing_rule(name="Pricing", points=1, half_life_days=7)
    actions.create_engagement_rule(
        name="Opened an email", event_type="email_open", points=2, half_life_days=10
    )
    lines = explain(ada.pk, NOW)
    assert [line.text for line in lines] == [
        "+1 Pricing 1× in 1 day, fades to 0 by 2026-12-05",
        "+0 Opened an email 1× in 40 days, less than 1 point",
    ]
    visit_pricing(ada, 0)  # 2 points → 1 after one half-life
    assert texts(ada.pk)[0] == "+2 Pricing 2× in 1 day, decays to +1 by 2026-12-05"


def test_the_halving_starts_from_the_shown_points() -> None:
    ada = contact()
    visit_pricing(ada, 0.001, 0.001)  # 19.998…, shown as +20
    pricing_rule(name="Pricing", points=10, half_life_days=7)
    [line] = explain(ada.pk, NOW)
    assert line.text == "+20 Pricing 2× in 1 day, decays to +10 by 2026-12-05"


def test_negative_rules_decay_towards_zero() -> None:
    ada = contact()
    touch(ada, 0, "track", name="Unsubscribed")
    actions.create_engagement_rule(
        name="Unsubscribed", event_type="track", event_name="Unsubscribed", points=-20, half_life_days=30
    )
    assert texts(ada.pk) == ["-20 Unsubscribed 1× in 1 day, decays to -10 by 2026-12-28"]


def test_fit_lines_come_first_and_rules_that_do_not_apply_are_left_out() -> None:
    ada = contact(company=company(size="201-1000"), title="Engineer")
    visit_pricing(ada, 1)
    big_company_rule(15)
    actions.create_fit_rule(
        name="Senior title", condition={"field": "title", "op": "contains", "value": "VP"}, points=10
    )
    actions.create_fit_rule(name="Has a title", condition={"field": "title", "op": "is_not_null"}, points=3)
    pricing_rule(name="Pricing", points=10, half_life_days=1)
    actions.create_engagement_rule(name="Downloads", event_type="content_download", points=5)
    assert texts(ada.pk) == [
        "+15 Mid-size company",
        "+3 Has a title",
        "+5 Pricing 1× in 1 day, decays to +2 by 2026-11-29",
    ]


def test_explanation_adds_up_to_the_stored_score() -> None:
    acme = company(size="201-1000")
    people = [contact(company=acme if i % 2 else None) for i in range(5)]
    for i, person in enumerate(people):
        visit_pricing(person, *[0.7 * k + i for k in range(i + 1)])
        touch(person, 3 + i, "email_open")
    big_company_rule(15)
    pricing_rule(points=9, cap=20, half_life_days=5)
    actions.create_engagement_rule(
        name="Opened an email", event_type="email_open", points=3, half_life_days=30
    )
    full_recompute(now=NOW)
    for person in people:
        explanation = explain_score(person.pk, NOW)
        stored = ContactScore.objects.get(contact=person)
        assert explanation.stored == stored
        assert (
            explanation.total == stored.total == round_score(sum(line.points for line in explanation.lines))
        )
        assert explanation.fit == stored.fit
        assert explanation.engagement == pytest.approx(stored.engagement)


def test_later_explanations_show_the_decay() -> None:
    ada = contact()
    visit_pricing(ada, 0, 0)
    pricing_rule(name="Pricing", points=10, half_life_days=7)
    assert texts(ada.pk, NOW) == ["+20 Pricing 2× in 1 day, decays to +10 by 2026-12-05"]
    assert texts(ada.pk, NOW + dt.timedelta(days=7)) == [
        "+10 Pricing 2× in 7 days, decays to +5 by 2026-12-12"
    ]
    assert texts(ada.pk, NOW + dt.timedelta(days=91)) == []  # out of the 90-day window


def test_explaining_a_contact_without_rules_or_events() -> None:
    ada = contact()
    assert explain(ada.pk, NOW) == []
    explanation = explain_score(ada.pk, NOW)
    assert (explanation.total, explanation.stored) == (0, None)
