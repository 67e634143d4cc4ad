"""In Chromium: sign in, search contacts (htmx), open one, read and page its timeline.

Data is created here through the real actions, so this does not depend on the demo generator.
Screenshots of the pages go to /tmp/accord-shots/ for a human look at the design.
"""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accord.accounts.models import Role
from accord.contacts.actions import create_company, create_contact
from accord.contacts.views import TIMELINE_PAGE_SIZE
from accord.lifecycle.actions import change_stage
from accord.sales.actions import log_activity
from accord.tracking.actions import record_touchpoint
from conftest import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "accord-shots"


def shot(page, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def workspace(make_user):
    sdr = make_user(Role.SDR, username="sam", first_name="Sam", last_name="Rivera")
    ae = make_user(Role.ACCOUNT_EXECUTIVE, username="alex", first_name="Alex", last_name="Kim")
    acme = create_company(
        name="Acme Rockets", domain="acme.test", industry="Aerospace", size="51-200", country="US"
    )
    globex = create_company(name="Globex", domain="globex.test", industry="Manufacturing", size="201-1000")
    stages = ["subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer"]
    first = ["Noah", "Olivia", "Liam", "Emma", "Mia", "Lucas", "Ava", "Ethan", "Sofia", "Mateo"]
    last = ["Smith", "Garcia", "Chen", "Okafor", "Müller", "Rossi", "Tanaka", "Silva", "Novak", "Haddad"]
    for i in range(34):
        create_contact(
            email=f"{first[i % 10].lower()}.{i}@example.test",
            first_name=first[i % 10],
            last_name=last[(i * 3) % 10],
            title=["VP Marketing", "Head of Sales", "CTO", "Growth lead"][i % 4],
            company=[acme, globex, None][i % 3],
            owner=[sdr, ae, None][i % 3],
            lifecycle_stage=stages[i % len(stages)],
        )
    ada = create_contact(
        email="ada@acme.test", first_name="Ada", last_name="Lovelace", title="Head of Engines",
        phone="+1 415 555 0100", company=acme, owner=sdr, country="GB",
    )  # fmt: skip
    now = timezone.now()
    for i in range(TIMELINE_PAGE_SIZE):
        record_touchpoint(
            type="page", name=f"Docs page {i:02}", contact_id=ada.pk, occurred_at=now - timedelta(days=10, hours=i),
            context={"page": {"url": f"https://acme.test/docs/{i}", "referrer": "https://www.google.com/"}},
        )  # fmt: skip
    record_touchpoint(
        type="form_submit", name="Demo request", contact_id=ada.pk, occurred_at=now - timedelta(days=3),
        context={"page": {"url": "https://acme.test/demo"}},
    )  # fmt: skip
    change_stage(ada, "lead", by=sdr, at=now - timedelta(days=3) + timedelta(minutes=1))
    change_stage(ada, "mql", rule="score ≥ 60", at=now - timedelta(days=2))
    log_activity(kind="call", subject="Discovery call", body="Interested in the enterprise plan.", owner=sdr,
                 contact=ada, done_at=now - timedelta(days=1))  # fmt: skip
    log_activity(kind="task", subject="Send pricing", owner=sdr, contact=ada, due_at=now + timedelta(days=1))
    return {"sdr": sdr, "ada": ada}


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/contacts/")
    assert "/login/?next=/contacts/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def session_cookie(page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == "sessionid"]


def test_sign_in_search_open_contact_and_page_timeline(live_server, page, workspace):
    base = live_server.url
    # a wrong password shows the error and creates no session
    log_in(page, base, "sam", "not the password")
    assert page.get_by_role("alert").inner_text().startswith("Your username and password didn't match")
    assert session_cookie(page) == []
    shot(page, "login-error")

    log_in(page, base, "sam", TEST_PASSWORD)
    page.wait_for_url(f"{base}/contacts/")
    assert session_cookie(page)
    assert page.locator(".topbar").get_by_text("Sam Rivera").is_visible()
    assert page.locator("tbody tr").count() == 25
    shot(page, "contact-list")

    # typing searches with htmx: the table is swapped, the page is not reloaded, the URL follows
    page.evaluate("window.__noReload = true")
    page.get_by_role("searchbox", name="Search contacts").fill("lovelace")
    page.wait_for_url(re.compile(r"/contacts/\?.*q=lovelace"))
    page.wait_for_function("document.querySelectorAll('#contact-results tbody tr').length === 1")
    assert page.evaluate("window.__noReload") is True
    page.get_by_label("Stage").select_option("subscriber")
    page.wait_for_url(re.compile(r"stage=subscriber"))
    page.get_by_text("No contacts match these filters").wait_for()
    page.get_by_label("Stage").select_option("")
    page.wait_for_function("document.querySelectorAll('#contact-results tbody tr').length === 1")
    shot(page, "contact-list-search")

    page.get_by_role("link", name="Ada Lovelace").click()
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Ada Lovelace"
    items = page.locator(".timeline .tl-title")
    assert items.nth(0).inner_text() == "Task (planned): Send pricing"
    assert items.nth(1).inner_text() == "Created as Subscriber"
    assert items.nth(2).inner_text() == "Call: Discovery call"
    assert items.nth(3).inner_text() == "Stage: Lead → Marketing qualified lead"
    times = page.locator(".timeline time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert times == sorted(times, reverse=True)
    assert items.count() == TIMELINE_PAGE_SIZE
    shot(page, "contact-detail")

    page.evaluate("window.__noReload = 'detail'")
    page.get_by_role("link", name="Load older").click()
    page.wait_for_function(f"document.querySelectorAll('.timeline .tl-title').length > {TIMELINE_PAGE_SIZE}")
    assert page.evaluate("window.__noReload") == "detail"
    titles = page.locator(".timeline .tl-title").all_inner_texts()
    # 20 page views, the form, 2 stage changes, 2 activities and "created"
    assert len(titles) == len(set(titles)) == TIMELINE_PAGE_SIZE + 6
    assert titles[-1] == "Page view: Docs page 19"
    assert page.get_by_role("link", name="Load older").count() == 0


def test_home_and_company_pages(live_server, page, workspace):
    log_in(page, live_server.url, "sam", TEST_PASSWORD)
    page.wait_for_url(f"{live_server.url}/contacts/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.get_by_role("heading", name="Contacts by lifecycle stage").wait_for()
    assert page.get_by_text("Send pricing").is_visible()
    shot(page, "home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Companies").click()
    page.get_by_role("link", name="Acme Rockets").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Rockets"
    assert page.get_by_role("link", name="Ada Lovelace").is_visible()
    shot(page, "company-detail")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/contacts/?q=zzz")
    page.get_by_text("No contacts match these filters").wait_for()
    shot(page, "contact-list-mobile-no-match")
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_function("document.querySelectorAll('#contact-results tbody tr').length === 25")
    shot(page, "contact-list-mobile", full_page=False)


def test_filters_work_without_javascript(live_server, browser, workspace):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        log_in(page, live_server.url, "sam", TEST_PASSWORD)
        page.wait_for_url(f"{live_server.url}/contacts/")
        page.get_by_label("Owner").select_option("me")
        page.get_by_role("searchbox", name="Search contacts").fill("ada")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"q=ada"))
        assert page.locator("tbody tr").count() == 1
        page.get_by_role("link", name="Ada Lovelace").click()
        page.get_by_role("link", name="Load older").click()
        page.wait_for_url(re.compile(r"before="))
        assert page.locator(".timeline .tl-title").first.inner_text().startswith("Page view: Docs page")
    finally:
        context.close()


def test_lockout_page(live_server, page, workspace, settings):
    page.goto(f"{live_server.url}/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill("wrong")
        with page.expect_response(lambda r: r.url.endswith("/login/") and r.request.method == "POST") as info:
            page.get_by_role("button", name="Sign in").click()
        if info.value.status == 429:
            break
        page.goto(f"{live_server.url}/login/")
    assert info.value.status == 429
    assert page.get_by_role("heading", name="Too many failed sign-in attempts").is_visible()
    assert session_cookie(page) == []
    shot(page, "locked-out")


def test_expired_session_during_a_search_goes_to_the_login_page(live_server, page, workspace):
    from django.contrib.sessions.models import Session

    log_in(page, live_server.url, "sam", TEST_PASSWORD)
    page.wait_for_url(f"{live_server.url}/contacts/")
    Session.objects.all().delete()
    page.get_by_role("searchbox", name="Search contacts").fill("ada")
    page.wait_for_url(re.compile(r"/login/\?next=/contacts/%3Fq%3Dada"))
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert page.locator("#contact-results").count() == 0
