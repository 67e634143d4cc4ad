"""The stage machine: history rows, never silently backwards, verdicts need reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accord.contacts.actions import create_contact
from accord.lifecycle.actions import StageChangeError, change_stage, stage_changed
from accord.lifecycle.models import StageChange
from accord.lifecycle.stages import LifecycleStage, is_backwards

pytestmark = pytest.mark.django_db


def history(contact_id: int) -> list[tuple[str, str]]:
    rows = StageChange.objects.filter(contact_id=contact_id).order_by("changed_at", "id")
    return [(r.from_stage, r.to_stage) for r in rows]


def test_create_records_initial_stage():
    c = create_contact(email="Ann@Example.com", lifecycle_stage=LifecycleStage.LEAD)
    assert c.email == "ann@example.com"
    assert history(c.pk) == [("", "lead")]


def test_forward_change_is_recorded_with_actor_rule_and_reason(users):
    c = create_contact(email="a@example.com")
    at = timezone.now() + timedelta(seconds=1)
    change = change_stage(c, LifecycleStage.MQL, rule="score_threshold", reason="score 72 ≥ 60", at=at)
    assert change is not None and change.changed_at == at and change.rule == "score_threshold"
    change_stage(c, LifecycleStage.SAL, by=users["sdr"], at=at + timedelta(seconds=1))
    c.refresh_from_db()
    assert c.lifecycle_stage == "sal"
    assert history(c.pk) == [("", "subscriber"), ("subscriber", "mql"), ("mql", "sal")]
    assert StageChange.objects.filter(contact=c, to_stage="sal").get().changed_by == users["sdr"]


def test_same_stage_is_a_no_op():
    c = create_contact(email="a@example.com", lifecycle_stage="lead")
    assert change_stage(c, "lead") is None
    assert len(history(c.pk)) == 1


def test_never_silently_backwards():
    c = create_contact(email="a@example.com", lifecycle_stage="sql")
    with pytest.raises(StageChangeError, match="explicit reason"):
        change_stage(c, "lead")
    with pytest.raises(StageChangeError, match="reason is required"):
        change_stage(c, "lead", allow_backwards=True, reason="  ")
    c.refresh_from_db()
    assert c.lifecycle_stage == "sql" and len(history(c.pk)) == 1
    change_stage(c, "lead", allow_backwards=True, reason="Entered in error by import")
    c.refresh_from_db()
    assert c.lifecycle_stage == "lead"
    assert StageChange.objects.get(contact=c, to_stage="lead").reason == "Entered in error by import"


def test_recycle_and_disqualify_need_a_reason():
    c = create_contact(email="a@example.com", lifecycle_stage="mql")
    with pytest.raises(StageChangeError):
        change_stage(c, "recycled")
    change_stage(c, "recycled", reason="no budget this year")
    change_stage(c, "mql", rule="score_threshold")  # out of recycled is not "backwards"
    assert [t for _, t in history(c.pk)] == ["mql", "recycled", "mql"]


def test_unknown_stage_refused():
    c = create_contact(email="a@example.com")
    with pytest.raises(StageChangeError, match="Unknown"):
        change_stage(c, "winner")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("lead", "mql", False), ("mql", "lead", True), ("customer", "sql", True), ("", "customer", False),
     ("recycled", "lead", False), ("sql", "disqualified", False)],
)  # fmt: skip
def test_is_backwards(a, b, expected):
    assert is_backwards(a, b) is expected


@pytest.mark.django_db(transaction=True)
def test_stage_changed_signal_fires_after_commit_only():
    seen: list[tuple[str, str]] = []

    def receiver(sender, **kw):
        seen.append((kw["from_stage"], kw["to_stage"]))

    stage_changed.connect(receiver)
    try:
        c = create_contact(email="a@example.com")
        with transaction.atomic():
            change_stage(c, "lead")
            assert seen == []  # not before commit
        assert seen == [("subscriber", "lead")]
        try:
            with transaction.atomic():
                change_stage(c, "mql")
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
        assert seen == [("subscriber", "lead")]  # rolled back: no event
        c.refresh_from_db()
        assert c.lifecycle_stage == "lead"
    finally:
        stage_changed.disconnect(receiver)
