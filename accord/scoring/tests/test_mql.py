"""Score ≥ threshold → MQL: once, with the reason in the stage history, forward only."""

from __future__ import annotations

import pytest

from accord.contacts.models import Contact
from accord.lifecycle.actions import change_stage
from accord.lifecycle.models import StageChange
from accord.lifecycle.stages import LifecycleStage as S
from accord.scoring import actions
from accord.scoring.models import ScoringSettings
from accord.scoring.mql import RULE, promote_to_mql
from accord.scoring.recompute import full_recompute, rescore_contacts
from accord.scoring.tests.fixtures import NOW, contact, pricing_rule, visit_pricing

pytestmark = pytest.mark.django_db


def hot(stage: str = S.LEAD, visits: int = 8) -> Contact:
    person = contact(lifecycle_stage=stage)
    visit_pricing(person, *([0] * visits))  # 10 points each, fresh
    return person


@pytest.fixture
def rule() -> None:
    pricing_rule(points=10, half_life_days=7)


def stage_of(person) -> str:
    person.refresh_from_db()
    return person.lifecycle_stage


def test_default_threshold_is_60() -> None:
    assert ScoringSettings.load().mql_threshold == 60


def test_crossing_the_threshold_moves_a_lead_to_mql_once_with_the_reason(rule) -> None:
    ada = hot(S.LEAD, visits=7)  # 70
    cold = hot(S.LEAD, visits=5)  # 50
    result = full_recompute(now=NOW)
    assert result.promoted == 1
    assert (stage_of(ada), stage_of(cold)) == (S.MQL, S.LEAD)
    change = StageChange.objects.get(contact=ada, to_stage=S.MQL)
    assert (change.from_stage, change.to_stage, change.rule, change.changed_at) == (S.LEAD, S.MQL, RULE, NOW)
    assert change.reason == "Score 70 reached the MQL threshold (60)"
    # running again changes nothing
    assert full_recompute(now=NOW).promoted == 0
    assert promote_to_mql(now=NOW) == 0
    assert StageChange.objects.filter(contact=ada, to_stage=S.MQL).count() == 1


def test_subscribers_and_recycled_contacts_move_too(rule) -> None:
    sub, recycled = hot(S.SUBSCRIBER), hot(S.LEAD)
    change_stage(recycled, S.RECYCLED, reason="Timeline: next year")
    full_recompute(now=NOW)
    assert (stage_of(sub), stage_of(recycled)) == (S.MQL, S.MQL)


@pytest.mark.parametrize(
    "stage", [S.MQL, S.SAL, S.SQL, S.OPPORTUNITY, S.CUSTOMER, S.EVANGELIST, S.DISQUALIFIED]
)
def test_contacts_at_mql_or_beyond_or_disqualified_are_never_moved(rule, stage: str) -> None:
    person = hot(S.LEAD)
    if stage != S.LEAD:
        change_stage(person, stage, reason="set up by the test")
    before = StageChange.objects.filter(contact=person).count()
    full_recompute(now=NOW)
    assert stage_of(person) == stage
    assert StageChange.objects.filter(contact=person).count() == before


def test_a_customer_with_a_high_score_stays_a_customer(rule) -> None:
    customer = hot(S.CUSTOMER, visits=20)
    rescore_contacts([customer.pk], now=NOW)
    assert stage_of(customer) == S.CUSTOMER
    assert not StageChange.objects.filter(contact=customer, rule=RULE).exists()


def test_incremental_rescore_promotes_only_its_batch(rule) -> None:
    ada, bob = hot(), hot()
    rescore_contacts([ada.pk], now=NOW)
    assert (stage_of(ada), stage_of(bob)) == (S.MQL, S.LEAD)


def test_the_threshold_is_configurable(rule) -> None:
    ada = hot(visits=4)  # 40
    full_recompute(now=NOW)
    assert stage_of(ada) == S.LEAD
    actions.set_mql_threshold(40)
    full_recompute(now=NOW)
    assert stage_of(ada) == S.MQL
    assert StageChange.objects.get(contact=ada, rule=RULE).reason == "Score 40 reached the MQL threshold (40)"


def test_promotion_without_rescoring_can_be_skipped(rule) -> None:
    ada = hot()
    full_recompute(now=NOW, promote=False)
    assert stage_of(ada) == S.LEAD
    assert promote_to_mql(now=NOW, contact_ids=[ada.pk]) == 1


def test_threshold_validation() -> None:
    from accord.core.errors import Invalid

    for bad in (0, -5, 100_001, "60", 12.5, True):
        with pytest.raises(Invalid):
            actions.set_mql_threshold(bad)
    assert actions.set_mql_threshold(75).mql_threshold == 75
