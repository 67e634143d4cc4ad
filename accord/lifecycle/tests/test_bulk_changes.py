"""Many stage changes at once: one UPDATE, one history INSERT, the signals after commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from accord.contacts.actions import create_contact
from accord.contacts.models import Contact
from accord.lifecycle.actions import StageChangeError, change_stages, stage_changed, stages_changed
from accord.lifecycle.models import StageChange

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def received():
    got: dict[str, list] = {"one": [], "batch": []}

    def one(sender, **kw):
        got["one"].append(kw["contact_id"])

    def batch(sender, changes, **kw):
        got["batch"].append([(m.contact_id, m.from_stage, m.to_stage, m.change_id) for m in changes])

    stage_changed.connect(one, dispatch_uid="test-one")
    stages_changed.connect(batch, dispatch_uid="test-batch")
    yield got
    stage_changed.disconnect(dispatch_uid="test-one")
    stages_changed.disconnect(dispatch_uid="test-batch")


def test_moves_forward_in_one_batch_with_history_and_one_batch_signal(
    received, django_assert_max_num_queries
):
    a = create_contact(email="a@x.io", lifecycle_stage="lead")
    b = create_contact(email="b@x.io", lifecycle_stage="subscriber")
    c = create_contact(email="c@x.io", lifecycle_stage="mql")
    received["one"].clear(), received["batch"].clear()
    contacts = list(Contact.objects.filter(pk__in=[a.pk, b.pk, c.pk]).order_by("pk"))
    with transaction.atomic():
        with django_assert_max_num_queries(4):  # savepoint, UPDATE, INSERT, release
            changes = change_stages(contacts, "mql", rule="score_threshold", reasons={a.pk: "Score 70 ≥ 60"})
        assert received["batch"] == []  # not before commit
    assert {ch.contact_id for ch in changes} == {a.pk, b.pk}  # c was already an MQL
    assert set(Contact.objects.values_list("email", "lifecycle_stage")) == {
        ("a@x.io", "mql"), ("b@x.io", "mql"), ("c@x.io", "mql"),
    }  # fmt: skip
    history = StageChange.objects.filter(rule="score_threshold").order_by("contact_id")
    assert [(h.contact_id, h.from_stage, h.to_stage, h.reason) for h in history] == [
        (a.pk, "lead", "mql", "Score 70 ≥ 60"), (b.pk, "subscriber", "mql", ""),
    ]  # fmt: skip
    assert received["batch"] == [[(h.contact_id, h.from_stage, "mql", h.pk) for h in history]]
    assert sorted(received["one"]) == [a.pk, b.pk]


def test_a_backwards_move_refuses_the_whole_batch(received):
    a = create_contact(email="a@x.io", lifecycle_stage="lead")
    cust = create_contact(email="cust@x.io", lifecycle_stage="customer")
    received["batch"].clear()
    contacts = list(Contact.objects.filter(pk__in=[a.pk, cust.pk]))
    with pytest.raises(StageChangeError, match="back to Marketing qualified lead"):
        change_stages(contacts, "mql", rule="x")
    assert dict(Contact.objects.values_list("email", "lifecycle_stage")) == {
        "a@x.io": "lead",
        "cust@x.io": "customer",
    }
    assert not StageChange.objects.filter(rule="x").exists()
    assert received["batch"] == []
    with pytest.raises(StageChangeError, match="one lead at a time"):
        change_stages([a], "disqualified", rule="x")


def test_rolled_back_batch_sends_nothing(received):
    a = create_contact(email="a@x.io", lifecycle_stage="lead")
    received["batch"].clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        change_stages([Contact.objects.get(pk=a.pk)], "mql", rule="x")
        raise RuntimeError
    assert Contact.objects.get(pk=a.pk).lifecycle_stage == "lead" and received["batch"] == []
