"""Odd values posted to pages, found by a security review to give 500s or leak: each is now refused
or ignored precisely, and nothing is half-written. (The lead page's history scope is in accord/handoff/tests/test_lead_page.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.accounts.models import Role
from accord.accounts.notifications import notify
from accord.campaigns.models import BrandMention, Campaign
from accord.sales.models import OnboardingTemplate

pytestmark = pytest.mark.django_db
SUPERSCRIPT_TWO = "²"  # str.isdigit() is True, int() raises


def test_notifications_ignore_ids_that_are_not_ascii_numbers(client: Any, users: dict[str, Any]) -> None:
    admin = users[Role.ADMIN]
    [notice_id] = notify([admin], kind="test", title="Hello", email=False)
    client.force_login(admin)
    for junk in (SUPERSCRIPT_TWO, "9" * 30, "9" * 5000):
        assert client.post("/account/notifications/", {"ids": junk}).status_code == 302
    assert admin.notifications.get(pk=notice_id).read_at is None
    client.post("/account/notifications/", {"ids": [SUPERSCRIPT_TWO, str(notice_id)]})
    assert admin.notifications.get(pk=notice_id).read_at is not None


def test_onboarding_template_refuses_non_numeric_days(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users[Role.ADMIN])
    response = client.post(
        "/sales/settings/onboarding/",
        {
            "name": "Onboarding",
            "follow_up_days": SUPERSCRIPT_TWO,
            "subject": ["Kick-off"],
            "day_offset": ["1"],
        },
    )
    assert response.status_code == 422
    response = client.post(
        "/sales/settings/onboarding/",
        {"name": "Onboarding", "follow_up_days": "30", "subject": ["Kick-off"], "day_offset": ["9" * 5000]},
    )
    assert response.status_code == 422
    assert not OnboardingTemplate.objects.filter(items__subject="Kick-off").exists()


def test_form_builder_ignores_a_row_action_with_a_non_ascii_index(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users[Role.ADMIN])
    for action in (f"remove:{SUPERSCRIPT_TWO}", f"up:{'9' * 5000}", "down:-1"):
        response = client.post("/forms/new/", {"name": "Newsletter", "action": action})
        assert response.status_code == 200, action
        assert 'name="name"' in response.content.decode()


@pytest.mark.parametrize(
    ("reach", "campaign_id", "field"), [(SUPERSCRIPT_TWO, "", "reach"), ("", SUPERSCRIPT_TWO, "campaign_id")]
)
def test_mention_csv_rows_with_odd_numbers_are_reported(
    client: Any, users: dict[str, Any], reach: str, campaign_id: str, field: str
) -> None:
    campaign = Campaign.objects.create(name="Launch", channel="social_media")
    client.force_login(users[Role.ADMIN])
    body = (
        f"channel,source,occurred_at,reach,campaign_id\nsocial,x,2026-01-01T00:00:00Z,{reach},{campaign_id}\n"
    )
    upload = SimpleUploadedFile("mentions.csv", body.encode(), content_type="text/csv")
    response = client.post(f"/campaigns/{campaign.pk}/mentions/", {"file": upload})
    assert response.status_code == 200
    assert "1 problem(s)" in response.content.decode() and field in response.content.decode()
    assert not BrandMention.objects.exists()


def test_new_api_key_page_is_not_cached(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users[Role.ADMIN])
    response = client.post("/account/api-keys/", {"name": "CI"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/account/api-keys/").get("Cache-Control", "")


def test_import_upload_with_a_bad_content_length_is_400(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users[Role.ADMIN])
    response = client.generic("POST", "/integrations/imports/new/", b"", CONTENT_LENGTH="abc")
    assert response.status_code == 400


def test_week_calendar_at_the_ends_of_the_date_range_shows_this_week(
    client: Any, users: dict[str, Any]
) -> None:
    client.force_login(users[Role.ADMIN])

    def week_shown(url: str) -> list[str]:
        response = client.get(url)
        assert response.status_code == 200
        return re.findall(r'href="\?week=([0-9-]+)[^"]*"', response.content.decode())  # prev, this, next

    this_week = week_shown("/sales/activities/week/")
    assert this_week
    for week in ("0001-01-01", "9999-12-31", "1899-12-31"):
        assert week_shown(f"/sales/activities/week/?week={week}") == this_week
