"""Unit tests of the one permission module (the role × resource matrix over pages and API is in
accord/web/tests/test_role_matrix.py)."""

from __future__ import annotations

import pytest

from accord.accounts.models import Role
from accord.accounts.permissions import Action, PermissionDenied, Resource, can, check
from accord.contacts.actions import create_contact

pytestmark = pytest.mark.django_db


def test_admin_may_do_everything(users):
    for resource in Resource:
        for action in Action:
            assert can(users[Role.ADMIN], action, resource)


def test_superuser_acts_as_admin(make_user):
    su = make_user(Role.MARKETER, is_superuser=True)
    assert can(su, Action.DELETE, Resource.DEAL)


def test_own_grant_depends_on_record_owner(users):
    sdr = users[Role.SDR]
    mine = create_contact(email="mine@example.com", owner=sdr)
    theirs = create_contact(email="theirs@example.com", owner=users[Role.ACCOUNT_EXECUTIVE])
    unowned = create_contact(email="nobody@example.com")
    assert can(sdr, Action.CHANGE, Resource.CONTACT, mine)
    assert not can(sdr, Action.CHANGE, Resource.CONTACT, theirs)
    assert not can(sdr, Action.CHANGE, Resource.CONTACT, unowned)
    assert can(sdr, Action.VIEW, Resource.CONTACT, theirs)
    with pytest.raises(PermissionDenied, match="change this contact"):
        check(sdr, Action.CHANGE, Resource.CONTACT, theirs)


def test_inactive_and_anonymous_users_have_no_grants(users):
    from django.contrib.auth.models import AnonymousUser

    u = users[Role.SALES_MANAGER]
    u.is_active = False
    assert not can(u, Action.VIEW, Resource.CONTACT)
    assert not can(AnonymousUser(), Action.VIEW, Resource.CONTACT)  # type: ignore[arg-type]


def test_marketer_cannot_delete_contacts_nor_touch_api_keys_of_others(users):
    from accord.accounts.actions import create_api_key

    marketer = users[Role.MARKETER]
    assert not can(marketer, Action.DELETE, Resource.CONTACT)
    own_key = create_api_key(marketer).key
    other_key = create_api_key(users[Role.SDR]).key
    assert can(marketer, Action.VIEW, Resource.API_KEY, own_key)
    assert can(marketer, Action.DELETE, Resource.API_KEY, own_key)
    assert not can(marketer, Action.VIEW, Resource.API_KEY, other_key)
    assert not can(marketer, Action.DELETE, Resource.API_KEY, other_key)
    assert can(users[Role.ADMIN], Action.DELETE, Resource.API_KEY, other_key)
