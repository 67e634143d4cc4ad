"""Quote pages: printable quote (escaped), htmx line editing, permissions, panels and upsell."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import engines
from django.test import RequestFactory

from accord.catalog.actions import save_battle_card, save_competitor
from accord.core import panels
from accord.quotes import actions, upsell
from accord.quotes.tests.fixtures import World, quote_with
from accord.sales.actions import create_deal, update_deal, win_deal

pytestmark = pytest.mark.django_db


def test_printable_page_renders_lines_totals_and_escapes_user_text(world: World, client: Any) -> None:
    quote = actions.create_quote(
        world.deal, by=world.ae, title="<script>alert(1)</script>", terms="Net 30 <b>now</b>"
    )
    actions.add_line(quote, by=world.ae, product=world.platform, quantity="2", discount_percent="10",
                     description="Platform <img src=x onerror=alert(2)>")  # fmt: skip
    actions.add_line(quote, by=world.ae, product=world.addon, quantity="3")
    client.force_login(world.sdr)  # read-only users may print too
    response = client.get(f"/quotes/{quote.pk}/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b&gt;now&lt;/b&gt;" in html
    assert "2160.00" in html and "999.99" in html  # the line totals
    assert "3159.99" in html and "3399.99" in html and "240.00" in html  # total, subtotal, discount
    assert (
        "@media print"
        in open(  # noqa: SIM115 -- the stylesheet the page links
            __import__("pathlib").Path(__file__).parents[1] / "static/quotes/print.css"
        ).read()
    )
    assert "quotes/print.css" in html


def test_htmx_add_and_remove_line_returns_the_lines_partial_with_totals(world: World, client: Any) -> None:
    quote = quote_with(world)
    client.force_login(world.ae)
    response = client.post(
        f"/quotes/{quote.pk}/lines/", {"product": world.platform.pk, "quantity": "2", "discount_percent": "5"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="quote-totals"' in html and "2280.00" in html
    line = quote.lines.get()
    bad = client.post(
        f"/quotes/{quote.pk}/lines/{line.pk}/",
        {"quantity": "-3", "discount_percent": "0"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "must be more than zero" in bad.content.decode()
    response = client.post(f"/quotes/{quote.pk}/lines/{line.pk}/remove/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "No lines yet" in response.content.decode()
    assert not quote.lines.exists()


def test_page_permissions(world: World, client: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "0"))
    client.force_login(world.marketer)
    assert client.get("/quotes/").status_code == 403
    assert client.get(f"/quotes/new/?deal={world.deal.pk}").status_code == 403
    client.force_login(world.sdr)
    assert client.get(f"/quotes/{quote.pk}/").status_code == 200
    assert client.post(f"/quotes/new/?deal={world.deal.pk}", {"title": "x"}).status_code == 403
    assert client.post(f"/quotes/{quote.pk}/send/").status_code == 403
    client.force_login(world.other_ae)
    page = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "Add line" not in page and "Mark as sent" not in page
    assert (
        client.post(f"/quotes/{quote.pk}/lines/", {"product": world.addon.pk, "quantity": "1"}).status_code
        == 403
    )
    assert quote.lines.count() == 1
    client.force_login(world.ae)
    response = client.post(f"/quotes/new/?deal={world.deal.pk}", {"title": "Second"})
    assert response.status_code == 302
    assert client.get("/quotes/?scope=mine").content.decode().count("Second") == 1
    assert client.get("/quotes/approvals/").status_code == 403


def test_manager_approves_from_the_pending_page(world: World, client: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "20"))
    actions.request_approval(quote, by=world.ae, note="Against <Rival>")
    client.force_login(world.manager)
    page = client.get("/quotes/approvals/").content.decode()
    assert quote.number in page and "Against &lt;Rival&gt;" in page
    response = client.post(f"/quotes/{quote.pk}/approve/", {"decision": "approve", "comment": "ok"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == "approved"


def _render_slot(slot: str, obj: Any, user: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string(f'{{% load accord_panels %}}{{% panels "{slot}" obj %}}')
    return template.render({"obj": obj}, request=request)


def test_battle_card_panel_on_a_deal_naming_the_competitor(world: World, client: Any) -> None:
    rival = save_competitor(
        None, name="Rival <Inc>", battle_card={
            "strengths": "Cheap", "weaknesses": "No SSO", "how_to_win": "Demo audit trail",
            "objections": [{"objection": "You cost more", "answer": "TCO is lower <really>"}],
        },
    )  # fmt: skip
    html = _render_slot("deal", world.deal, world.ae)
    assert 'data-testid="deal-battle-card"' not in html  # no competitor on the deal yet
    update_deal(world.deal, competitor=rival)
    request = RequestFactory().get("/")
    request.user = world.ae
    contexts = {panel.name: ctx for panel, ctx in panels.render_context("deal", request, world.deal)}
    assert contexts["battle_card"]["competitor"] == rival
    html = _render_slot("deal", world.deal, world.ae)
    assert 'data-testid="deal-battle-card"' in html
    assert "Rival &lt;Inc&gt;" in html and "No SSO" in html and "TCO is lower &lt;really&gt;" in html
    assert 'data-testid="deal-quotes"' in html and "New quote" in html  # the owner may quote
    assert "New quote" not in _render_slot("deal", world.deal, world.sdr)
    client.force_login(world.ae)
    page = client.get(f"/sales/deals/{world.deal.pk}/")
    assert page.status_code == 200 and "No SSO" in page.content.decode()
    save_battle_card(rival, strengths="", weaknesses="", how_to_win="", objections=[])
    assert "No battle card written yet" in _render_slot("deal", world.deal, world.ae)


def test_upsell_suggestions_exclude_products_already_bought(world: World) -> None:
    bought = quote_with(world, (world.platform, "1", "0"), (world.addon, "1", "0"))
    actions.mark_sent(bought, by=world.ae)
    actions.accept(bought, by=world.ae)
    # accepted but the deal is not won yet: nothing counts as bought
    assert world.platform in upsell.suggestions(world.company.pk)
    win_deal(world.deal, by=world.ae, reason="Signed")
    names = [p.name for p in upsell.suggestions(world.company.pk)]
    assert names == ["Onboarding"]  # not bought, active; the retired product is never suggested
    # a declined quote on another won deal of the company does not count as bought
    second = create_deal(name="Services", pipeline=world.pipeline, owner=world.ae, company=world.company)
    declined = quote_with(world, (world.services, "1", "0"), deal=second)
    actions.mark_sent(declined, by=world.ae)
    actions.decline(declined, by=world.ae, reason="Later")
    win_deal(second, by=world.ae, reason="Signed")
    assert [p.name for p in upsell.suggestions(world.company.pk)] == ["Onboarding"]
    # the panel on the company page and on a deal of the company
    html = _render_slot("company", world.company, world.ae)
    assert 'data-testid="upsell"' in html and "Onboarding" in html
    assert "Already bought: Analytics add-on, Platform." in html
    third = create_deal(name="Expansion", pipeline=world.pipeline, owner=world.ae, company=world.company)
    assert "Onboarding" in _render_slot("deal", third, world.ae)
