"""The board never adds amounts in different currencies: column totals one line per currency, the
weighted forecast per month and currency, its chart in one currency (chosen, or the largest) with a
note on what it leaves out, the board's currency filter, and agreement with the pipeline summary API."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.sales import actions, queries
from accord.sales.models import Deal
from accord.sales.queries import Amounts, ForecastMonth
from accord.sales.tests.fixtures import stage

pytestmark = pytest.mark.django_db
COLUMN = re.compile(r'<section class="board-col[^"]*" data-stage-id="(\d+)".*?</section>', re.S)
JUNE, JULY = date(2025, 6, 1), date(2025, 7, 1)


def deal(pipeline, owner, name, amount, currency="USD", stage_name="Qualification", close=None):
    return actions.create_deal(
        name=name,
        pipeline=pipeline,
        stage=stage(pipeline, stage_name),
        amount=amount,
        currency=currency,
        owner=owner,
        expected_close=close,
    )


def board(client, pipeline, **params):
    response = client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk, **params})
    assert response.status_code == 200
    return response


def totals(html):
    """What each column shows, by stage id: (Amount lines, Weighted lines), each line's text as is."""
    shown = {}
    for match in COLUMN.finditer(html):
        body = match.group(0)
        lines = []
        for label in ("Amount", "Weighted"):
            found = re.search(rf"<div[^>]*><dt>{label}</dt>(.*?)</div>", body, re.S)
            assert found, label
            lines.append(re.findall(r"<dd[^>]*>([^<]*)</dd>", found.group(1)))
        shown[int(match.group(1))] = tuple(lines)
    return shown


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def forecast_rows(html):
    table = re.search(r'<table class="table" data-testid="forecast-table">.*?</table>', html, re.S)
    assert table
    body = table.group(0).split("<tbody>")[1]
    return [re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr>.*?</tr>", body)]


def test_mixed_currencies_in_one_column_show_one_line_each_never_their_sum(client, pipeline, ae):
    deal(pipeline, ae, "US rollout", 10000, "USD")
    deal(pipeline, ae, "EU rollout", 10000, "eur")
    deal(pipeline, ae, "Proposal", 5000, "USD", "Proposal")
    client.force_login(ae)
    response = board(client, pipeline)
    shown = totals(response.content.decode())
    qualification, proposal, demo = (stage(pipeline, n) for n in ("Qualification", "Proposal", "Demo"))

    # one line per currency (sorted by code) for Amount and Weighted (10 %), never 20,000
    assert shown[qualification.pk] == (["10,000 EUR", "10,000 USD"], ["1,000 EUR", "1,000 USD"])
    section = next(
        m.group(0) for m in COLUMN.finditer(response.content.decode()) if m.group(1) == str(qualification.pk)
    )
    assert "20,000" not in section and "2,000" not in section
    # a column in one currency shows it; an empty column has no deal, hence no currency, on a mixed board
    assert shown[proposal.pk] == (["5,000 USD"], ["3,000 USD"])
    assert shown[demo.pk] == (["0"], ["0"])

    columns = {c.stage.name: c for c in response.context["columns"]}
    mixed = columns["Qualification"]
    assert mixed.by_currency == [
        Amounts("EUR", 1, Decimal("10000.00"), Decimal("1000.00")),
        Amounts("USD", 1, Decimal("10000.00"), Decimal("1000.00")),
    ]
    # no single figure for a column in two currencies: nothing adds them up
    assert (mixed.count, mixed.amount, mixed.weighted) == (2, None, None)
    single = columns["Proposal"]
    assert (single.amount, single.weighted) == (Decimal("5000.00"), Decimal("3000.00"))


def test_one_currency_shows_its_code(client, pipeline, ae):
    deal(pipeline, ae, "a", 12000, "USD")
    deal(pipeline, ae, "b", 8000, "USD")
    deal(pipeline, ae, "c", Decimal("999.99"), "USD", "Demo")
    client.force_login(ae)
    shown = totals(board(client, pipeline).content.decode())
    assert shown[stage(pipeline, "Qualification").pk] == (["20,000 USD"], ["2,000 USD"])
    assert shown[stage(pipeline, "Demo").pk] == (["1,000 USD"], ["400 USD"])  # 999.99 and 399.996 rounded
    # every deal in view is in USD, so an empty column says 0 USD
    assert shown[stage(pipeline, "Proposal").pk] == (["0 USD"], ["0 USD"])


@pytest.fixture
def forecast_data(pipeline, ae):
    """Open dated deals: USD 3,500 (Jun) + 400 (Jul), EUR 3,000 (Jun), GBP 1,000 (Jul); undated and
    closed deals are not in the forecast."""
    deal(pipeline, ae, "usd jun", 1000, "USD", "Qualification", date(2025, 6, 3))  # 10 % → 100
    deal(pipeline, ae, "usd jun 2", 2500, "USD", "Proposal", date(2025, 6, 28))  # 60 % → 1500
    deal(pipeline, ae, "usd jul", 400, "USD", "Negotiation", date(2025, 7, 1))  # 80 % → 320
    deal(pipeline, ae, "eur jun", 3000, "EUR", "Demo", date(2025, 6, 15))  # 40 % → 1200
    deal(pipeline, ae, "gbp jul", 1000, "GBP", "Discovery", date(2025, 7, 20))  # 20 % → 200
    deal(pipeline, ae, "eur undated", 90000, "EUR", "Demo")
    won = deal(pipeline, ae, "eur won", 80000, "EUR", "Demo", date(2025, 6, 2))
    actions.win_deal(won, by=ae, reason="Yes")


def test_forecast_is_per_month_and_currency(pipeline, forecast_data):
    months = queries.forecast_by_month(Deal.objects.all())
    assert months == [
        ForecastMonth(JUNE, "EUR", 1, Decimal("3000.00"), Decimal("1200.00")),
        ForecastMonth(JUNE, "USD", 2, Decimal("3500.00"), Decimal("1600.00")),
        ForecastMonth(JULY, "GBP", 1, Decimal("1000.00"), Decimal("200.00")),
        ForecastMonth(JULY, "USD", 1, Decimal("400.00"), Decimal("320.00")),
    ]
    # the default chart: USD, the largest open amount in the forecast (3,900 against 3,000 and 1,000)
    assert queries.forecast_currency(months) == "USD"
    chart = queries.forecast_chart(months)
    assert chart["currency"] == "USD"
    assert [(b.label, b.value, b.amount, b.height) for b in chart["bars"]] == [
        ("Jun 2025", Decimal("1600.00"), Decimal("3500.00"), 140),
        ("Jul 2025", Decimal("320.00"), Decimal("400.00"), 28),  # 320 / 1600 × 140
    ]
    assert (chart["others_count"], chart["other_currencies"]) == (2, ["EUR", "GBP"])
    # another currency: its own bars, scaled to its own largest month
    eur = queries.forecast_chart(months, currency="EUR")
    assert [(b.label, b.value, b.height) for b in eur["bars"]] == [("Jun 2025", Decimal("1200.00"), 140)]
    assert (eur["others_count"], eur["other_currencies"]) == (4, ["GBP", "USD"])


def test_default_chart_currency_is_the_largest_open_amount_first_code_on_a_tie():
    def month(currency, amount):
        return ForecastMonth(JUNE, currency, 1, Decimal(amount), Decimal(0))

    assert queries.forecast_currency([month("EUR", 500), month("USD", 400), month("USD", 200)]) == "USD"
    assert queries.forecast_currency([month("USD", 500), month("EUR", 500)]) == "EUR"
    assert queries.forecast_currency([]) == ""
    assert queries.forecast_chart([])["bars"] == [] and queries.forecast_chart([])["others_count"] == 0


def test_board_forecast_chart_table_and_note(client, pipeline, ae, forecast_data):
    client.force_login(ae)
    html = board(client, pipeline).content.decode()
    # the chart: USD only, its accessible name says so, each bar titled with the currency
    assert 'aria-labelledby="forecast-title forecast-chart-currency"' in html
    assert "Chart: weighted amounts in USD" in html
    titles = re.findall(r"<g><title>([^<]*)</title>", html)
    assert titles == ["Jun 2025: weighted 1,600 of 3,500 USD", "Jul 2025: weighted 320 of 400 USD"]
    assert (
        "2 open deals in other currencies (EUR, GBP) are not in this chart — choose a currency above."
        in text(html)
    )
    # the table: every month per currency
    assert forecast_rows(html) == [
        ["Jun 2025", "EUR", "3,000.00", "1,200.00"],
        ["Jun 2025", "USD", "3,500.00", "1,600.00"],
        ["Jul 2025", "GBP", "1,000.00", "200.00"],
        ["Jul 2025", "USD", "400.00", "320.00"],
    ]
    # the currency filter offers the pipeline's currencies, none chosen
    assert re.findall(r'<option value="([A-Z]{3})"( selected)?>', html) == [
        ("EUR", ""),
        ("GBP", ""),
        ("USD", ""),
    ]


def test_choosing_a_currency_filters_the_board_and_the_chart(client, pipeline, ae, forecast_data):
    client.force_login(ae)
    response = board(client, pipeline, currency="eur")
    html = response.content.decode()
    assert response.context["filters"]["currency"] == "EUR"
    assert '<option value="EUR" selected>EUR</option>' in html
    assert "Chart: weighted amounts in EUR" in html
    assert re.findall(r"<g><title>([^<]*)</title>", html) == ["Jun 2025: weighted 1,200 of 3,000 EUR"]
    assert 'data-testid="forecast-note"' not in html  # nothing left out
    assert forecast_rows(html) == [["Jun 2025", "EUR", "3,000.00", "1,200.00"]]
    # the board shows the EUR deals only (the won and the undated one too), in EUR
    cards = [card.deal.name for c in response.context["columns"] for card in c.cards]
    assert sorted(cards) == ["eur jun", "eur undated", "eur won"]
    assert totals(html)[stage(pipeline, "Demo").pk] == (["93,000 EUR"], ["37,200 EUR"])
    assert totals(html)[stage(pipeline, "Proposal").pk] == (["0 EUR"], ["0 EUR"])

    # one deal in one other currency: the note says so in the singular
    Deal.objects.filter(name="eur jun").delete()
    assert "1 open deal in another currency (GBP) is not in this chart — choose a currency above." in text(
        board(client, pipeline).content.decode()
    )


@pytest.mark.parametrize("bad", ["US", "USDX", "U$D", "12A", "ÉUR", "€€€", " EUR", "EUR\n", "e u", ""])
def test_a_bad_currency_is_ignored(client, pipeline, ae, forecast_data, bad):
    client.force_login(ae)
    response = board(client, pipeline, currency=bad)
    assert response.context["filters"]["currency"] == ""
    assert "Chart: weighted amounts in USD" in response.content.decode()  # the default, as without it
    assert sum(c.count for c in response.context["columns"]) == 7
    assert '<option value="">All currencies</option>' in response.content.decode()


def test_a_currency_without_deals_shows_an_empty_board(client, pipeline, ae, forecast_data):
    client.force_login(ae)
    response = board(client, pipeline, currency="JPY")
    html = response.content.decode()
    assert sum(c.count for c in response.context["columns"]) == 0
    assert '<option value="JPY" selected>JPY</option>' in html  # kept in the picker, so it can be undone
    assert "No open deal has an expected close date." in html and 'class="forecast-chart"' not in html
    shown = totals(html)
    assert len(shown) == 7 and all(lines == (["0"], ["0"]) for lines in shown.values())


def test_board_columns_equal_the_summary_apis_by_currency(client, pipeline, ae, ae2, manager, api_client_for):
    deal(pipeline, ae, "a", Decimal("10000.40"), "USD")
    deal(pipeline, ae2, "b", 10000, "EUR")
    deal(pipeline, ae2, "c", 0, "GBP")
    deal(pipeline, ae, "d", Decimal("999.99"), "EUR", "Demo")
    deal(pipeline, ae, "e", 2500, "USD", "Demo")
    deal(pipeline, ae2, "f", 7000, "USD", "Proposal")
    won = deal(pipeline, ae, "g", 4000, "EUR", "Negotiation")
    actions.win_deal(won, by=ae, reason="Yes")
    client.force_login(manager)
    api = api_client_for(manager)
    for board_filter, api_filter in [
        ({}, {}),
        ({"currency": "EUR"}, {"currency": "EUR"}),
        ({"owner": ae2.pk}, {"owner_id": ae2.pk}),
        ({"owner": ae.pk, "currency": "usd"}, {"owner_id": ae.pk, "currency": "usd"}),
    ]:
        page = board(client, pipeline, **board_filter)
        summary = api.get(f"/api/sales/pipelines/{pipeline.pk}/summary", api_filter).json()
        by_currency = {s["id"]: s["by_currency"] for s in summary["stages"]}
        # the figures behind the page, exactly
        exact = {
            c.stage.pk: [
                {
                    "currency": a.currency,
                    "deal_count": a.count,
                    "amount": str(a.amount),
                    "weighted": str(a.weighted),
                }
                for a in c.by_currency
            ]
            for c in page.context["columns"]
        }
        assert exact == by_currency, board_filter
        # and the lines on the page: the same currencies in the same order, rounded to whole units
        shown = totals(page.content.decode())
        assert list(shown) == list(by_currency)
        for stage_id, rows in by_currency.items():
            if not rows:
                continue
            amounts, weighted = shown[stage_id]
            assert amounts == [f"{Decimal(r['amount']):,.0f} {r['currency']}" for r in rows]
            assert weighted == [f"{Decimal(r['weighted']):,.0f} {r['currency']}" for r in rows]
    # not agreement on nothing
    everyone = totals(board(client, pipeline).content.decode())
    assert everyone[stage(pipeline, "Qualification").pk] == (
        ["10,000 EUR", "0 GBP", "10,000 USD"],
        ["1,000 EUR", "0 GBP", "1,000 USD"],
    )
    assert everyone[stage(pipeline, "Closed won").pk] == (["4,000 EUR"], ["4,000 EUR"])


def test_board_query_count_does_not_grow_with_deals_or_currencies(client, pipeline, ae):
    stages = ["Qualification", "Demo", "Proposal"]
    for i, name in enumerate(stages):
        deal(pipeline, ae, f"first {i}", 100, "USD", name, date(2025, 6, 1))
    client.force_login(ae)
    board(client, pipeline)  # warm the session and caches

    def count():
        with CaptureQueriesContext(connection) as captured:
            board(client, pipeline)
        return len(captured)

    few = count()
    for i in range(30):
        deal(
            pipeline,
            ae,
            f"more {i}",
            100 + i,
            ["USD", "EUR", "GBP", "CHF"][i % 4],
            stages[i % 3],
            date(2025, 6 + i % 5, 1),
        )
    assert count() == few
