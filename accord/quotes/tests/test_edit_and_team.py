"""Editing a quote's details on its page (htmx and plain POST, the API's rules) and the team view
of the quote list (scope, owner and "needs approval" filters, totals per currency)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accord.accounts.models import Role, Team
from accord.quotes import actions, pricing
from accord.quotes.models import Quote, QuoteLine
from accord.quotes.tests.fixtures import World, quote_with
from accord.sales.actions import create_deal, win_deal
from conftest import sign_in

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _details(quote: Quote) -> tuple[str, Any, str]:
    quote.refresh_from_db()
    return quote.title, quote.valid_until, quote.terms


# ---------------------------------------------------------------------- editing the details
def test_owner_edits_the_details_inline_with_htmx(world: World, client: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "0"))
    client.force_login(world.ae)
    page = client.get(quote.get_absolute_url()).content.decode()
    assert f'hx-get="/quotes/{quote.pk}/edit/"' in page and "Edit details" in page

    form = client.get(f"/quotes/{quote.pk}/edit/", headers=HTMX)
    html = form.content.decode()
    assert form.status_code == 200 and "<html" not in html
    assert 'id="quote-header"' in html and 'value="Proposal"' in html and 'name="csrfmiddlewaretoken"' in html

    until = timezone.localdate() + timedelta(days=30)
    response = client.post(
        f"/quotes/{quote.pk}/edit/",
        {"title": "Year one <renewal>", "valid_until": until.isoformat(), "terms": "Net 30\nVAT extra"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="quote-header"' in html and "Quote details saved." in html
    assert "Year one &lt;renewal&gt;" in html and "Net 30<br>VAT extra" in html
    assert _details(quote) == ("Year one <renewal>", until, "Net 30\nVAT extra")
    assert quote.status == Quote.Status.DRAFT and quote.total == Decimal("1200.00")  # lines untouched

    cancel = client.get(f"/quotes/{quote.pk}/?part=header", headers=HTMX)
    assert cancel.status_code == 200 and "<form" not in cancel.content.decode()
    assert "Year one &lt;renewal&gt;" in cancel.content.decode()


def test_without_javascript_the_form_is_a_page_and_saving_redirects(world: World, client: Any) -> None:
    quote = quote_with(world)
    client.force_login(world.manager)  # managers change every quote
    page = client.get(f"/quotes/{quote.pk}/edit/")
    assert (
        page.status_code == 200
        and "<html" in page.content.decode()
        and "Save details" in page.content.decode()
    )
    response = client.post(f"/quotes/{quote.pk}/edit/", {"title": "Reworded", "valid_until": "", "terms": ""})
    assert response.status_code == 302 and response["Location"] == quote.get_absolute_url()
    assert _details(quote) == ("Reworded", None, "")
    shown = client.get(response["Location"]).content.decode()
    assert "Quote details saved." in shown and "Reworded" in shown


def test_invalid_details_come_back_with_errors_and_change_nothing(world: World, client: Any) -> None:
    until = timezone.localdate() + timedelta(days=10)
    quote = actions.create_quote(world.deal, by=world.ae, title="Original", valid_until=until, terms="Net 30")
    before = _details(quote)
    client.force_login(world.ae)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    cases = [
        ({"title": "New", "valid_until": yesterday, "terms": ""}, "Pick today or a later date."),
        ({"title": "x" * 201, "valid_until": "", "terms": ""}, "at most 200 characters"),
        ({"title": "   ", "valid_until": "", "terms": ""}, "This field is required."),
        ({"title": "New", "valid_until": "31/31/2031", "terms": ""}, "Enter a valid date."),
        ({"title": "New", "valid_until": "", "terms": "t" * 5001}, "at most 5000 characters"),
    ]
    for data, message in cases:
        page = client.post(f"/quotes/{quote.pk}/edit/", data)
        html = page.content.decode()
        assert page.status_code == 422, (data, page.status_code)
        assert message in html and "nothing was saved" in html and 'aria-invalid="true"' in html
        assert _details(quote) == before
        # with htmx the form comes back as 200 (htmx swaps only 2xx) with the same errors
        partial = client.post(f"/quotes/{quote.pk}/edit/", data, headers=HTMX)
        assert partial.status_code == 200 and message in partial.content.decode()
        assert (
            "<html" not in partial.content.decode() and "Quote details saved." not in partial.content.decode()
        )
        assert _details(quote) == before
    # today is still valid
    today = timezone.localdate()
    assert client.post(f"/quotes/{quote.pk}/edit/", {"title": "T", "valid_until": today}).status_code == 302
    assert _details(quote) == ("T", today, "")


def test_an_expired_date_can_be_kept_while_other_details_change(world: World, client: Any) -> None:
    quote = quote_with(world)
    past = timezone.localdate() - timedelta(days=5)
    Quote.objects.filter(pk=quote.pk).update(valid_until=past)  # it expired since it was written
    client.force_login(world.ae)
    response = client.post(f"/quotes/{quote.pk}/edit/", {"title": "Renamed", "valid_until": past.isoformat()})
    assert response.status_code == 302
    assert _details(quote) == ("Renamed", past, "")


def test_another_account_executive_and_read_only_roles_get_403(world: World, client: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "0"))
    before = _details(quote)
    for user in (world.other_ae, world.sdr):
        client.force_login(user)
        assert "Edit details" not in client.get(quote.get_absolute_url()).content.decode()
        assert client.get(f"/quotes/{quote.pk}/edit/").status_code == 403
        assert client.post(f"/quotes/{quote.pk}/edit/", {"title": "Hijacked"}).status_code == 403
        assert (
            client.post(f"/quotes/{quote.pk}/edit/", {"title": "Hijacked"}, headers=HTMX).status_code == 403
        )
    client.force_login(world.marketer)
    assert client.post(f"/quotes/{quote.pk}/edit/", {"title": "Hijacked"}).status_code == 403
    assert _details(quote) == before
    client.logout()
    response = client.post(f"/quotes/{quote.pk}/edit/", {"title": "Anonymous"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert _details(quote) == before
    assert client.get("/quotes/999999/edit/").status_code in (302, 404)


def test_details_lock_once_the_quote_is_sent_or_the_deal_closes(
    world: World, client: Any, api_client_for: Any
) -> None:
    quote = quote_with(world, (world.platform, "1", "0"))
    actions.mark_sent(quote, by=world.ae)
    before = _details(quote)
    client.force_login(world.ae)
    assert "Edit details" not in client.get(quote.get_absolute_url()).content.decode()
    page = client.get(f"/quotes/{quote.pk}/edit/")
    assert (
        page.status_code == 409
        and "The quote is sent; its details can no longer change." in page.content.decode()
    )
    assert 'name="title"' not in page.content.decode()
    response = client.post(f"/quotes/{quote.pk}/edit/", {"title": "Too late"})
    assert response.status_code == 409 and "can no longer change" in response.content.decode()
    partial = client.post(f"/quotes/{quote.pk}/edit/", {"title": "Too late"}, headers=HTMX)
    assert partial.status_code == 200 and "can no longer change" in partial.content.decode()
    assert _details(quote) == before
    # the API refuses it with the same rule
    api = api_client_for(world.ae)
    patch = api.patch(f"/api/quotes/{quote.pk}", {"title": "Too late"}, content_type="application/json")
    assert patch.status_code == 409 and patch.json()["code"] == "quote_locked"

    draft = quote_with(world)
    win_deal(world.deal, by=world.ae, reason="Signed")
    assert client.get(f"/quotes/{draft.pk}/edit/").status_code == 409
    assert client.post(f"/quotes/{draft.pk}/edit/", {"title": "Closed"}).status_code == 409
    assert _details(draft)[0] == "Proposal"


def test_the_api_refuses_a_past_validity_date_like_the_page(world: World, api_client_for: Any) -> None:
    quote = quote_with(world)
    api = api_client_for(world.ae)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api.patch(
        f"/api/quotes/{quote.pk}", {"valid_until": yesterday}, content_type="application/json"
    )
    assert response.status_code == 422 and "valid_until" in response.json()["field_errors"]
    quote.refresh_from_db()
    assert quote.valid_until is None


# ---------------------------------------------------------------------- the team view
@pytest.fixture
def teams(world: World, make_user: Any) -> dict[str, Quote]:
    """Quotes of the manager's team (two AEs) and of an AE of another team, in USD and EUR."""
    other_team = Team.objects.create(name="Sales Americas", kind=Team.Kind.SALES)
    outsider = make_user(Role.ACCOUNT_EXECUTIVE, username="ae_us", team=other_team)
    their_deal = create_deal(name="US deal", pipeline=world.pipeline, owner=outsider)
    mine = quote_with(world, (world.platform, "2", "10"), (world.addon, "3", "0"))  # ae: 3159.99 USD
    colleague = quote_with(world, (world.services, "1", "20"), owner=world.other_ae, deal=world.other_deal)
    eur = actions.create_quote(
        world.other_deal, by=world.other_ae, title="Euro offer", price_list=world.eur_list
    )
    actions.add_line(eur, by=world.other_ae, product=world.platform, quantity="3", discount_percent="5")
    outside = quote_with(world, (world.platform, "7", "0"), owner=outsider, deal=their_deal)
    return {"mine": mine, "colleague": colleague, "eur": eur, "outside": outside}


