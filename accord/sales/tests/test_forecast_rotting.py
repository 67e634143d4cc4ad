"""The weighted forecast by month against a hand computation; rotting flags under a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from accord.sales import actions, queries
from accord.sales.models import Deal
from accord.sales.tests.fixtures import stage

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def test_forecast_by_month_matches_hand_computation(pipeline, ae, competitor):
    def deal(name, amount, stage_name, close):
        d = actions.create_deal(name=name, pipeline=pipeline, amount=amount, owner=ae, expected_close=close)
        if stage_name != "Qualification":
            actions.move_deal(d, stage(pipeline, stage_name), by=ae)
        return d

    deal("a", 1000, "Qualification", date(2025, 6, 3))  # 10% → 100
    deal("b", 2500, "Proposal", date(2025, 6, 28))  # 60% → 1500
    deal("c", 400, "Negotiation", date(2025, 7, 1))  # 80% → 320
    deal("d", 999.99, "Demo", date(2025, 7, 31))  # 40% → 399.996
    deal("no date", 5000, "Demo", None)  # left out: no expected close
    lost = deal("lost", 7000, "Demo", date(2025, 6, 10))
    actions.lose_deal(lost, by=ae, reason="Price", competitor=competitor)  # left out: closed
    months = queries.forecast_by_month(Deal.objects.all())
    assert [(m.month, m.amount, m.weighted) for m in months] == [
        (date(2025, 6, 1), Decimal("3500.00"), Decimal("1600.00")),
        (date(2025, 7, 1), Decimal("1399.99"), Decimal("720.00")),
    ]
    chart = queries.forecast_chart(months)
    assert [b.height for b in chart["bars"]] == [140, 63]  # 720 / 1600 × 140


def test_forecast_api_filters_by_owner(pipeline, ae, ae2, api_client_for):
    actions.create_deal(name="a", pipeline=pipeline, amount=1000, owner=ae, expected_close=date(2025, 6, 3))
    actions.create_deal(name="b", pipeline=pipeline, amount=3000, owner=ae2, expected_close=date(2025, 6, 3))
    api = api_client_for(ae)
    assert api.get("/api/sales/forecast").json() == [
        {"month": "2025-06-01", "currency": "USD", "count": 2, "amount": "4000.00", "weighted": "400.00"}
    ]
    mine = api.get(f"/api/sales/forecast?owner={ae.pk}").json()
    assert mine == [
        {"month": "2025-06-01", "currency": "USD", "count": 1, "amount": "1000.00", "weighted": "100.00"}
    ]
    actions.create_deal(
        name="c", pipeline=pipeline, amount=500, currency="EUR", owner=ae, expected_close=date(2025, 6, 9)
    )
    by_currency = {row["currency"]: row["amount"] for row in api.get("/api/sales/forecast").json()}
    assert by_currency == {"EUR": "500.00", "USD": "4000.00"}  # one row each, never summed
    assert api.get("/api/sales/forecast?owner=0").status_code == 422


def test_rotting_flags_exactly_the_deals_over_the_threshold(pipeline, ae):
    # Discovery rots after 14 days, Demo after 10; closed stages never rot.
    with time_machine.travel(T0, tick=False):
        idle = actions.create_deal(name="idle", pipeline=pipeline, owner=ae)
        actions.move_deal(idle, stage(pipeline, "Discovery"), by=ae)
        touched = actions.create_deal(name="touched", pipeline=pipeline, owner=ae)
        actions.move_deal(touched, stage(pipeline, "Discovery"), by=ae)
        edge = actions.create_deal(name="edge", pipeline=pipeline, owner=ae)
        actions.move_deal(edge, stage(pipeline, "Demo"), by=ae)
        won = actions.create_deal(name="won", pipeline=pipeline, owner=ae)
        actions.win_deal(won, by=ae, reason="Yes")
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        actions.log_activity(
            kind="call", subject="Check-in", owner=ae, deal=touched, done_at=T0 + timedelta(days=5)
        )
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        moved_late = actions.create_deal(name="moved late", pipeline=pipeline, owner=ae)
        actions.move_deal(moved_late, stage(pipeline, "Discovery"), by=ae)

    now = T0 + timedelta(days=15, hours=1)
    # idle: 15 d > 14 → rotting; touched: 10 d since the call; edge: Demo 15 d > 10 → rotting;
    # moved late: 5 d; won: closed.
    assert queries.rotting_deal_ids(Deal.objects.all(), now) == {idle.pk, edge.pk}
    # exactly at the threshold is not over it
    assert queries.rotting_deal_ids(Deal.objects.all(), T0 + timedelta(days=10)) == set()
    assert queries.rotting_deal_ids(Deal.objects.all(), T0 + timedelta(days=10, seconds=1)) == {edge.pk}

    with time_machine.travel(now, tick=False):
        columns = queries.board(pipeline, Deal.objects.all(), now)
    flags = {card.deal.name: card.rotting for col in columns for card in col.cards}
    assert flags == {"idle": 15, "touched": None, "edge": 15, "won": None, "moved late": None}
