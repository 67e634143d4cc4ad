"""Hostile text in every human-written field is shown escaped on every page.

A small demo workspace gets ``<script>`` (and an attribute breaker) in each free-text field that
people or visitors type — names, titles, subjects, notes, reasons, descriptions — then every page
is rendered as an admin (lists, and records 1–3 of every detail route). The raw payload must never
appear in the HTML; its escaped form must appear somewhere (so the walk did show the values).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.urls import get_resolver

from tests.test_pages_never_500 import SKIP_PREFIXES, _concrete, _patterns

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("xss")</script>"><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("
TEXT_FIELDS = {
    "name", "first_name", "last_name", "title", "subject", "body", "description", "note", "notes",
    "reason", "lost_reason", "won_reason", "comment", "strengths", "weaknesses", "how_to_win", "label",
    "help_text", "text", "theme", "pain_points", "goals", "need", "authority_role", "decision_makers",
    "budget_evidence", "budget_range", "industry", "terms", "success_message", "location",
    "reject_note", "company_name", "phone", "product", "price", "place", "promotion", "people",
    "process", "physical_evidence",
}  # fmt: skip


def _poison() -> int:
    changed = 0
    for model in apps.get_app_configs():
        if not model.name.startswith("accord."):
            continue
        for m in model.get_models():
            fields = [
                f.name
                for f in m._meta.get_fields()
                if isinstance(f, models.CharField | models.TextField)
                and f.name in TEXT_FIELDS
                and not f.choices
                and not f.unique
                and (not isinstance(f, models.CharField) or (f.max_length or 0) >= 60)
            ]
            if not fields:
                continue
            try:
                with transaction.atomic():
                    changed += m._default_manager.update(**dict.fromkeys(fields, PAYLOAD))
            except IntegrityError:  # a unique name: make each row's payload distinct
                for pk in m._default_manager.values_list("pk", flat=True):
                    changed += m._default_manager.filter(pk=pk).update(
                        **dict.fromkeys(fields, f"{PAYLOAD} #{pk}")
                    )
    return changed


def test_hostile_text_is_escaped_on_every_page(client: Any) -> None:
    from accord.accounts.models import User
    from accord.demo.generator import generate_workspace

    generate_workspace(contacts=60, seed=5, now=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    assert _poison() > 100
    client.force_login(User.objects.get(username="admin"))
    routes = sorted({r for r in _patterns(get_resolver()) if not r.startswith(SKIP_PREFIXES)})
    leaks, shown = [], 0
    for route in routes:
        url = _concrete(route)
        if url is None:
            continue
        for ident in ("1", "2", "3") if "999999" in url else ("",):
            page = url.replace("999999", ident)
            resp = client.get(page)
            if resp.status_code != 200 or not resp["Content-Type"].startswith("text/html"):
                continue
            html = resp.content.decode()
            if PAYLOAD in html or "<script>alert(" in html or "<img src=x onerror" in html:
                leaks.append(page)
            shown += ESCAPED in html
    assert leaks == []
    assert shown > 30, "the walk rendered the hostile values on many pages"
