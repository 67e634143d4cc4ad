"""Fixtures for the tracking tests: a write key and a client that posts Segment requests."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from django.test import Client

from accord.tracking.actions import create_write_key

WRITE_KEY = "wk_test_0123456789abcdefghij"


@pytest.fixture
def write_key(db: None) -> str:
    # a server-side key: identify/alias may merge (browser keys may not; see test_identity_resolution)
    return create_write_key("Test server", secret=WRITE_KEY, may_merge=True).secret


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


class SegmentClient(Client):
    """Posts JSON to /v1/<endpoint> with the write key as HTTP Basic username."""

    def __init__(self, key: str | None, **kw: Any) -> None:
        super().__init__(**kw)
        self.key = key

    def send(
        self,
        endpoint: str,
        body: Any,
        *,
        raw: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        query: str = "",
    ) -> Any:
        data = raw if raw is not None else json.dumps(body)
        hdrs = dict(headers or {})
        if self.key is not None:
            hdrs.setdefault("Authorization", basic(self.key))
        return self.post(f"/v1/{endpoint}{query}", data, content_type="application/json", headers=hdrs)


@pytest.fixture
def segment(write_key: str) -> SegmentClient:
    return SegmentClient(write_key)


def event(kind: str = "track", **fields: Any) -> dict[str, Any]:
    """A Segment event as a library would send it."""
    base: dict[str, Any] = {"type": kind, "messageId": str(uuid.uuid4()), "anonymousId": "anon-1"}
    if kind == "track":
        base["event"] = "Signed Up"
    base.update(fields)
    return base
