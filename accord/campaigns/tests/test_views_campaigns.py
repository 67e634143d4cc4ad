"""Campaign pages: the list (filters, htmx partial, pagination, empty states), create/edit/delete
with validation messages, and permissions from accounts.permissions."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accord.accounts.models import Role, User
from accord.accounts.permissions import Action, Resource, can
from accord.campaigns import actions
from accord.campaigns.models import Campaign, Channel

pytestmark = pytest.mark.django_db
LIST = reverse("campaigns:campaign_list")
CREATE = reverse("campaigns:campaign_create")


def login(client, user):
    client.force_login(user)
    return client


def names(response) -> list[str]:
    return re.findall(r'class="row-title" href="/campaigns/\d+/">([^<]+)<', response.content.decode())


@pytest.fixture
def sample(make_campaign, marketer, manager):
    email = make_campaign(name="Monthly newsletter", channel=Channel.EMAIL, owner=marketer, budget="1000",
                          start_date=date(2026, 1, 1), status="active")  # fmt: skip
    actions.add_cost(email, date=date(2026, 1, 5), amount="1250")  # over budget
    make_campaign(name="SaaStr booth", channel=Channel.EVENT, owner=manager, budget="45000",
                  start_date=date(2026, 2, 1), utm_campaign="saastr-2026")  # fmt: skip
    make_campaign(name="Series B press", channel=Channel.PR, status="completed", budget="0")
    return email


# ---------------------------------------------------------------- list
def test_the_navigation_links_to_the_campaign_list(client, sdr):
    response = login(client, sdr).get(reverse("web:home"))
    assert f'href="{LIST}"' in response.content.decode()


def test_list_shows_campaigns_with_spend_against_budget(client, sdr, sample):
    response = login(client, sdr).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert names(response) == ["SaaStr booth", "Monthly newsletter", "Series B press"]
    assert "1,250 / 1,000" in body and "(125%)" in body and "spend is-over" in body
    assert "New campaign" not in body  # an SDR only reads campaigns


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"channel": "event"}, ["SaaStr booth"]),
        ({"status": "completed"}, ["Series B press"]),
        ({"q": "saastr-2026"}, ["SaaStr booth"]),
        ({"q": "NEWS letter"}, ["Monthly newsletter"]),
        ({"owner": "me"}, ["Monthly newsletter"]),
        ({"sort": "name"}, ["Monthly newsletter", "SaaStr booth", "Series B press"]),
        ({"sort": "-budget"}, ["SaaStr booth", "Monthly newsletter", "Series B press"]),
        ({"channel": "telepathy"}, ["SaaStr booth", "Monthly newsletter", "Series B press"]),  # ignored
    ],
)
def test_list_filters(client, marketer, sample, query, expected):
    assert names(login(client, marketer).get(LIST, query)) == expected


def test_the_channel_filter_offers_all_ten_channels(client, marketer):
    body = login(client, marketer).get(LIST).content.decode()
    for value, label in Channel.choices:
        assert f'<option value="{value}">{label}</option>' in body.replace("&amp;", "&")


def test_htmx_requests_get_only_the_results(client, marketer, sample):
    response = login(client, marketer).get(LIST, {"channel": "pr"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="campaign-filters"' not in body
    assert names(response) == ["Series B press"]
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_list_pagination(client, marketer, make_campaign):
    for n in range(30):
        make_campaign(name=f"Campaign {n:02d}")
    response = login(client, marketer).get(LIST, {"sort": "name", "page": 2})
    assert names(response) == [f"Campaign {n:02d}" for n in range(25, 30)]
    assert "26–30 of 30 campaigns" in response.content.decode()


def test_empty_states(client, marketer, sample):
    login(client, marketer)
    assert "No campaigns match these filters" in client.get(LIST, {"q": "nothing-like-this"}).content.decode()
    Campaign.objects.all().delete()
    body = client.get(LIST).content.decode()
    assert "No campaigns yet" in body and "Create the first campaign" in body


# ---------------------------------------------------------------- create and edit
def form_data(**overrides):
    data = {
        "name": "Webinar: Close the books", "channel": "event", "status": "planned", "owner": "",
        "budget": "2000.00", "start_date": "2026-05-01", "end_date": "2026-05-14",
        "utm_source": "zoom", "utm_medium": "webinar", "utm_campaign": "close-books", "description": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_form_offers_all_ten_channels(client, marketer):
    body = login(client, marketer).get(CREATE).content.decode()
    assert all(f'value="{value}"' in body for value in Channel.values)


def test_create_a_campaign(client, marketer):
    response = login(client, marketer).post(CREATE, form_data(owner=str(marketer.pk)))
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert (campaign.channel, campaign.budget, campaign.owner, campaign.end_date) == (
        "event", Decimal("2000.00"), marketer, date(2026, 5, 14),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"channel": ""}, "channel", "This field is required."),
        ({"channel": "telepathy"}, "channel", "Select a valid choice."),
        ({"budget": "-10"}, "budget", "greater than or equal to 0"),
        ({"budget": "1.234"}, "budget", "no more than 2 decimal places"),
        ({"start_date": "2026-05-15"}, "end_date", "Must be on or after the start date."),
    ],
)
def test_create_shows_validation_messages_beside_the_fields(client, marketer, overrides, field, message):
    response = login(client, marketer).post(CREATE, form_data(**overrides))
    assert response.status_code == 422
    body = response.content.decode()
    error = re.search(rf'<p class="field-error" id="id_{field}_error">([^<]+)</p>', body)
    assert error and message in error.group(1)
    assert 'aria-invalid="true"' in body
    assert not Campaign.objects.exists()


def test_edit_a_campaign(client, marketer, campaign):
    url = reverse("campaigns:campaign_edit", args=[campaign.pk])
    login(client, marketer)
    assert 'value="Spring search push"' in client.get(url).content.decode()
    data = form_data(name="Spring search push v2", channel="digital", owner=str(marketer.pk))
    response = client.post(url, data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.utm_source) == ("Spring search push v2", "zoom")


def test_sales_roles_cannot_create_or_edit(client, sdr, campaign):
    login(client, sdr)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data()).status_code == 403
    edit = reverse("campaigns:campaign_edit", args=[campaign.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data(name="Hijacked")).status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "Spring search push" and Campaign.objects.count() == 1


def test_marketers_change_only_their_own_campaigns(client, make_user, campaign, manager):
    other = make_user(Role.MARKETER)
    edit = reverse("campaigns:campaign_edit", args=[campaign.pk])
    assert login(client, other).post(edit, form_data(name="Mine now")).status_code == 403
    assert login(client, manager).post(edit, form_data(name="Managed", channel="digital")).status_code == 302


def test_delete_a_campaign(client, marketer, make_user, campaign):
    url = reverse("campaigns:campaign_delete", args=[campaign.pk])
    assert login(client, make_user(Role.SDR)).post(url).status_code == 403
    assert client.get(url).status_code == 405
    response = login(client, marketer).post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Campaign.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client, campaign):
    for url in (LIST, CREATE, campaign.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", [*Role.values, "guest"])
def test_campaign_pages_follow_the_permission_module(client, make_user, campaign, role):
    user = make_user(Role.MARKETER)
    User.objects.filter(pk=user.pk).update(role=role)
    user.refresh_from_db()
    login(client, user)
    viewable = can(user, Action.VIEW, Resource.CAMPAIGN)
    for url in (LIST, campaign.get_absolute_url(), reverse("campaigns:links", args=[campaign.pk])):
        assert client.get(url).status_code == (200 if viewable else 403), (role, url)
    assert client.get(CREATE).status_code == (200 if can(user, Action.ADD, Resource.CAMPAIGN) else 403)
