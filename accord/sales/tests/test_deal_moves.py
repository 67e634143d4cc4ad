"""Stage moves, history and time in stage; closing rules (409 on closed, 422 without reasons); winning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accord.contacts.models import Company, Contact
from accord.core.errors import Conflict, Invalid
from accord.lifecycle.models import StageChange
from accord.sales import actions, pipeline_actions, queries
from accord.sales.models import Activity, Deal, DealStageChange
from accord.sales.tests.fixtures import customer_setup, stage

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def test_moves_record_history_and_time_in_stage(pipeline, ae):
    with time_machine.travel(T0, tick=False):
        deal = actions.create_deal(name="Acme", pipeline=pipeline, amount=1000, owner=ae, by=ae)
    with time_machine.travel(T0 + timedelta(days=2, hours=3), tick=False):
        actions.move_deal(deal, stage(pipeline, "Discovery"), by=ae)
    with time_machine.travel(T0 + timedelta(days=7), tick=False):
        actions.move_deal(deal, stage(pipeline, "Demo"), by=ae)
        actions.move_deal(deal, stage(pipeline, "Demo"), by=ae)  # same stage: nothing recorded
    changes = list(DealStageChange.objects.filter(deal=deal).order_by("changed_at", "id"))
    assert [(c.from_stage and c.from_stage.name, c.to_stage.name) for c in changes] == [
        (None, "Qualification"), ("Qualification", "Discovery"), ("Discovery", "Demo"),
    ]  # fmt: skip
    assert changes[1].changed_by == ae
    now = T0 + timedelta(days=10)
    history = queries.stage_history(deal, now)
    assert [row.duration for row in history] == [
        timedelta(days=2, hours=3), timedelta(days=4, hours=21), timedelta(days=3),
    ]  # fmt: skip
    assert history[0].duration_text == "2d 3h"
    spent = queries.time_in_stage(deal, now)
    assert spent[stage(pipeline, "Demo").pk] == timedelta(days=3)
    deal.refresh_from_db()
    assert deal.stage.name == "Demo"


def test_moving_a_closed_deal_is_a_conflict_and_changes_nothing(pipeline, ae):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, amount=1000, owner=ae)
    actions.win_deal(deal, by=ae, reason="Best fit")
    before = DealStageChange.objects.filter(deal=deal).count()
    with pytest.raises(Conflict) as exc:
        actions.move_deal(deal, stage(pipeline, "Demo"), by=ae)
    assert "already won" in exc.value.message
    with pytest.raises(Conflict):
        actions.win_deal(deal, by=ae, reason="again")
    deal.refresh_from_db()
    assert (deal.status, deal.stage.name) == ("won", "Closed won")
    assert DealStageChange.objects.filter(deal=deal).count() == before


def test_lost_needs_reason_and_competitor(pipeline, ae, competitor):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, amount=1000, owner=ae)
    lost = stage(pipeline, "Closed lost")
    with pytest.raises(Invalid) as exc:
        actions.move_deal(deal, lost, by=ae, reason="", competitor=competitor)
    assert exc.value.field_errors == {"reason": ["A reason is required."]}
    with pytest.raises(Invalid) as exc:
        actions.move_deal(deal, lost, by=ae, reason="Price", competitor=None)
    assert "competitor" in exc.value.field_errors
    deal.refresh_from_db()
    assert deal.status == "open" and DealStageChange.objects.filter(deal=deal).count() == 1
    actions.move_deal(deal, lost, by=ae, reason="Price", competitor=competitor)
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason, deal.competitor) == ("lost", "Price", competitor)
    assert deal.closed_at is not None


def test_won_without_reason_is_refused(pipeline, ae):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    with pytest.raises(Invalid):
        actions.move_deal(deal, stage(pipeline, "Closed won"), by=ae, reason="   ")
    deal.refresh_from_db()
    assert deal.status == "open"


def test_win_makes_customers_and_creates_onboarding_and_follow_up(pipeline, ae):
    data = customer_setup()
    deal = actions.create_deal(
        name="Acme",
        pipeline=pipeline,
        amount=5000,
        owner=ae,
        contact=data["contact"],
        company=data["company"],
    )
    with time_machine.travel(T0, tick=False):
        actions.move_deal(deal, stage(pipeline, "Closed won"), by=ae, reason="Strong ROI case")
    deal.refresh_from_db()
    assert (deal.status, deal.won_reason, deal.closed_at) == ("won", "Strong ROI case", T0)
    assert Contact.objects.get(pk=data["contact"].pk).lifecycle_stage == "customer"
    assert Company.objects.get(pk=data["company"].pk).lifecycle_stage == "customer"
    change = StageChange.objects.get(contact=data["contact"], to_stage="customer")
    assert (change.from_stage, change.changed_by) == ("sql", ae)
    tasks = {a.subject: a for a in Activity.objects.filter(deal=deal, kind="task")}
    assert {s: t.due_at for s, t in tasks.items()} == {
        "Onboarding: Kickoff call": T0 + timedelta(days=2),
        "Onboarding: Admin training": T0 + timedelta(days=7),
        "Onboarding: Go-live review": T0 + timedelta(days=21),
        "Post-sale follow-up: Acme": T0 + timedelta(days=30),
    }
    assert all(t.owner == ae and t.done_at is None and t.contact == data["contact"] for t in tasks.values())


def test_win_never_moves_an_evangelist_back(pipeline, ae):
    data = customer_setup()
    contact = data["contact"]
    from accord.contacts.actions import set_contact_stage

    set_contact_stage(contact, "customer")
    set_contact_stage(contact, "evangelist")
    deal = actions.create_deal(name="Upsell", pipeline=pipeline, owner=ae, contact=contact)
    actions.win_deal(deal, by=ae, reason="More seats")
    contact.refresh_from_db()
    assert contact.lifecycle_stage == "evangelist"


def test_reopen_puts_the_deal_back_in_its_last_open_stage(pipeline, ae, manager, competitor):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    actions.move_deal(deal, stage(pipeline, "Proposal"), by=ae)
    actions.lose_deal(deal, by=ae, reason="Budget", competitor=competitor)
    with pytest.raises(Invalid):
        actions.reopen_deal(deal, by=manager, reason=" ")
    actions.reopen_deal(deal, by=manager, reason="Budget came back")
    deal.refresh_from_db()
    assert (deal.status, deal.stage.name, deal.closed_at) == ("open", "Proposal", None)
    last = DealStageChange.objects.filter(deal=deal).order_by("-id").first()
    assert last is not None and last.reason == "Reopened: Budget came back" and last.changed_by == manager
    with pytest.raises(Conflict):
        actions.reopen_deal(deal, by=manager, reason="again")


def test_moving_to_another_pipelines_stage_is_invalid(pipeline, ae):
    other = pipeline_actions.create_pipeline("Upsell")
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    with pytest.raises(Invalid):
        actions.move_deal(deal, other.stages.get(position=0), by=ae)
    assert Deal.objects.get(pk=deal.pk).stage.pipeline == pipeline
