"""Score conditions, against the scoring app's ContactScore table (a contact without a row scores 0)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from accord.segments.fields import SCORE_LOOKUPS, scores_available
from accord.segments.tests.fixtures import World
from accord.segments.tests.helpers import check
from accord.segments.tests.oracle import snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not scores_available(), reason="the scoring app has no ContactScore model yet"),
]


@pytest.fixture
def scored(world: World) -> dict[int, tuple[int, int, float]]:
    model = apps.get_model("scoring", "ContactScore")
    values = {
        world.contacts[0].pk: (50, 20, 30.5),
        world.contacts[1].pk: (10, 10, 0.0),
        world.contacts[2].pk: (-5, 0, -5.0),
    }
    for contact_id, (total, fit, engagement) in values.items():
        model.objects.create(
            contact_id=contact_id,
            total=total,
            fit=fit,
            engagement=engagement,
            computed_at=world.now - dt.timedelta(hours=1),
        )
    return values


def test_the_lookup_paths_match_the_scoring_model() -> None:
    model = apps.get_model("scoring", "ContactScore")
    names = {f.name for f in model._meta.get_fields()}
    for _, path in SCORE_LOOKUPS.values():
        relation, column = path.split("__")
        assert relation == "score" and column in names


@pytest.mark.parametrize(
    ("field", "op", "value", "index", "expected"),
    [
        ("score", "gt", 20, 0, True),
        ("score", "gt", 20, 1, False),
        ("score", "lt", 0, 2, True),
        ("score", "eq", 0, 5, True),  # no score row: 0
        ("score", "between", [0, 10], 1, True),
        ("score.fit", "gte", 20, 0, True),
        ("score.engagement", "gt", 30, 0, True),
        ("score.engagement", "neq", 0, 1, False),
    ],
)
def test_score_conditions(
    world: World,
    scored: dict[int, tuple[int, int, float]],
    field: str,
    op: str,
    value: object,
    index: int,
    expected: bool,
) -> None:
    rows = snapshot()
    for row in rows:
        total, fit, engagement = scored.get(row.id, (0, 0, 0.0))
        row.scores = {"score": total, "score.fit": fit, "score.engagement": engagement}
    got = check({"field": field, "op": op, "value": value}, world, rows)
    assert (world.contacts[index].pk in got) is expected
