"""Test helpers for webforms: forms built through the real actions, and a visitor that posts
the hosted form the way a browser does (GET the page for its token, then POST)."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client

from accord.accounts.models import User
from accord.webforms.actions import FieldSpec, create_form
from accord.webforms.models import Form

CONSENT = "I agree that Acme may email me about its products. I can unsubscribe at any time."


def standard_fields(*extra: FieldSpec) -> list[FieldSpec]:
    return [
        FieldSpec("email", "Work email", "email", True),
        FieldSpec("first_name", "First name", "text", True),
        FieldSpec("last_name", "Last name", "text", False),
        FieldSpec("company_name", "Company", "text", False),
        *extra,
    ]


def make_form(owner: User | None = None, **values: Any) -> Form:
    fields = values.pop("fields", None) or standard_fields()
    values.setdefault("name", "Download the 2026 RevOps report")
    values.setdefault("consent_required", True)
    if values["consent_required"]:
        values.setdefault("consent_text", CONSENT)
    return create_form(by=owner, fields=fields, **values)


_TOKEN = re.compile(r'name="token" value="([^"]+)"')


class Visitor:
    """A browser-like client for the public pages (no session, its own IP and user agent)."""

    def __init__(
        self, ip: str = "198.51.100.7", user_agent: str = "Mozilla/5.0 (X11; Linux) Test/1.0"
    ) -> None:
        self.client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent, enforce_csrf_checks=True)

    def open(self, form: Form, query: str = "", **headers: str) -> Any:
        return self.client.get(f"/forms/f/{form.slug}/{query}", headers=headers or None)

    def token(self, form: Form, query: str = "") -> tuple[str, dict[str, str]]:
        page = self.open(form, query).content.decode()
        found = re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page)
        hidden = {name: html.unescape(value) for name, value in found}
        match = _TOKEN.search(page)
        assert match, "the form page has no token"
        return match.group(1), hidden

    def submit(
        self, form: Form, data: dict[str, Any], *, query: str = "", consent: bool = True, **extra: str
    ) -> Any:
        token, hidden = self.token(form, query)
        body = {**hidden, "token": token, **data, **extra}
        if consent:
            body["consent"] = "1"
        return self.client.post(f"/forms/f/{form.slug}/", body)
