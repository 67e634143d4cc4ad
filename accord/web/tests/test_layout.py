"""The app shell around every page: landmarks, top bar, messages, error pages."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from accord.accounts.models import Role, User
from accord.web.views import home

pytestmark = pytest.mark.django_db


def test_shell_has_landmarks_user_and_offline_htmx(client, users):
    sdr = users[Role.SDR]
    client.force_login(sdr)
    html = client.get(reverse("contacts:contact_list")).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="sidenav" aria-label="Main">' in html
    assert 'aria-current="page"' in html
    assert str(sdr) in html and "Sales development rep" in html  # name and role in the top bar
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html
    assert "://" not in html.split("<body")[0]  # nothing loaded from another site
    assert 'aria-disabled="true"' in html  # a "coming soon" navigation item
    assert 'href="/static/accord/app.css"' in html


def test_messages_are_shown(users):
    request = RequestFactory().get("/")
    request.user = users[Role.SDR]
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # as MessageMiddleware does
    messages.success(request, "Saved <everything>")
    html = home(request).content.decode()
    assert '<li class="alert alert-success">Saved &lt;everything&gt;</li>' in html


def test_forbidden_page_uses_the_shell(client, make_user):
    user = make_user(Role.MARKETER)
    User.objects.filter(pk=user.pk).update(role="guest")
    client.force_login(user)
    response = client.get(reverse("contacts:contact_list"))
    assert response.status_code == 403
    assert "You don't have access to this page" in response.content.decode()


def test_not_found_page_uses_the_shell(client, users):
    client.force_login(users[Role.SDR])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()
