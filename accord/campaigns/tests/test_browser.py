"""In Chromium: a marketer creates a campaign, adds a cost and a short link (htmx), follows the
link, and checks people in at an event without reloading the page.

Screenshots go to /tmp/accord-shots/ for a human look at the design.
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accord.accounts.models import Role
from accord.campaigns import actions
from accord.campaigns.models import LinkClick
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "accord-shots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_campaign_costs_links_and_check_in(live_server, page, make_user):
    base = live_server.url
    marketer = make_user(Role.MARKETER, username="mia", first_name="Mia", last_name="Chen")
    summit = actions.create_campaign(name="Finance Summit", channel="event", owner=marketer, budget="30000")
    session = actions.add_session(
        summit, name="Opening keynote", starts_at=datetime(2026, 6, 10, 9, tzinfo=UTC)
    )
    for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing"):
        actions.register(session, email=f"{name.split()[0].lower()}@example.test", name=name)

    sign_in(page, f"{base}/campaigns/", "mia")
    assert page.get_by_role("link", name="Campaigns").get_attribute("aria-current") == "page"
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("LinkedIn ads – CFOs")
    page.get_by_label("Channel").select_option("social")
    page.get_by_label("Budget").fill("20000")
    page.get_by_label("Start date").fill("2026-03-01")
    page.get_by_label("End date").fill("2026-02-01")
    page.get_by_role("button", name="Create campaign").click()
    assert page.locator("#id_end_date_error").inner_text() == "Must be on or after the start date."
    shot(page, "campaign-form-errors")
    page.get_by_label("End date").fill("2026-05-31")
    page.get_by_label("utm_campaign").fill("cfo-ads")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "LinkedIn ads – CFOs"

    # a cost is added with htmx: the page is not reloaded and the spend updates
    page.evaluate("window.__noReload = true")
    page.get_by_label("Date").fill("2026-03-03")
    page.get_by_label("Amount").fill("4500")
    page.get_by_role("button", name="Add cost").click()
    page.get_by_text("Cost of 4,500.00 added.").wait_for()
    assert page.get_by_test_id("spent").inner_text() == "4,500.00"
    assert page.evaluate("window.__noReload") is True
    shot(page, "campaign-overview")

    # a tracking link: the tab loads with htmx, the short URL is shown and leads to the destination
    page.get_by_role("link", name="Tracking links").click()
    page.wait_for_url(re.compile(r"/links/$"))
    page.get_by_label("Destination").fill(f"{base}/campaigns/?from=ad")
    page.get_by_role("button", name="Create short link").click()
    short_url = page.get_by_test_id("short-url").first.inner_text()
    assert re.fullmatch(rf"{re.escape(base)}/l/[A-Za-z0-9_-]{{8}}", short_url)
    assert page.evaluate("window.__noReload") is True
    shot(page, "campaign-links")
    page.goto(short_url + "?next=https://evil.test/")
    assert page.url == f"{base}/campaigns/?from=ad&utm_campaign=cfo-ads"
    assert LinkClick.objects.count() == 1

    # check-in at the event, with htmx
    page.goto(f"{base}{summit.get_absolute_url()}event/")
    page.evaluate("window.__noReload = 'event'")
    assert page.get_by_test_id("attendance-rate").inner_text() == "0%"
    page.get_by_role("button", name="Check in Grace Hopper").click()
    page.get_by_text("Grace Hopper checked in.").wait_for()
    assert page.get_by_test_id("session-attended").inner_text() == "1"
    assert page.get_by_test_id("attendance-rate").inner_text() == "33%"
    assert page.evaluate("window.__noReload") == "event"
    shot(page, "campaign-event")

    page.goto(f"{base}/campaigns/")
    assert page.locator("tbody tr").count() == 2
    shot(page, "campaign-list")


def test_mentions_chart_and_affiliate_tab(live_server, page, make_user):
    base = live_server.url
    manager = make_user(Role.MARKETING_MANAGER, username="max", first_name="Max", last_name="Berg")
    partners = actions.create_campaign(name="Partner program", channel="affiliate", owner=manager)
    ledger = actions.create_affiliate(name="Ledger & Co", email="hi@ledger.test")
    actions.create_affiliate_link(partners, ledger, destination="https://accord.test/partners")
    actions.set_commission_rule(partners, kind="percent", percent="10", cap="2000")
    actions.record_affiliate_conversion(ledger, partners, deal_amount="12000", reference="deal:1")
    now = timezone.now()
    actions.ingest_mentions(
        [{"channel": "news", "source": "Reuters", "occurred_at": now - timedelta(weeks=w, hours=i),
          "campaign_id": partners.pk, "title": f"Story {w}.{i}", "sentiment": (i % 3) - 1}
         for w in range(8) for i in range((w * 3) % 7 + 1)]
    )  # fmt: skip

    sign_in(page, f"{base}/campaigns/", "max")
    page.goto(f"{base}{partners.get_absolute_url()}mentions/")
    assert page.locator(".week-bar").count() == 12
    shot(page, "campaign-mentions")
    page.get_by_role("link", name="Affiliates", exact=True).click()
    page.wait_for_url(re.compile(r"/affiliates/$"))
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Conversion marked approved.").wait_for()
    shot(page, "campaign-affiliates")
