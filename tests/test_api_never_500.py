"""Every REST endpoint answers bad input with a 4xx, never a 500.

Walks the generated OpenAPI document: each operation is called as an admin with unknown ids,
malformed JSON and bodies of the wrong shape. A 500 anywhere fails; so does a non-JSON error body.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

BAD_BODIES: list[bytes] = [
    b"{not json",
    b"[]",
    b'"text"',
    b"{}",
    json.dumps({"name": None, "email": 12, "amount": "lots", "page": -1, "id": "x" * 300}).encode(),
    json.dumps({"unexpected": {"deeply": [1, 2, {"x": None}]}}).encode(),
]


def _operations(client: Any) -> list[tuple[str, str]]:
    schema = client.get("/api/openapi.json").json()
    ops = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((method, path))
    return ops


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_operation_answers_bad_input_with_a_4xx(admin_api):
    ops = _operations(admin_api)
    assert len(ops) > 60, "the whole API is walked"
    failures: list[tuple[Any, ...]] = []
    seen: set[int] = set()
    for method, path in ops:
        for ident in ("999999", "0"):
            url = _fill(path, ident)
            bodies: list[bytes | None]
            if method == "get" or method == "delete":
                resp = getattr(admin_api, method)(url)
                bodies = [None]
            else:
                bodies = list(BAD_BODIES)
                resp = None
            for body in bodies:
                if body is not None:
                    resp = getattr(admin_api, method)(url, body, content_type="application/json")
                assert resp is not None
                seen.add(resp.status_code)
                if resp.status_code >= 500:
                    failures.append((method.upper(), url, body[:40] if body else None, resp.status_code))
                elif resp.status_code >= 400 and resp["Content-Type"].startswith("application/json"):
                    payload = resp.json()
                    if not (isinstance(payload, dict) and "code" in payload and "message" in payload):
                        failures.append(
                            (method.upper(), url, body[:40] if body else None, "error body", payload)
                        )
    assert failures == []
    # the requests got past authentication into validation and lookups (not a wall of 401s)
    assert {400, 404, 422} <= seen and 401 not in seen and 403 not in seen, seen


def test_list_endpoints_reject_bad_paging_with_422(admin_api):
    for method, path in _operations(admin_api):
        if method != "get" or "{" in path:
            continue
        for query in ("page=0", "page=abc", "page_size=100000", "page_size=-5"):
            resp = admin_api.get(f"{path}?{query}")
            assert resp.status_code < 500, (path, query, resp.status_code)


def test_real_records_answer_bad_bodies_with_a_4xx(api_client_for):
    """The same walk over a small demo workspace, with ids 1–3 that exist in most tables."""
    from datetime import UTC, datetime

    from accord.accounts.models import User
    from accord.demo.generator import generate_workspace

    generate_workspace(contacts=120, seed=3, now=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    admin_api = api_client_for(User.objects.get(username="admin"))
    failures: list[tuple[Any, ...]] = []
    seen: set[int] = set()
    for method, path in _operations(admin_api):
        if "{" not in path or method == "delete":
            continue
        for ident in ("1", "2", "3"):
            url = _fill(path, ident)
            bodies: list[bytes | None] = [None] if method == "get" else list(BAD_BODIES)
            for body in bodies:
                if body is None:
                    resp = admin_api.get(url)
                else:
                    resp = getattr(admin_api, method)(url, body, content_type="application/json")
                seen.add(resp.status_code)
                if resp.status_code >= 500:
                    failures.append((method.upper(), url, body[:40] if body else None, resp.status_code))
    assert failures == []
    assert {200, 422} <= seen, seen
