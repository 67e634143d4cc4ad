"""Tracking links: destinations checked and stored once; the redirect goes there and nowhere else."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import DatabaseError

from accord.campaigns import actions
from accord.campaigns.models import LinkClick, TrackingLink
from accord.campaigns.signals import link_clicked
from accord.contacts.actions import create_contact, delete_contact
from accord.core.errors import Invalid

pytestmark = pytest.mark.django_db

DESTINATION = "https://accord.test/pricing?plan=pro&ref=a%20b#compare"


@pytest.fixture
def link(campaign, marketer):
    return actions.create_tracking_link(campaign, destination=DESTINATION, label="Pricing ad", by=marketer)


# ---------------------------------------------------------------- creating links
def test_the_destination_is_stored_with_the_campaigns_utm_codes(link):
    assert link.destination == (
        "https://accord.test/pricing?plan=pro&ref=a%20b"
        "&utm_source=google&utm_medium=cpc&utm_campaign=spring-push#compare"
    )
    assert len(link.code) == 8 and link.get_short_path() == f"/l/{link.code}"


def test_utm_codes_already_in_the_url_are_kept(campaign):
    link = actions.create_tracking_link(campaign, destination="http://accord.test/?UTM_SOURCE=mail")
    assert link.destination == "http://accord.test/?UTM_SOURCE=mail&utm_medium=cpc&utm_campaign=spring-push"
    plain = actions.create_tracking_link(campaign, destination="https://accord.test/a", add_utm=False)
    assert plain.destination == "https://accord.test/a"


def test_codes_are_random_and_unique(campaign):
    codes = {
        actions.create_tracking_link(campaign, destination="https://accord.test/").code for _ in range(30)
    }
    assert len(codes) == 30


def test_a_taken_code_is_drawn_again(campaign, link):
    with mock.patch("accord.campaigns.actions.links.new_code", side_effect=[link.code, "fresh123"]):
        again = actions.create_tracking_link(campaign, destination="https://accord.test/")
    assert again.code == "fresh123"


@pytest.mark.parametrize(
    "destination",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "ftp://files.accord.test/x",
        "//evil.test/path",
        "/relative/path",
        "evil.test",
        "https://",
        "https:///path-only",
        "https://bank.test@evil.test/",
        "https://user:pass@accord.test/",
        "https://accord.test/a b",
        "https://accord.test/\x00",
        "https://accord.test/\r\nSet-Cookie: x=1",
        "https:\\\\evil.test",
        "http://exa mple.test",
        "https://" + "a" * 2100 + ".test/",
        "",
    ],
)
def test_unsafe_or_malformed_destinations_are_refused(campaign, destination):
    with pytest.raises(Invalid) as caught:
        actions.create_tracking_link(campaign, destination=destination)
    assert "destination" in caught.value.field_errors
    assert not TrackingLink.objects.exists()


def test_a_destination_too_long_once_utm_codes_are_added_is_refused(campaign):
    long_url = "https://accord.test/" + "p" * (2048 - len("https://accord.test/"))
    with pytest.raises(Invalid):
        actions.create_tracking_link(campaign, destination=long_url)
    assert actions.create_tracking_link(campaign, destination=long_url, add_utm=False).destination == long_url


def test_a_label_is_limited(campaign):
    with pytest.raises(Invalid) as caught:
        actions.create_tracking_link(campaign, destination="https://accord.test/", label="l" * 201)
    assert "label" in caught.value.field_errors


# ---------------------------------------------------------------- the redirect
def test_the_redirect_goes_to_exactly_the_stored_destination(client, link):
    response = client.get(f"/l/{link.code}")
    assert response.status_code == 302
    assert response["Location"] == link.destination
    assert response["Cache-Control"] == "no-store"
    assert LinkClick.objects.filter(link=link).count() == 1


@pytest.mark.parametrize(
    "query",
    [
        "?next=https://evil.test/",
        "?url=https://evil.test/",
        "?redirect=//evil.test&to=javascript:alert(1)",
        "?destination=https://evil.test/&u=https%3A%2F%2Fevil.test",
        "?c=forged&next=%2F%2Fevil.test",
    ],
)
def test_request_parameters_never_change_where_the_redirect_goes(client, link, query):
    response = client.get(
        f"/l/{link.code}{query}", HTTP_REFERER="https://evil.test/", HTTP_X_FORWARDED_HOST="evil.test"
    )
    assert response.status_code == 302
    assert response["Location"] == link.destination


def test_path_tricks_do_not_reach_another_target(client, link):
    assert client.get(f"/l/{link.code}/")["Location"] == link.destination  # trailing slash tolerated
    for path in (f"/l/{link.code}/https://evil.test", "/l//evil.test", "/l/%2F%2Fevil.test", "/l/"):
        assert client.get(path).status_code == 404, path


def test_an_unknown_code_is_a_404_page_and_records_nothing(client, link):
    response = client.get("/l/doesnotexist?next=https://evil.test/")
    assert response.status_code == 404
    assert "Location" not in response
    assert b"This link doesn't work" in response.content
    assert not LinkClick.objects.exists()


def test_codes_are_case_sensitive(client, link):
    swapped = link.code.swapcase()
    if swapped != link.code:
        assert client.get(f"/l/{swapped}").status_code == 404


def test_the_click_is_recorded_with_hashed_ip_browser_referrer_and_anonymous_id(client, link):
    client.cookies["accord_aid"] = "aid-123"
    client.get(
        f"/l/{link.code}", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 Test",
        HTTP_REFERER="https://news.test/story",
    )  # fmt: skip
    click = LinkClick.objects.get()
    assert click.ip_hash and "203.0.113.9" not in click.ip_hash and len(click.ip_hash) == 64
    assert (click.user_agent, click.referrer, click.anonymous_id) == (
        "Mozilla/5.0 Test", "https://news.test/story", "aid-123",
    )  # fmt: skip
    assert click.contact_id is None and click.occurred_at is not None
    client.get(f"/l/{link.code}", REMOTE_ADDR="203.0.113.9")
    assert LinkClick.objects.values("ip_hash").distinct().count() == 1


def test_unprintable_header_values_are_cleaned(client, link):
    client.cookies["accord_aid"] = "x" * 500
    client.get(f"/l/{link.code}", HTTP_USER_AGENT="UA\x00\x07" + "u" * 1000)
    click = LinkClick.objects.get()
    assert (
        click.user_agent.startswith("UA") and "\x00" not in click.user_agent and len(click.user_agent) == 400
    )
    assert click.anonymous_id == ""


def test_head_requests_redirect_without_counting(client, link):
    response = client.head(f"/l/{link.code}")
    assert response.status_code == 302 and response["Location"] == link.destination
    assert not LinkClick.objects.exists()


def test_post_is_not_allowed(client, link):
    assert client.post(f"/l/{link.code}").status_code == 405


def test_a_signed_contact_token_attributes_the_click(client, link):
    contact = create_contact(email="ada@example.test")
    url = actions.tracked_url(link, base_url="https://crm.test", contact_id=contact.pk)
    assert url.startswith(f"https://crm.test/l/{link.code}?c=")
    client.get(url.removeprefix("https://crm.test"))
    assert LinkClick.objects.get().contact_id == contact.pk


@pytest.mark.parametrize("token", ["1", "1:forged", "abc", "1:" + "x" * 300])
def test_a_forged_contact_token_is_ignored(client, link, token):
    create_contact(email="ada@example.test")
    response = client.get(f"/l/{link.code}", {"c": token})
    assert response["Location"] == link.destination
    assert LinkClick.objects.get().contact_id is None


def test_a_token_of_a_deleted_contact_is_ignored(client, link):
    contact = create_contact(email="gone@example.test")
    token = actions.contact_token(contact.pk)
    delete_contact(contact)
    client.get(f"/l/{link.code}", {"c": token})
    assert LinkClick.objects.get().contact_id is None


def test_link_clicked_is_sent_after_commit(client, link, django_capture_on_commit_callbacks):
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    link_clicked.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.get(f"/l/{link.code}")
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        link_clicked.disconnect(receiver)
    click = LinkClick.objects.get()
    assert len(received) == 1
    assert received[0]["click_id"] == click.pk
    assert (received[0]["link_id"], received[0]["campaign_id"]) == (link.pk, link.campaign_id)
    assert received[0]["contact_id"] is None and received[0]["occurred_at"] == click.occurred_at


def test_a_click_that_cannot_be_stored_still_redirects(client, link):
    with mock.patch("accord.campaigns.views.redirect.record_click", side_effect=DatabaseError("locked")):
        response = client.get(f"/l/{link.code}")
    assert response.status_code == 302 and response["Location"] == link.destination


def test_a_destination_altered_in_the_database_is_not_followed(client, link):
    TrackingLink.objects.filter(pk=link.pk).update(destination="javascript:alert(document.cookie)")
    response = client.get(f"/l/{link.code}")
    assert response.status_code == 404 and "Location" not in response
    assert not LinkClick.objects.exists()


def test_the_redirect_costs_few_queries(client, link, django_assert_max_num_queries):
    client.get(f"/l/{link.code}")  # warm up (session, content types)
    with django_assert_max_num_queries(4):  # look-up, savepoint, insert, release
        client.get(f"/l/{link.code}")
