"""The campaign page and its tabs: costs, links, UTM rules, affiliates, event check-in, mentions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role
from accord.campaigns import actions
from accord.campaigns.models import (
    Affiliate,
    AffiliateConversion,
    BrandMention,
    CampaignCost,
    CommissionRule,
    EventRegistration,
    EventSession,
    LinkClick,
    TrackingLink,
    UtmRule,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, campaign, *args):
    return reverse(f"campaigns:{name}", args=[campaign.pk, *args])


@pytest.fixture
def owner_client(client, marketer):
    client.force_login(marketer)
    return client


@pytest.fixture
def sdr_client(client, sdr):
    client.force_login(sdr)
    return client


# ---------------------------------------------------------------- overview and costs
def test_overview_shows_budget_spend_and_costs(owner_client, campaign):
    actions.add_cost(campaign, date=date(2026, 3, 2), amount="2500", category="agency", note="Creative")
    body = owner_client.get(campaign.get_absolute_url()).content.decode()
    assert "10,000.00" in body and "2,500.00" in body and "7,500.00" in body and "Creative" in body
    assert 'aria-current="page">Overview</a>' in body
    for label in ("Tracking links", "UTM rules", "Mentions"):
        assert f">{label}</a>" in body
    assert ">Affiliates</a>" not in body and ">Event</a>" not in body  # a digital campaign
    assert "Add cost" in body and "Delete this campaign" in body


def test_a_read_only_user_sees_no_forms(sdr_client, campaign):
    body = sdr_client.get(campaign.get_absolute_url()).content.decode()
    assert "Add cost" not in body and "Delete this campaign" not in body and ">Edit</a>" not in body


def test_add_a_cost(owner_client, campaign):
    data = {"date": "2026-03-04", "amount": "99.90", "category": "media", "note": "Boost"}
    response = owner_client.post(url("cost_add", campaign), data)
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert CampaignCost.objects.get().amount == Decimal("99.90")


def test_add_a_cost_with_htmx_re_renders_the_tab(owner_client, campaign):
    data = {"date": "2026-03-04", "amount": "99.90", "category": "media", "note": ""}
    response = owner_client.post(url("cost_add", campaign), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Cost of 99.90 added." in body and 'data-testid="spent">99.90<' in body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": "", "amount": "5", "category": "media"}, "date"),
        ({"date": "2026-03-04", "amount": "-5", "category": "media"}, "amount"),
        ({"date": "2026-03-04", "amount": "5", "category": "bribes"}, "category"),
    ],
)
def test_cost_errors_are_shown_on_the_form(owner_client, campaign, data, field):
    response = owner_client.post(url("cost_add", campaign), data)
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.content.decode()
    htmx = owner_client.post(url("cost_add", campaign), data, **HTMX)
    assert htmx.status_code == 200 and f'id="id_{field}_error"' in htmx.content.decode()
    assert not CampaignCost.objects.exists()


def test_sales_cannot_add_or_remove_costs(sdr_client, campaign):
    cost = actions.add_cost(campaign, date=date(2026, 3, 2), amount="10")
    data = {"date": "2026-03-04", "amount": "5", "category": "media"}
    assert sdr_client.post(url("cost_add", campaign), data).status_code == 403
    assert sdr_client.post(url("cost_delete", campaign, cost.pk)).status_code == 403
    assert CampaignCost.objects.count() == 1


def test_remove_a_cost(owner_client, campaign):
    cost = actions.add_cost(campaign, date=date(2026, 3, 2), amount="10")
    assert owner_client.post(url("cost_delete", campaign, cost.pk), **HTMX).status_code == 200
    assert not CampaignCost.objects.exists()


def test_tabs_load_as_htmx_partials(owner_client, campaign):
    response = owner_client.get(url("links", campaign), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'class="tabs"' in body
    assert 'aria-current="page">Tracking links</a>' in body


def test_an_unknown_campaign_is_404(owner_client):
    assert owner_client.get(reverse("campaigns:campaign_detail", args=[999999])).status_code == 404


# ---------------------------------------------------------------- links
def test_create_a_link_shows_its_short_url_and_counts_clicks(owner_client, client, campaign):
    response = owner_client.post(url("links", campaign), {"destination": "https://accord.test/demo", "label": "Ad A",
                                                          "add_utm": "on"}, **HTMX)  # fmt: skip
    link = TrackingLink.objects.get()
    body = response.content.decode()
    assert f"Short link created: http://testserver/l/{link.code}" in body
    assert f"http://testserver/l/{link.code}</code>" in body
    assert link.destination.endswith("utm_campaign=spring-push")
    for _ in range(3):
        owner_client.get(f"/l/{link.code}")
    assert LinkClick.objects.count() == 3
    row = owner_client.get(url("links", campaign)).content.decode()
    assert '<td class="num">3</td>' in row


def test_an_unsafe_link_is_refused_on_the_form(owner_client, campaign):
    response = owner_client.post(url("links", campaign), {"destination": "javascript:alert(1)"})
    assert response.status_code == 422
    assert "Only http:// and https:// URLs are allowed." in response.content.decode()
    assert not TrackingLink.objects.exists()


def test_sales_cannot_create_links(sdr_client, campaign):
    assert sdr_client.post(url("links", campaign), {"destination": "https://accord.test/"}).status_code == 403


# ---------------------------------------------------------------- UTM rules
def test_add_and_remove_utm_rules(owner_client, campaign, make_campaign):
    response = owner_client.post(url("utm_rules", campaign), {"source": "LinkedIn", "medium": "", "name": "",
                                                              "priority": "3"})  # fmt: skip
    assert response.status_code == 302
    rule = UtmRule.objects.get()
    assert (rule.source, rule.priority) == ("linkedin", 3)
    body = owner_client.get(url("utm_rules", campaign)).content.decode()
    assert "<code>linkedin</code>" in body
    other = make_campaign(name="Other", owner=campaign.owner)
    duplicate = owner_client.post(url("utm_rules", other), {"source": "linkedin", "priority": "0"})
    assert (
        duplicate.status_code == 422 and "These UTM codes are mapped already." in duplicate.content.decode()
    )
    everything = owner_client.post(url("utm_rules", campaign), {"priority": "0"})
    assert everything.status_code == 422 and "Set at least one UTM code." in everything.content.decode()
    owner_client.post(url("utm_rule_delete", campaign, rule.pk))
    assert not UtmRule.objects.exists()


# ---------------------------------------------------------------- affiliates
def test_the_affiliate_tab_is_only_for_affiliate_campaigns(owner_client, campaign, affiliate_campaign):
    assert owner_client.get(url("affiliates", campaign)).status_code == 404
    body = owner_client.get(affiliate_campaign.get_absolute_url()).content.decode()
    assert ">Affiliates</a>" in body


def test_affiliate_workflow_on_the_page(client, marketer, manager, affiliate_campaign):
    client.force_login(marketer)
    response = client.post(
        reverse("campaigns:affiliate_list"), {"name": "Ledger & Co", "email": "hi@ledger.test"}
    )
    assert response.status_code == 302
    ledger = Affiliate.objects.get(name="Ledger & Co")
    created = client.post(url("affiliates", affiliate_campaign),
                          {"affiliate": ledger.pk, "destination": "https://accord.test/p", "label": ""})  # fmt: skip
    assert created.status_code == 302
    assert client.post(url("commission_rule_set", affiliate_campaign),
                       {"kind": "percent", "percent": "10", "affiliate": ""}).status_code == 302  # fmt: skip
    assert CommissionRule.objects.get().percent == Decimal("10.00")
    recorded = client.post(url("conversion_add", affiliate_campaign),
                           {"affiliate": ledger.pk, "deal_amount": "4000", "reference": "deal:1"}, **HTMX)  # fmt: skip
    assert "Conversion recorded; commission 400.00." in recorded.content.decode()
    conversion = AffiliateConversion.objects.get()
    body = client.get(url("affiliates", affiliate_campaign)).content.decode()
    assert (
        "Ledger &amp; Co" in body and "400.00" in body and ">Approve</button>" not in body
    )  # marketers don't approve
    status_url = url("conversion_status", affiliate_campaign, conversion.pk)
    assert client.post(status_url, {"status": "approved"}).status_code == 403
    client.force_login(manager)
    assert ">Approve</button>" in client.get(url("affiliates", affiliate_campaign)).content.decode()
    assert client.post(status_url, {"status": "approved"}).status_code == 302
    conversion.refresh_from_db()
    assert conversion.status == "approved"
    assert client.post(status_url, {"status": "pending"}, **HTMX).status_code == 200  # error shown in the tab
    conversion.refresh_from_db()
    assert conversion.status == "approved"


def test_a_conversion_for_an_affiliate_without_link_is_refused_on_the_form(owner_client, affiliate_campaign):
    response = owner_client.post(
        url("conversion_add", affiliate_campaign), {"affiliate": "1", "deal_amount": "5"}
    )
    assert response.status_code == 422 and 'id="id_affiliate_error"' in response.content.decode()


def test_affiliate_list_permissions(client, sdr, manager):
    client.force_login(sdr)
    assert client.get(reverse("campaigns:affiliate_list")).status_code == 200
    assert client.post(reverse("campaigns:affiliate_list"), {"name": "X"}).status_code == 403
    partner = actions.create_affiliate(name="Ledger & Co")
    status_url = reverse("campaigns:affiliate_status", args=[partner.pk])
    assert client.post(status_url, {"status": "paused"}).status_code == 403
    client.force_login(manager)
    assert client.post(status_url, {"status": "paused"}).status_code == 302
    partner.refresh_from_db()
    assert partner.status == "paused"


def test_duplicate_affiliate_email_is_shown_on_the_form(client, marketer):
    actions.create_affiliate(name="A", email="a@ledger.test")
    client.force_login(marketer)
    response = client.post(reverse("campaigns:affiliate_list"), {"name": "B", "email": "A@ledger.test"})
    assert response.status_code == 422
    assert "An affiliate with this email exists already." in response.content.decode()


# ---------------------------------------------------------------- events
STARTS = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def test_add_a_session_on_the_page(owner_client, event_campaign):
    data = {"name": "Keynote", "starts_at": "2026-06-10T09:00", "ends_at": "2026-06-10T10:00",
            "capacity": "50", "location": "Hall A", "online_url": ""}  # fmt: skip
    assert owner_client.post(url("event", event_campaign), data).status_code == 302
    session = EventSession.objects.get()
    assert (session.starts_at, session.capacity) == (STARTS, 50)
    bad = owner_client.post(url("event", event_campaign), {**data, "online_url": "javascript:alert(1)"})
    assert bad.status_code == 422 and 'id="id_online_url_error"' in bad.content.decode()
    later = owner_client.post(url("event", event_campaign), {**data, "ends_at": "2026-06-10T08:00"})
    assert later.status_code == 422 and 'id="id_ends_at_error"' in later.content.decode()


def test_the_event_tab_is_only_for_event_campaigns(owner_client, campaign):
    assert owner_client.get(url("event", campaign)).status_code == 404


def test_register_and_check_in_with_htmx(owner_client, event_campaign):
    session = actions.add_session(event_campaign, name="Keynote", starts_at=STARTS, capacity=1)
    prefix = f"s{session.pk}-"
    register = url("session_register", event_campaign, session.pk)
    response = owner_client.post(
        register, {prefix + "name": "Grace", prefix + "email": "grace@example.test"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and f'id="session-{session.pk}"' in body and "Session full" in body
    registration = EventRegistration.objects.get()
    full = owner_client.post(register, {prefix + "email": "late@example.test"}, **HTMX)
    assert "is full" in full.content.decode() and EventRegistration.objects.count() == 1

    check_in = url("registration_check_in", event_campaign, registration.pk)
    response = owner_client.post(check_in, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Checked in" in body and 'data-testid="session-attended">1<' in body
    assert 'id="event-totals" hx-swap-oob="true"' in body and 'data-testid="attendance-rate">100%<' in body
    registration.refresh_from_db()
    assert registration.attended and registration.checked_in_at is not None

    undo = owner_client.post(url("registration_undo_check_in", event_campaign, registration.pk))
    assert undo.status_code == 302
    registration.refresh_from_db()
    assert not registration.attended
    owner_client.post(url("registration_cancel", event_campaign, registration.pk), **HTMX)
    assert not EventRegistration.objects.exists()


def test_the_event_tab_shows_attendance(owner_client, event_campaign):
    session = actions.add_session(event_campaign, name="Keynote", starts_at=STARTS)
    for n in range(4):
        registration = actions.register(session, email=f"p{n}@example.test", name=f"Person {n}")
        if n == 0:
            actions.check_in(registration)
    body = owner_client.get(url("event", event_campaign)).content.decode()
    assert 'data-testid="total-registered">4<' in body and 'data-testid="attendance-rate">25%<' in body
    assert body.count(">Check in</button>") == 3


def test_sales_cannot_check_in(sdr_client, event_campaign):
    session = actions.add_session(event_campaign, name="Keynote", starts_at=STARTS)
    registration = actions.register(session, email="a@example.test")
    assert (
        sdr_client.post(url("registration_check_in", event_campaign, registration.pk), **HTMX).status_code
        == 403
    )
    registration.refresh_from_db()
    assert not registration.attended
    assert ">Check in</button>" not in sdr_client.get(url("event", event_campaign)).content.decode()


def test_a_registration_of_another_campaign_is_404(owner_client, event_campaign, make_campaign, marketer):
    other = make_campaign(channel="event", owner=marketer)
    session = actions.add_session(other, name="Other", starts_at=STARTS)
    registration = actions.register(session, email="a@example.test")
    assert owner_client.post(url("registration_check_in", event_campaign, registration.pk)).status_code == 404


# ---------------------------------------------------------------- mentions
def test_mentions_per_week_chart(owner_client, campaign):
    now = timezone.now()
    actions.ingest_mentions(
        [{"channel": "news", "source": "Reuters", "occurred_at": now - timedelta(weeks=w), "campaign_id": campaign.pk,
          "external_id": f"m{w}-{i}", "url": f"https://news.test/{w}/{i}", "title": f"Story {w}.{i}"}
         for w in range(3) for i in range(w + 1)]
    )  # fmt: skip
    body = owner_client.get(url("mentions", campaign)).content.decode()
    bars = re.findall(r'class="week-bar" style="height: (\d+)%"', body)
    assert len(bars) == 12 and bars[-3:] == ["100", "67", "33"]
    assert "Story 0.0" in body and 'href="https://news.test/0/0"' in body


def test_upload_mentions_csv_with_bad_rows(owner_client, campaign):
    content = (
        "channel,source,occurred_at,url,external_id\n"
        "pr,TechCrunch,2026-03-04,https://techcrunch.test/a,ok-1\n"
        "tv,Channel 5,2026-03-04,,bad\n"
    )
    upload = SimpleUploadedFile("mentions.csv", content.encode(), content_type="text/csv")
    response = owner_client.post(url("mentions", campaign), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 mention(s) imported, 0 already known; 1 problem(s)" in body
    assert "Line 3: channel: Must be one of" in body
    assert BrandMention.objects.get().campaign == campaign


def test_upload_refuses_a_file_that_is_not_utf8(owner_client, campaign):
    upload = SimpleUploadedFile(
        "m.csv", "channel,source,occurred_at\npr,Zürich,2026-03-04\n".encode("utf-16")
    )
    response = owner_client.post(url("mentions", campaign), {"file": upload})
    assert response.status_code == 422 and "not UTF-8" in response.content.decode()


def test_sales_cannot_upload_mentions(sdr_client, campaign):
    upload = SimpleUploadedFile("m.csv", b"channel,source,occurred_at\n")
    assert sdr_client.post(url("mentions", campaign), {"file": upload}).status_code == 403


def test_a_marketer_cannot_change_a_colleagues_campaign_parts(client, make_user, campaign):
    client.force_login(make_user(Role.MARKETER))
    assert client.post(url("links", campaign), {"destination": "https://accord.test/"}).status_code == 403
    assert client.post(url("utm_rules", campaign), {"source": "x", "priority": "0"}).status_code == 403
    assert client.get(url("links", campaign)).status_code == 200
