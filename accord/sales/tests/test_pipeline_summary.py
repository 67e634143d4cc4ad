"""``GET /api/sales/pipelines/{id}/summary``: the board's numbers without its cards.

The figures are checked against the board page rendered for the same data (so the two cannot drift
apart), against hand computations, and for a constant number of queries.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.accounts.models import Role
from accord.accounts.permissions import ROLE_GRANTS, Resource
from accord.sales import actions
from accord.sales.pipeline_actions import archive_stage
from accord.sales.tests.fixtures import stage
from conftest import ApiClient

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
COLUMN = re.compile(r'<section class="board-col[^"]*" data-stage-id="(\d+)".*?</section>', re.S)


def summary_url(pipeline_id):
    return f"/api/sales/pipelines/{pipeline_id}/summary"


def _figure(pattern, html):
    found = re.search(pattern, html)
    assert found, pattern
    return Decimal(found.group(1).replace(",", ""))


def board_columns(html):
    """What the board page shows per column, in board order: stage id → (deals, amount, weighted,
    rotting flags)."""
    columns = {}
    for match in COLUMN.finditer(html):
        body = match.group(0)
        columns[int(match.group(1))] = (
            int(_figure(r'<dd data-testid="count">([\d,]+)</dd>', body)),
            _figure(r"<dt>Amount</dt><dd>([\d,]+) USD</dd>", body),
            _figure(r"<dt>Weighted</dt><dd>([\d,]+) USD</dd>", body),
            body.count('data-testid="rotting"'),
        )
    return columns


def api_columns(summary):
    return {
        s["id"]: (
            s["deal_count"],
            sum((Decimal(c["amount"]) for c in s["by_currency"]), Decimal(0)),
            sum((Decimal(c["weighted"]) for c in s["by_currency"]), Decimal(0)),
            s["rotting_count"],
        )
        for s in summary["stages"]
    }


@pytest.fixture
def board_data(pipeline, ae, ae2, competitor):
    """Deals in USD across the stages; Negotiation archived after a deal went through it.

    At T0 + 15 days: Qualification, Proposal and one Demo deal are idle past their threshold; the other
    Demo deal and the Discovery deal were touched by an activity."""
    with time_machine.travel(T0, tick=False):
        new = {}
        for name, amount, owner, stage_name in [
            ("a1", 1000, ae, "Qualification"),
            ("a2", 2500, ae, "Demo"),
            ("a3", 500, ae, "Discovery"),
            ("b1", 3000, ae2, "Demo"),
            ("b2", 4000, ae2, "Negotiation"),
            ("won", 7000, ae, "Demo"),
            ("lost", 1200, ae2, "Demo"),
        ]:
            new[name] = actions.create_deal(name=name, pipeline=pipeline, amount=amount, owner=owner)
            if stage_name != "Qualification":
                actions.move_deal(new[name], stage(pipeline, stage_name), by=owner)
        actions.move_deal(new["b2"], stage(pipeline, "Proposal"), by=ae2)
        archive_stage(stage(pipeline, "Negotiation"))
        actions.win_deal(new["won"], by=ae, reason="Great fit")
        actions.lose_deal(new["lost"], by=ae2, reason="Price", competitor=competitor)
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        actions.log_activity(kind="call", subject="Check-in", owner=ae2, deal=new["b1"], done_at=T0)
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        actions.log_activity(kind="note", subject="Pains", owner=ae, deal=new["a3"])
    return new


def test_summary_agrees_with_the_board_page(client, pipeline, manager, ae, ae2, board_data, api_client_for):
    client.force_login(manager)
    api = api_client_for(manager)
    with time_machine.travel(T0 + timedelta(days=15), tick=False):
        filters = [
            ({}, {}),
            ({"owner": ae.pk}, {"owner_id": ae.pk}),
            ({"owner": ae2.pk}, {"owner_id": ae2.pk}),
        ]
        for board_filter, api_filter in filters:
            page = client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk, **board_filter})
            response = api.get(summary_url(pipeline.pk), api_filter)
            assert page.status_code == 200 and response.status_code == 200
            shown = board_columns(page.content.decode())
            summary = response.json()
            # same columns in the same order, and the same numbers in each
            assert list(shown) == [s["id"] for s in summary["stages"]]
            assert api_columns(summary) == shown
            # and exactly (the page rounds to whole units)
            exact = {c.stage.pk: (c.count, c.amount, c.weighted) for c in page.context["columns"]}
            assert {k: v[:3] for k, v in api_columns(summary).items()} == exact

        everyone = api.get(summary_url(pipeline.pk)).json()
    # not agreement on nothing: the figures are the hand-computed ones
    assert [(s["name"], *api_columns(everyone)[s["id"]]) for s in everyone["stages"]] == [
        ("Qualification", 1, 1000, 100, 1),
        ("Discovery", 1, 500, 100, 0),
        ("Demo", 2, 5500, 2200, 1),
        ("Proposal", 1, 4000, 2400, 1),
        ("Closed won", 1, 7000, 7000, 0),
        ("Closed lost", 1, 1200, 0, 0),
    ]


def test_hand_computed_figures_per_currency_and_archived_stage_left_out(pipeline, ae, ae2, api_client_for):
    usd = actions.create_deal(name="usd", pipeline=pipeline, amount=2500, owner=ae)
    eur = actions.create_deal(
        name="eur", pipeline=pipeline, amount=Decimal("999.99"), currency="eur", owner=ae2
    )
    actions.create_deal(name="q", pipeline=pipeline, amount=1000, owner=ae)
    actions.create_deal(name="free", pipeline=pipeline, amount=0, currency="GBP", owner=ae)
    won = actions.create_deal(name="won", pipeline=pipeline, amount=7000, owner=ae)
    for deal in (usd, eur):
        actions.move_deal(deal, stage(pipeline, "Negotiation"), by=ae)
        actions.move_deal(deal, stage(pipeline, "Demo"), by=ae)
    actions.win_deal(won, by=ae, reason="Yes")
    negotiation = archive_stage(stage(pipeline, "Negotiation"))  # in both deals' history

    body = api_client_for(ae).get(summary_url(pipeline.pk)).json()
    assert (body["id"], body["name"]) == (pipeline.pk, "New business")
    assert negotiation.pk not in [s["id"] for s in body["stages"]]
    assert [(s["name"], s["outcome"], s["probability"], s["rotting_days"]) for s in body["stages"]] == [
        ("Qualification", "open", 10, 14),
        ("Discovery", "open", 20, 14),
        ("Demo", "open", 40, 10),
        ("Proposal", "open", 60, 10),
        ("Closed won", "won", 100, None),
        ("Closed lost", "lost", 0, None),
    ]
    stages = {s["name"]: s for s in body["stages"]}
    assert stages["Qualification"]["deal_count"] == 2
    assert stages["Qualification"]["by_currency"] == [
        {"currency": "GBP", "deal_count": 1, "amount": "0.00", "weighted": "0.00"},
        {"currency": "USD", "deal_count": 1, "amount": "1000.00", "weighted": "100.00"},
    ]
    # amounts in different currencies are never added up
    assert stages["Demo"]["deal_count"] == 2
    assert stages["Demo"]["by_currency"] == [
        {"currency": "EUR", "deal_count": 1, "amount": "999.99", "weighted": "400.00"},  # 399.996
        {"currency": "USD", "deal_count": 1, "amount": "2500.00", "weighted": "1000.00"},
    ]
    assert stages["Proposal"] == {
        **stages["Proposal"],
        "deal_count": 0,
        "rotting_count": 0,
        "by_currency": [],
    }
    assert stages["Closed won"]["by_currency"] == [
        {"currency": "USD", "deal_count": 1, "amount": "7000.00", "weighted": "7000.00"}
    ]
    # totals: the open deals only (the won one is left out)
    assert body["totals"] == {
        "open_deal_count": 4,
        "by_currency": [
            {"currency": "EUR", "deal_count": 1, "amount": "999.99", "weighted": "400.00"},
            {"currency": "GBP", "deal_count": 1, "amount": "0.00", "weighted": "0.00"},
            {"currency": "USD", "deal_count": 2, "amount": "3500.00", "weighted": "1100.00"},
        ],
    }

    only_eur = api_client_for(ae).get(summary_url(pipeline.pk), {"currency": "eur"}).json()
    assert [(s["name"], s["deal_count"]) for s in only_eur["stages"] if s["deal_count"]] == [("Demo", 1)]
    assert only_eur["totals"] == {
        "open_deal_count": 1,
        "by_currency": [{"currency": "EUR", "deal_count": 1, "amount": "999.99", "weighted": "400.00"}],
    }


def test_owner_filter(pipeline, ae, ae2, manager, api_client_for):
    actions.create_deal(name="a", pipeline=pipeline, amount=1000, owner=ae)
    actions.create_deal(name="b", pipeline=pipeline, amount=3000, owner=ae2)
    actions.create_deal(name="c", pipeline=pipeline, amount=500, owner=ae2)
    api = api_client_for(ae)

    def qualification(**params):
        body = api.get(summary_url(pipeline.pk), params).json()
        first = body["stages"][0]
        assert first["name"] == "Qualification"
        return first["deal_count"], first["by_currency"], body["totals"]["open_deal_count"]

    assert qualification() == (
        3,
        [{"currency": "USD", "deal_count": 3, "amount": "4500.00", "weighted": "450.00"}],
        3,
    )
    assert qualification(owner_id=ae2.pk) == (
        2,
        [{"currency": "USD", "deal_count": 2, "amount": "3500.00", "weighted": "350.00"}],
        2,
    )
    assert qualification(owner_id=manager.pk) == (0, [], 0)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"owner_id": "abc"}, "owner_id"),
        ({"owner_id": "0"}, "owner_id"),
        ({"owner_id": "-3"}, "owner_id"),
        ({"owner_id": "1.5"}, "owner_id"),
        ({"owner_id": "99999999999999999999999"}, "owner_id"),
        ({"currency": "US"}, "currency"),
        ({"currency": "USDX"}, "currency"),
        ({"currency": "U$D"}, "currency"),
    ],
)
def test_bad_filters_are_422(pipeline, ae, api_client_for, params, field):
    response = api_client_for(ae).get(summary_url(pipeline.pk), params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and field in response.json()["field_errors"]


def test_unknown_owner_is_422(pipeline, ae, api_client_for):
    response = api_client_for(ae).get(summary_url(pipeline.pk), {"owner_id": 987654})
    assert response.status_code == 422 and "owner_id" in response.json()["field_errors"]


def test_rotting_count_under_a_frozen_clock(pipeline, ae, api_client_for):
    # Discovery rots after 14 days, Demo after 10; closed stages never rot.
    with time_machine.travel(T0, tick=False):
        api = api_client_for(ae)
        deals = {}
        layout = [
            ("idle", "Discovery"),
            ("touched", "Discovery"),
            ("demo", "Demo"),
            ("demo2", "Demo"),
            ("won", "Demo"),
        ]
        for name, stage_name in layout:
            deals[name] = actions.create_deal(name=name, pipeline=pipeline, owner=ae)
            actions.move_deal(deals[name], stage(pipeline, stage_name), by=ae)
        actions.win_deal(deals["won"], by=ae, reason="Yes")
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        actions.log_activity(kind="call", subject="Check-in", owner=ae, deal=deals["touched"])
        actions.move_deal(deals["demo2"], stage(pipeline, "Proposal"), by=ae)
        actions.move_deal(deals["demo2"], stage(pipeline, "Demo"), by=ae)

    def rotting(at):
        with time_machine.travel(at, tick=False):
            stages = api.get(summary_url(pipeline.pk)).json()["stages"]
        return {s["name"]: s["rotting_count"] for s in stages if s["rotting_count"]}

    assert rotting(T0 + timedelta(days=10)) == {}  # exactly at the threshold is not over it
    assert rotting(T0 + timedelta(days=10, seconds=1)) == {"Demo": 1}
    assert rotting(T0 + timedelta(days=15, hours=1)) == {"Demo": 2, "Discovery": 1}
    assert rotting(T0 + timedelta(days=20)) == {"Demo": 2, "Discovery": 2}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_that_views_deals_gets_the_summary(pipeline, make_user, api_client_for, role):
    assert api_client_for(make_user(role)).get(summary_url(pipeline.pk)).status_code == 200


def test_a_role_without_deal_view_is_refused_like_on_the_board(
    client, pipeline, make_user, api_client_for, monkeypatch
):
    # Every role of the matrix may view deals; take the grant away from one to prove it is checked.
    monkeypatch.setitem(ROLE_GRANTS[Role.MARKETER], Resource.DEAL, {})
    marketer = make_user(Role.MARKETER)
    response = api_client_for(marketer).get(summary_url(pipeline.pk))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    client.force_login(marketer)
    assert client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk}).status_code == 403


def test_unknown_pipeline_is_404_and_no_key_is_401(pipeline, ae, api_client_for):
    response = api_client_for(ae).get(summary_url(pipeline.pk + 1000))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert ApiClient(None).get(summary_url(pipeline.pk)).status_code == 401
    assert ApiClient("not-a-key").get(summary_url(pipeline.pk)).status_code == 401


def test_query_count_does_not_grow_with_the_deals(pipeline, ae, ae2, api_client_for, competitor):
    api = api_client_for(ae)
    stages = [stage(pipeline, n) for n in ("Qualification", "Discovery", "Demo", "Proposal")]

    def add_deals(n):
        for i in range(n):
            owner = ae if i % 2 else ae2
            deal = actions.create_deal(
                name=f"d{i}",
                pipeline=pipeline,
                amount=100 + i,
                currency="EUR" if i % 3 else "USD",
                owner=owner,
            )
            actions.move_deal(deal, stages[i % 4], by=owner)
            actions.log_activity(kind="note", subject="n", owner=owner, deal=deal)
            if i % 5 == 0:
                actions.win_deal(deal, by=owner, reason="Yes")
            elif i % 7 == 0:
                actions.lose_deal(deal, by=owner, reason="Price", competitor=competitor)

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert api.get(summary_url(pipeline.pk), params).status_code == 200
        return len(captured)

    add_deals(2)
    few = [queries({}), queries({"owner_id": ae.pk, "currency": "EUR"})]
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(days=30), tick=False):
        add_deals(40)  # 30 days later: some rot
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(days=60), tick=False):
        many = [queries({}), queries({"owner_id": ae.pk, "currency": "EUR"})]
        assert sum(s["rotting_count"] for s in api.get(summary_url(pipeline.pk)).json()["stages"]) > 0
    assert many == few
    assert max(many) <= 8
