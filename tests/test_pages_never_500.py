"""Every page answers unknown ids and empty or junk form posts with a page or a 4xx, never a 500.

Walks the URL configuration (all apps' pages, not the admin or the REST API, which has its own
test) as an admin: GET with an unknown id in every path parameter, then POST an empty form and a
form of junk values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/", "api/", "static/", "media/", "logout/")
JUNK = {
    "name": "<script>x</script>" * 20, "email": "not-an-email", "amount": "-1e400", "stage": "nope",
    "page": "-3", "q": "' OR 1=1 --", "quantity": "NaN", "discount": "101", "due_at": "31/31/2031",
}  # fmt: skip


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str) -> str | None:
    if route.startswith("^") or "(?P" in route:
        return None  # regex routes (admin, static) are skipped
    filled = re.sub(r"<int:[^>]+>", "999999", route)
    filled = re.sub(r"<(?:str|slug):[^>]+>", "no-such-thing", filled)
    filled = re.sub(r"<[^>]+>", "999999", filled)
    return "/" + filled


def _pages() -> list[str]:
    urls = {_concrete(r) for r in _patterns(get_resolver()) if not r.startswith(SKIP_PREFIXES)}
    return sorted(u for u in urls if u)


def test_every_page_answers_unknown_ids_and_junk_posts_without_a_500(
    client: Any, users: dict[str, Any]
) -> None:
    client.force_login(users["admin"])
    pages = _pages()
    assert len(pages) > 80, "the whole site is walked"
    failures = []
    seen: set[int] = set()
    for url in pages:
        for method, data in (("get", None), ("post", {}), ("post", JUNK)):
            resp = client.get(url) if method == "get" else client.post(url, data or {})
            seen.add(resp.status_code)
            if resp.status_code >= 500:
                failures.append((method.upper(), url, bool(data), resp.status_code))
    assert failures == []
    assert {200, 404} <= seen, seen


def test_pages_of_real_records_survive_junk_posts(client: Any) -> None:
    """The same walk over a small demo workspace, where id 1 to 3 exist in most tables: the pages
    render, and junk or empty posts to real records' forms give a page or a 4xx, never a 500."""
    from datetime import UTC, datetime

    from accord.accounts.models import User
    from accord.demo.generator import generate_workspace

    generate_workspace(contacts=120, seed=3, now=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    client.force_login(User.objects.get(username="admin"))
    routes = [r for r in _patterns(get_resolver()) if not r.startswith(SKIP_PREFIXES) and "<" in r]
    failures = []
    seen: set[int] = set()
    for route in sorted(set(routes)):
        for ident in ("1", "2", "3"):
            url = _concrete(route)
            if url is None:
                continue
            url = url.replace("999999", ident)
            for method, data in (("get", None), ("post", JUNK), ("post", {})):
                resp = client.get(url) if method == "get" else client.post(url, data or {})
                seen.add(resp.status_code)
                if resp.status_code >= 500:
                    failures.append((method.upper(), url, bool(data), resp.status_code))
    assert failures == []
    assert 200 in seen and len(routes) > 40
