"""Fixtures of the campaigns tests. Data is built through the real actions.

Every test here runs against ``accord.campaigns.tests.urls``: the site's URLs plus the short-link
redirect and the API router, which the project mounts in ``accord/urls.py`` and ``accord/api.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from accord.accounts.models import Role, User
from accord.campaigns.actions import create_campaign
from accord.campaigns.models import Campaign, Channel


@pytest.fixture(autouse=True)
def _campaign_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "accord.campaigns.tests.urls"


@pytest.fixture
def marketer(users: dict[str, User]) -> User:
    return users[Role.MARKETER]


@pytest.fixture
def manager(users: dict[str, User]) -> User:
    return users[Role.MARKETING_MANAGER]


@pytest.fixture
def sdr(users: dict[str, User]) -> User:
    return users[Role.SDR]


@pytest.fixture
def make_campaign(db: None) -> Callable[..., Campaign]:
    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> Campaign:
        n = next(counter)
        fields.setdefault("name", f"Campaign {n}")
        fields.setdefault("channel", Channel.DIGITAL)
        return create_campaign(**fields)

    return make


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign], marketer: User) -> Campaign:
    return make_campaign(
        name="Spring search push",
        channel=Channel.DIGITAL,
        status=Campaign.Status.ACTIVE,
        utm_source="google",
        utm_medium="cpc",
        utm_campaign="spring-push",
        budget=Decimal("10000.00"),
        start_date=date(2026, 3, 1),
        end_date=date(2026, 5, 31),
        owner=marketer,
    )


@pytest.fixture
def event_campaign(make_campaign: Callable[..., Campaign], marketer: User) -> Campaign:
    return make_campaign(name="Finance Summit", channel=Channel.EVENT, owner=marketer)


@pytest.fixture
def affiliate_campaign(make_campaign: Callable[..., Campaign], marketer: User) -> Campaign:
    return make_campaign(
        name="Partner program", channel=Channel.AFFILIATE, owner=marketer,
        utm_source="partner", utm_medium="affiliate", utm_campaign="partners",
    )  # fmt: skip
