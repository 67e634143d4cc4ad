"""In Chromium: build a segment with the live count updating as conditions change, save it, and see
its members. Screenshots go to /tmp/accord-shots/ for a human look at the design."""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accord.accounts.models import Role
from accord.contacts.actions import create_company, create_contact
from accord.segments.models import Segment, SegmentMembership
from accord.tracking.actions import record_touchpoint
from conftest import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "accord-shots"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def workspace(make_user: Any) -> dict[str, Any]:
    marketer = make_user(Role.MARKETER, username="mia", first_name="Mia", last_name="Novak")
    acme = create_company(name="Acme Rockets", domain="acme.test", size="51-200", country="DE")
    stages = ["subscriber", "lead", "mql", "lead", "customer"]
    contacts = [
        create_contact(
            email=f"person{i}@example.test",
            first_name=["Noah", "Olivia", "Liam", "Emma", "Mia"][i % 5],
            last_name=["Smith", "Garcia", "Chen", "Okafor", "Müller"][(i * 3) % 5],
            lifecycle_stage=stages[i % 5],
            country=["DE", "US", "GB"][i % 3],
            company=acme if i % 2 else None,
        )
        for i in range(15)
    ]
    now = timezone.now()
    for contact in contacts[:6]:
        for hours in (2, 5, 30):
            record_touchpoint(
                type="page", occurred_at=now - timedelta(hours=hours), contact_id=contact.pk,
                properties={"url": "https://acme.test/pricing"},
            )  # fmt: skip
    return {"marketer": marketer, "contacts": contacts}


def sign_in(page: Any, base: str) -> None:
    page.goto(base + "/segments/")
    page.get_by_label("Username").fill("mia")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/segments/")


def live_count(page: Any) -> str:
    return str(page.locator("#live-count .seg-count-value").inner_text())


def wait_for_count(page: Any, expected: int) -> None:
    """Until the live count (updated by htmx as the form changes) shows ``expected``."""
    script = "n => document.querySelector('#live-count .seg-count-value')?.textContent.trim() === n"
    try:
        page.wait_for_function(script, arg=str(expected), timeout=10_000)
    except Exception as exc:
        shot(page, "segment-builder-failure")
        shown = page.locator("#live-count").inner_text()
        raise AssertionError(f"live count shows {shown!r}, expected {expected}") from exc


def test_build_a_segment_with_a_live_count_save_it_and_see_its_members(
    live_server: Any, page: Any, workspace: dict[str, Any]
) -> None:
    base = live_server.url
    sign_in(page, base)
    page.get_by_role("link", name="New segment").first.click()
    page.wait_for_url(base + "/segments/new/")
    assert live_count(page) == "15"  # no conditions: everyone

    page.get_by_label("Name", exact=True).fill("Leads on the pricing page")
    page.get_by_role("button", name="+ Condition").click()
    page.wait_for_selector('select[name="g0-c0-field"]')
    # field "Lifecycle stage", operator "is": pick Lead → the count follows (htmx preview)
    page.get_by_label("Value", exact=True).select_option("lead")
    wait_for_count(page, 6)

    # add an event condition: the form re-renders in place with a new row
    page.get_by_role("button", name="+ Event").click()
    page.wait_for_selector('input[name="g0-c1-prop_key"]')
    page.locator('input[name="g0-c1-prop_key"]').fill("url")
    page.locator('input[name="g0-c1-prop_value"]').fill("/pricing")
    page.locator('input[name="g0-c1-count"]').fill("3")
    page.locator('input[name="g0-c1-days"]').fill("7")
    wait_for_count(page, 2)  # of the 6 pricing visitors, 2 are leads

    # switching the first row's field to Country re-renders its operators and value box
    page.locator('select[name="g0-c0-field"]').select_option("country")
    page.wait_for_selector('input[name="g0-c0-value"][type="text"]')
    shot(page, "segment-builder")

    page.locator('select[name="g0-c0-field"]').select_option("lifecycle_stage")
    page.wait_for_selector('select[name="g0-c0-value"]')
    page.locator('select[name="g0-c0-value"]').select_option("lead")
    wait_for_count(page, 2)
    page.get_by_role("button", name="Create segment").click()

    segment = Segment.objects.get(name="Leads on the pricing page")
    page.wait_for_url(re.compile(rf"/segments/{segment.pk}/$"))
    page.wait_for_selector("text=Last rebuilt")
    members = set(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", flat=True))
    expected = {c.pk for c in workspace["contacts"][:6] if c.lifecycle_stage == "lead"}
    assert members == expected and len(members) == 2
    for contact in workspace["contacts"]:
        assert (page.get_by_text(contact.email).count() > 0) is (contact.pk in expected)
    assert page.get_by_text("at least 3 times in the last 7 days").is_visible()
    shot(page, "segment-detail")
