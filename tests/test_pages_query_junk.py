"""Every page answers junk query-string values with a page or a 4xx, never a 500.

The companion of ``test_pages_never_500`` (paths and posted forms): here each page of a small demo
workspace, with real ids in its path, is opened with every query parameter the pages read set to one
junk value at a time — digits that ``str.isdigit()`` accepts but ``int()`` refuses ("²"), numbers
too long for a 64-bit column or for ``int()``, dates at the ends of ``date``'s range, NUL, 3,000
characters. A security review found ten pages that answered one of these with a 500.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import get_resolver

from tests.test_pages_never_500 import SKIP_PREFIXES, _concrete, _patterns

pytestmark = pytest.mark.django_db

PARAMS = (
    "page", "status", "part", "mine", "q", "pipeline", "outcome", "kind", "week", "was_stale", "team",
    "stage", "sort", "sla", "show", "owner", "next", "embed", "deal", "c", "before", "industry", "size",
    "country", "lifecycle_stage", "from", "to", "date", "channel", "segment", "campaign", "scope",
)  # fmt: skip
JUNK = ("²", "9" * 30, "9" * 5000, "2026-13-45", "9999-12-31", "0001-01-01", "\x00", "x" * 3000, "-1")
ALONE = ("week", "team", "deal", "owner")  # parameters parsed as ids or dates by some page
UNSAFE = ("delete", "revoke", "logout", "archive", "close", "restore")  # GET on these only asks, but skip


def test_every_page_answers_junk_query_values_without_a_500(client: Any) -> None:
    from accord.accounts.models import User
    from accord.demo.generator import generate_workspace

    generate_workspace(contacts=60, seed=3, now=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    client.force_login(User.objects.get(username="admin"))
    client.raise_request_exception = False
    routes = {_concrete(r) for r in _patterns(get_resolver()) if not r.startswith(SKIP_PREFIXES)}
    pages = sorted(u.replace("999999", "1") for u in routes if u and not any(w in u for w in UNSAFE))
    assert len(pages) > 80, "the whole site is walked"
    failures = []
    logging.disable(logging.CRITICAL)  # the 500s are collected below, not logged 1,000 times
    try:
        for url in pages:
            for junk in JUNK:
                response = client.get(f"{url}?{urlencode(dict.fromkeys(PARAMS, junk))}")
                if response.status_code >= 500:
                    failures.append(f"{url} with every parameter = {junk[:12]!r}: {response.status_code}")
            for name in ALONE:  # alone too, so an early fallback on another parameter hides nothing
                for junk in ("²", "9999-12-31"):
                    response = client.get(f"{url}?{urlencode({name: junk})}")
                    if response.status_code >= 500:
                        failures.append(f"{url}?{name}={junk[:12]!r}: {response.status_code}")
    finally:
        logging.disable(logging.NOTSET)
    assert failures == []
