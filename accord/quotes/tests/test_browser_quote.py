"""In Chromium: edit a quote's lines with htmx; totals update in place, a refused discount shows its message."""

from __future__ import annotations

from typing import Any

import pytest

from accord.quotes.tests.fixtures import World, quote_with
from conftest import htmx_settled, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_change_and_remove_lines_with_live_totals(world: World, page: Any, live_server: Any) -> None:
    quote = quote_with(world)
    sign_in(page, f"{live_server.url}/quotes/{quote.pk}/", world.ae.username)
    # swapped-in line inputs must be live at once: with htmx's default 20 ms settle delay a change
    # typed right after a swap was lost (a CI flake of this very test)
    assert page.evaluate("htmx.config.defaultSettleDelay") == 0
    page.select_option("#id_product", label="Platform")
    page.fill("#id_quantity", "2")
    page.get_by_role("button", name="Add line").click()
    totals = page.get_by_test_id("quote-totals")
    totals.get_by_text("2400.00 USD").wait_for()
    htmx_settled(page)
    page.get_by_label("Discount on Platform").fill("150")
    page.get_by_label("Discount on Platform").dispatch_event("change")
    page.get_by_text("A discount is between 0 and 100%.").wait_for()
    htmx_settled(page)
    page.get_by_label("Discount on Platform").fill("10")
    page.get_by_label("Discount on Platform").dispatch_event("change")
    page.get_by_test_id("quote-totals").get_by_text("2160.00 USD").wait_for()
    htmx_settled(page)
    page.get_by_role("button", name="Remove Platform").click()
    page.get_by_text("No lines yet").wait_for()
    assert not quote.lines.exists()
