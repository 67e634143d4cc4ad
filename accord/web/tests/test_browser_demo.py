"""Acceptance test in Chromium on the demo workspace.

A new user opens the app, signs in as the demo SDR, searches contacts, opens one and sees its
timeline; signing in with a wrong password shows an error and creates no session.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from accord.contacts.models import Contact

generator = pytest.importorskip("accord.demo.generator", reason="the demo generator is not written yet")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SDR = "sam"
SHOTS = Path(tempfile.gettempdir()) / "accord-shots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def demo_workspace():
    generator.generate_workspace(contacts=300, seed=7)
    assert SDR in {u.username for u in generator.DEMO_USERS}


def sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def has_session(page) -> bool:
    return any(c["name"] == "sessionid" for c in page.context.cookies())


def test_new_user_signs_in_as_the_sdr_searches_and_reads_a_timeline(live_server, page, demo_workspace):
    base = live_server.url
    page.goto(base + "/")
    page.wait_for_url(re.compile(r"/login/\?next=/$"))

    # a wrong password: an error, and no session
    sign_in(page, SDR, generator.DEMO_PASSWORD + "-wrong")
    assert "didn't match" in page.get_by_role("alert").inner_text()
    assert not has_session(page)

    sign_in(page, SDR, generator.DEMO_PASSWORD)
    page.wait_for_url(base + "/")
    assert has_session(page)
    assert page.locator(".topbar").get_by_text("Sales development rep").is_visible()
    shot(page, "demo-home")

    # pick a demo contact that has touchpoints, and find it by its last name
    contact = (
        Contact.objects.filter(touchpoints__isnull=False)
        .exclude(last_name="")
        .order_by("id")
        .distinct()
        .first()
    )
    assert contact is not None
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.wait_for_url(base + "/contacts/")
    shot(page, "demo-contact-list")
    page.get_by_role("searchbox", name="Search contacts").fill(contact.email)
    page.wait_for_url(re.compile(r"/contacts/\?.*q="))
    page.wait_for_function("document.querySelectorAll('#contact-results tbody tr').length === 1")
    page.locator("#contact-results tbody tr a.row-title").click()
    page.wait_for_url(f"{base}/contacts/{contact.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == (contact.full_name or contact.email)

    entries = page.locator(".timeline .tl-item")
    assert entries.count() >= 2
    assert page.locator(".timeline .tl-kind", has_text="Touchpoint").count() >= 1
    times = page.locator(".timeline time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert times == sorted(times, reverse=True)
    shot(page, "demo-contact-detail")
