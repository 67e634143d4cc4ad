"""Every page × every role: the status a page answers is what accounts.permissions.can says.

Pages ask the one permission module; this proves none of them grants or refuses on its own.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.accounts.models import Role, User
from accord.accounts.permissions import Action, Resource, can
from accord.contacts.actions import create_company, create_contact

pytestmark = pytest.mark.django_db
NO_GRANTS = "guest"  # a role value no grant mentions


@pytest.fixture
def pages():
    company = create_company(name="Acme", domain="acme.test")
    contact = create_contact(email="a@acme.test", company=company)
    return [
        (reverse("web:home"), None),
        (reverse("contacts:contact_list"), Resource.CONTACT),
        (reverse("contacts:contact_detail", args=[contact.pk]), Resource.CONTACT),
        (reverse("contacts:company_list"), Resource.COMPANY),
        (reverse("contacts:company_detail", args=[company.pk]), Resource.COMPANY),
    ]


@pytest.mark.parametrize("role", [*Role.values, NO_GRANTS])
def test_pages_follow_the_permission_module(client, make_user, pages, role):
    user = make_user(Role.MARKETER)
    User.objects.filter(pk=user.pk).update(role=role)
    user.refresh_from_db()
    client.force_login(user)
    for url, resource in pages:
        allowed = resource is None or can(user, Action.VIEW, resource)
        assert client.get(url).status_code == (200 if allowed else 403), (role, url)
