"""The left navigation: grouped, filtered by role, never linking to a page that does not exist."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, resolve, reverse

from accord.accounts.models import Role
from accord.web.context import MENU, build_navigation, navigation

pytestmark = pytest.mark.django_db


def nav_for(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return build_navigation(request)


def test_anonymous_users_get_no_navigation():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/login/")
    request.user = AnonymousUser()
    request.resolver_match = None
    assert list(navigation(request)["navigation"]) == []


def test_groups_and_items(users):
    groups = nav_for(users[Role.ADMIN])
    assert [g.label for g in groups] == ["Shared", "Marketing", "Sales", "Settings"]
    labels = {g.label: [i.label for i in g.items] for g in groups}
    assert labels["Shared"] == ["Home", "Contacts", "Companies"]
    assert labels["Marketing"] == ["Campaigns", "Segments", "Forms", "Email"]
    assert labels["Sales"] == [
        "Lead inbox", "Team leads", "Pipeline", "Activities", "Quotes", "Products", "Competitors",
    ]  # fmt: skip
    assert labels["Settings"] == [
        "Import & export", "Lead scoring", "Lead routing", "Pipelines", "Write keys", "API keys",
    ]  # fmt: skip


def test_only_managers_see_write_keys(users):
    def labels(role):
        return [i.label for g in nav_for(users[role]) for i in g.items]

    assert "Write keys" in labels(Role.MARKETING_MANAGER)
    assert "Write keys" not in labels(Role.MARKETER)
    assert "Write keys" not in labels(Role.SDR)
    assert "API keys" in labels(Role.SDR)


def test_items_without_a_page_are_coming_soon_not_links(users):
    for group in nav_for(users[Role.ADMIN]):
        for item, spec in zip(
            group.items, next(g for g in MENU if g.label == group.label).items, strict=True
        ):
            try:
                expected = reverse(spec.url_name)
            except NoReverseMatch:
                expected = None
            assert item.url == expected
            assert item.coming_soon is (expected is None)


def test_marketers_do_not_see_the_lead_inbox(users):
    labels = [i.label for g in nav_for(users[Role.MARKETER]) for i in g.items]
    assert "Lead inbox" not in labels and "Contacts" in labels
    sdr_labels = [i.label for g in nav_for(users[Role.SDR]) for i in g.items]
    assert "Lead inbox" in sdr_labels


def test_current_section_is_marked_active(users):
    groups = nav_for(users[Role.SDR], reverse("contacts:contact_list"))
    active = [i.label for g in groups for i in g.items if i.active]
    assert active == ["Contacts"]