def _listed(response: Any) -> set[int]:
    return {q.pk for q in response.context["paging"].page.object_list}


def _expected_totals(quotes: list[Quote]) -> dict[str, Decimal]:
    """Totals per currency from the lines' quantity, price and discount (not the stored totals)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for quote in quotes:
        for line in QuoteLine.objects.filter(quote=quote):
            sums[quote.currency] += pricing.line_total(line.quantity, line.unit_price, line.discount_percent)
    return dict(sums)


def test_team_scope_shows_only_the_team_quotes_and_is_a_managers_default(
    world: World, teams: dict[str, Quote], client: Any
) -> None:
    team_quotes = {teams["mine"].pk, teams["colleague"].pk, teams["eur"].pk}
    client.force_login(world.manager)
    default = client.get("/quotes/")
    assert default.status_code == 200 and default.context["scope"] == "team"
    assert _listed(default) == team_quotes
    assert _listed(client.get("/quotes/?scope=team")) == team_quotes
    assert _listed(client.get("/quotes/?scope=all")) == team_quotes | {teams["outside"].pk}
    partial = client.get("/quotes/?scope=team", headers=HTMX)
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert (
        teams["outside"].number not in partial.content.decode()
        and teams["mine"].number in partial.content.decode()
    )

    client.force_login(world.ae)  # an AE keeps "mine" by default and may pick the team
    assert client.get("/quotes/").context["scope"] == "mine"
    assert _listed(client.get("/quotes/")) == {teams["mine"].pk}
    assert _listed(client.get("/quotes/?scope=team")) == team_quotes

    client.force_login(world.other_manager)  # a manager without a team: all, and "team" is empty
    assert client.get("/quotes/").context["scope"] == "all"
    empty = client.get("/quotes/?scope=team")
    assert _listed(empty) == set() and "You are not on a team" in empty.content.decode()


def test_owner_and_needs_approval_filters(world: World, teams: dict[str, Quote], client: Any) -> None:
    client.force_login(world.manager)
    owners = {u.pk for u in client.get("/quotes/").context["form"].fields["owner"].queryset}
    assert world.ae.pk in owners and world.other_ae.pk in owners and world.manager.pk not in owners
    other = client.get(f"/quotes/?scope=all&owner={world.other_ae.pk}")
    assert _listed(other) == {teams["colleague"].pk, teams["eur"].pk}
    assert _listed(client.get(f"/quotes/?scope=team&owner={world.ae.pk}")) == {teams["mine"].pk}

    # 20 % on the colleague's quote is above the 15 % threshold: it needs approval, as a draft and
    # while the request is pending; once approved it no longer does
    needing = client.get("/quotes/?scope=all&needs_approval=1")
    assert _listed(needing) == {teams["colleague"].pk}
    assert "Needs approval" in needing.content.decode()
    actions.request_approval(teams["colleague"], by=world.other_ae)
    assert _listed(client.get("/quotes/?scope=all&needs_approval=1")) == {teams["colleague"].pk}
    actions.approve(teams["colleague"], by=world.manager, comment="ok")
    assert _listed(client.get("/quotes/?scope=all&needs_approval=1")) == set()
    assert _listed(client.get(f"/quotes/?scope=all&owner={world.ae.pk}&needs_approval=1")) == set()
    # a junk owner is ignored, not a 500
    assert client.get("/quotes/?owner=abc&scope=all").status_code == 200


def test_totals_cover_the_filtered_quotes_per_currency(
    world: World, teams: dict[str, Quote], client: Any
) -> None:
    client.force_login(world.manager)
    response = client.get("/quotes/?scope=team")
    expected = _expected_totals([teams["mine"], teams["colleague"], teams["eur"]])
    assert set(expected) == {"USD", "EUR"}
    got = {t.currency: t.amount for t in response.context["totals"]}
    assert got == expected and response.context["total_count"] == 3
    counts = {t.currency: t.count for t in response.context["totals"]}
    assert counts == {"USD": 2, "EUR": 1}
    html = response.content.decode()
    assert f"{expected['USD']} USD" in html and f"{expected['EUR']} EUR" in html
    assert "(2 quotes)" in html and "(1 quote)" in html  # per currency when they differ

    only_ae = client.get(f"/quotes/?scope=team&owner={world.ae.pk}", headers=HTMX)
    assert {t.currency: t.amount for t in only_ae.context["totals"]} == _expected_totals([teams["mine"]])
    assert "(1 quote)" not in only_ae.content.decode()  # one currency: no per-currency count
    assert only_ae.context["total_count"] == 1


def test_totals_count_every_page_and_pagination_keeps_the_filters(world: World, client: Any) -> None:
    quotes = [quote_with(world, (world.addon, "1", "0")) for _ in range(27)]
    client.force_login(world.manager)
    first = client.get("/quotes/?scope=team")
    assert len(first.context["paging"].page.object_list) == 25
    assert first.context["total_count"] == 27
    assert {t.currency: t.amount for t in first.context["totals"]} == _expected_totals(quotes)
    html = first.content.decode()
    assert "scope=team&amp;page=2" in html or "page=2&amp;scope=team" in html
    second = client.get("/quotes/?scope=team&page=2", headers=HTMX)
    assert second.status_code == 200 and len(second.context["paging"].page.object_list) == 2
    assert second.context["total_count"] == 27


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_details_form_swaps_in_and_out(world: World, page: Any, live_server: Any) -> None:
    quote = quote_with(world)
    sign_in(page, f"{live_server.url}/quotes/{quote.pk}/", world.ae.username)
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Title").fill("Year one")
    page.get_by_label("Valid until").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save details").click()
    page.get_by_text("Pick today or a later date.").wait_for()
    assert page.url.endswith(f"/quotes/{quote.pk}/")  # still the quote page: the form was swapped in
    page.get_by_label("Valid until").fill("")
    page.get_by_role("button", name="Save details").click()
    page.get_by_text("Quote details saved.").wait_for()
    page.get_by_role("heading", name=f"{quote.number} · Year one").wait_for()
    assert _details(quote)[0] == "Year one"
    page.get_by_role("link", name="Edit details").click()
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Edit details").wait_for()
    assert page.get_by_role("button", name="Save details").count() == 0
