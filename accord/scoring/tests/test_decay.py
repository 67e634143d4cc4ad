"""Decay math: exact values at 0, 1 and 2 half-lives, caps, rounding and the halving dates —
in Python and in SQL on the real database, with time frozen by passing ``now``."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from accord.scoring.decay import (
    capped,
    days_until,
    decay_factor,
    julian_day,
    round_score,
    rule_points,
)
from accord.scoring.models import ContactScore
from accord.scoring.recompute import full_recompute
from accord.scoring.tests.fixtures import NOW, contact, days_ago, pricing_rule, visit_pricing


@pytest.mark.parametrize(("age", "expected"), [(0, 1.0), (7, 0.5), (14, 0.25), (21, 0.125)])
def test_decay_factor_halves_every_half_life(age: float, expected: float) -> None:
    assert decay_factor(age, 7) == expected


def test_an_occurrence_from_the_future_is_not_worth_more_than_a_fresh_one() -> None:
    assert decay_factor(-3, 7) == 1.0


def test_half_life_must_be_positive() -> None:
    with pytest.raises(ValueError):
        decay_factor(1, 0)


def test_cap_limits_the_sum_both_ways() -> None:
    assert capped(42.0, 30) == 30
    assert capped(12.5, 30) == 12.5
    assert capped(-42.0, 30) == -30
    assert capped(42.0, None) == 42.0


def test_rule_points_is_the_capped_sum_of_decayed_occurrences() -> None:
    occurred = [NOW, days_ago(7), days_ago(14)]
    assert rule_points(10, occurred, NOW, half_life_days=7, cap=None) == 17.5
    assert rule_points(10, occurred, NOW, half_life_days=7, cap=15) == 15
    assert rule_points(-10, occurred, NOW, half_life_days=7, cap=15) == -15


@pytest.mark.parametrize(
    ("value", "rounded"), [(0.5, 1), (1.5, 2), (2.5, 3), (-0.5, -1), (-2.5, -3), (2.49, 2), (0.0, 0)]
)
def test_round_score_rounds_halves_away_from_zero(value: float, rounded: int) -> None:
    assert round_score(value) == rounded


def test_days_until_a_value_uses_the_uncapped_sum() -> None:
    # 17.5 decays to 8.75 after one half-life; a cap of 10 does not change when that happens.
    assert days_until(17.5, None, 8.75, 7) == pytest.approx(7)
    assert days_until(17.5, 10, 8.75, 7) == pytest.approx(7)
    # Capped at 10, the contribution stays 10 until the raw sum falls to 10.
    assert days_until(40.0, 10, 10, 7) == pytest.approx(14)
    assert days_until(5.0, None, 7, 7) == 0.0
    assert math.isinf(days_until(5.0, None, 0, 7))


def test_julian_day_matches_sqlite() -> None:
    assert julian_day(dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) == 2_440_587.5
    with pytest.raises(ValueError):
        julian_day(dt.datetime(2026, 1, 1))  # noqa: DTZ001 - naive on purpose


@pytest.mark.django_db
@pytest.mark.parametrize(("age", "points"), [(0, 10.0), (7, 5.0), (14, 2.5)])
def test_sql_decay_matches_python_at_whole_half_lives(age: float, points: float) -> None:
    person = contact()
    visit_pricing(person, age)
    pricing_rule(points=10, half_life_days=7)
    full_recompute(now=NOW)
    score = ContactScore.objects.get(contact=person)
    assert score.engagement == pytest.approx(points, abs=1e-6)
    assert score.total == round_score(points)
    assert score.computed_at == NOW


@pytest.mark.django_db
def test_sql_decay_matches_python_at_odd_ages() -> None:
    person = contact()
    ages = [0.3, 2.25, 9.9, 30.0]
    visit_pricing(person, *ages)
    pricing_rule(points=7, half_life_days=5)
    full_recompute(now=NOW)
    expected = rule_points(7, [days_ago(a) for a in ages], NOW, half_life_days=5, cap=None)
    assert ContactScore.objects.get(contact=person).engagement == pytest.approx(expected, rel=1e-6)
