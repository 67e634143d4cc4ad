"""Fixtures shared by every app's tests.

- ``users``: one user per role, created through the real action.
- ``api_client``: a Django test client that sends an API key for a given user.
- ``smtp``: a real SMTP server (aiosmtpd) on loopback that Django's mail goes through.
- ``browser``: a Playwright-driven Debian Chromium (see :mod:`accord.core.testing.browser`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from accord.accounts.actions import create_api_key, create_user
from accord.accounts.models import Role, User

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TEST_PASSWORD = "correct horse battery staple 42"


def sign_in(page: Any, url: str, username: str) -> None:
    """Open ``url`` in the browser, sign in on the login page it leads to, and wait until ``url``
    is shown (the login page sends the user back to where they were going)."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url)


def htmx_settled(page: Any) -> None:
    """Wait until htmx has no request in flight and has wired up everything it last swapped in.

    htmx inserts new content first and attaches its listeners (``hx-trigger``, ``hx-post``) in the
    settle step ~20 ms later; an element found on the page in between is visible but inert, so a
    test that types into it at once can lose the event. Call this after waiting for swapped content
    and before using the controls inside it."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: str = Role.MARKETER, username: str | None = None, **kw: Any) -> User:
        n = next(counter)
        return create_user(
            username=username or f"{role}{n}",
            password=TEST_PASSWORD,
            role=role,
            email=f"{username or role + str(n)}@example.test",
            first_name=kw.pop("first_name", role.replace("_", " ").title()),
            last_name=kw.pop("last_name", str(n)),
            **kw,
        )

    return make


@pytest.fixture
def users(make_user: Callable[..., User]) -> dict[str, User]:
    """One user for each role, keyed by role value."""
    return {role.value: make_user(role.value, username=role.value) for role in Role}


def ApiClient(key: str | None) -> Client:
    """A test client that sends ``Authorization: Bearer <key>`` with every request."""
    return Client(headers={"Authorization": f"Bearer {key}"} if key is not None else None)


@pytest.fixture
def api_client_for(db: None) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        return ApiClient(create_api_key(user, "test").secret)

    return make


@pytest.fixture
def admin_api(users: dict[str, User], api_client_for: Callable[[User], Client]) -> Client:
    return api_client_for(users[Role.ADMIN])


# ---------------------------------------------------------------- browser
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    exe = shutil.which("chromium")
    if exe is None:
        if IN_CI:
            pytest.fail(
                "Debian's chromium is not installed; CI must install it (apt-get install -y chromium)"
            )
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


class SmtpSink:
    """Messages received by a real SMTP server (aiosmtpd) listening on loopback."""

    def __init__(self) -> None:
        import email
        import email.policy

        self._email = email
        self._policy = email.policy.default
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = self._email.message_from_bytes(envelope.content, policy=self._policy)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def body(msg: Any) -> str:
        part = msg.get_body(preferencelist=("plain", "html"))
        return str(part.get_content()) if part is not None else ""


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    """Route Django's mail through a real SMTP server on 127.0.0.1; yields the received messages."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    try:
        yield sink
    finally:
        controller.stop()
