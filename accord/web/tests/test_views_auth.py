"""Sign-in, sign-out, lockout and the login requirement of every page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from accord.accounts.models import Role
from accord.contacts.actions import create_company, create_contact
from conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def test_every_page_needs_a_login(client):
    company = create_company(name="Acme", domain="acme.test")
    contact = create_contact(email="a@acme.test", company=company)
    for url in (
        reverse("web:home"),
        reverse("contacts:contact_list"),
        reverse("contacts:contact_detail", args=[contact.pk]),
        reverse("contacts:company_list"),
        reverse("contacts:company_detail", args=[company.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN}?next="), url


def test_login_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'name="username"' in html and 'name="password"' in html and 'autocomplete="current-password"' in html
    )
    assert "csrfmiddlewaretoken" in html


def test_wrong_password_shows_an_error_and_creates_no_session(client, users):
    response = client.post(LOGIN, {"username": Role.SDR, "password": "wrong"})
    assert response.status_code == 200
    assert "Your username and password didn't match" in response.content.decode()
    assert "sessionid" not in response.cookies
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert Session.objects.count() == 0


def test_right_password_signs_in_and_follows_next(client, users):
    response = client.post(
        LOGIN + "?next=/contacts/", {"username": Role.SDR, "password": TEST_PASSWORD, "next": "/contacts/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    assert Session.objects.count() == 1
    home = client.get(reverse("web:home"))
    assert home.status_code == 200


def test_login_does_not_redirect_off_site(client, users):
    response = client.post(
        LOGIN, {"username": Role.SDR, "password": TEST_PASSWORD, "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("web:home")


def test_lockout_after_too_many_failures(client, users):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert client.post(LOGIN, {"username": Role.SDR, "password": "wrong"}).status_code == 200
    locked = client.post(LOGIN, {"username": Role.SDR, "password": "wrong"})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # even the right password is refused now, and no session is created
    again = client.post(LOGIN, {"username": Role.SDR, "password": TEST_PASSWORD})
    assert again.status_code == 429
    assert Session.objects.count() == 0


def test_logout_needs_post_and_ends_the_session(client, users):
    client.force_login(users[Role.SDR])
    html = client.get(reverse("web:home")).content.decode()
    assert f'action="{reverse("logout")}"' in html and 'method="post"' in html
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 302
