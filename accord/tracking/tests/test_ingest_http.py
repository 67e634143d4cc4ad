"""The Segment HTTP endpoints: every endpoint, every limit, auth, CORS, replays and partial batches."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accord.tracking.actions import create_write_key, revoke_write_key
from accord.tracking.ingest.parse import MAX_BATCH_BYTES, MAX_EVENT_BYTES
from accord.tracking.models import Touchpoint, WriteKey
from accord.tracking.signals import touchpoints_ingested
from accord.tracking.tests.conftest import SegmentClient, basic, event

pytestmark = pytest.mark.django_db


def padded(body: dict, size: int) -> bytes:
    """``body`` serialised to exactly ``size`` bytes by padding properties.pad."""
    body = {**body, "properties": {**body.get("properties", {}), "pad": ""}}
    base = len(json.dumps(body).encode())
    body["properties"]["pad"] = "x" * (size - base)
    raw = json.dumps(body).encode()
    assert len(raw) == size
    return raw


# ---------------------------------------------------------------- endpoints
@pytest.mark.parametrize(
    ("endpoint", "fields", "name"),
    [
        ("identify", {"userId": "u1", "traits": {"plan": "pro"}}, ""),
        ("track", {"event": "Signed Up", "properties": {"plan": "pro"}}, "Signed Up"),
        ("page", {"name": "Pricing", "properties": {"path": "/pricing"}}, "Pricing"),
        ("screen", {"name": "Dashboard"}, "Dashboard"),
        ("group", {"groupId": "acme", "traits": {"name": "Acme"}}, ""),
        ("alias", {"previousId": "anon-1", "userId": "u1"}, ""),
    ],
)
def test_each_endpoint_stores_its_event(segment, endpoint, fields, name):
    body = {"messageId": f"m-{endpoint}", "anonymousId": "anon-1", **fields}
    response = segment.send(endpoint, body)
    assert response.status_code == 200, response.content
    assert response.json() == {"success": True}
    tp = Touchpoint.objects.get(message_id=f"m-{endpoint}")
    assert (tp.type, tp.name) == (endpoint, name)
    assert tp.write_key_id == WriteKey.objects.get().pk
    assert tp.context["ip"] == "127.0.0.1"


def test_stored_values_are_data(segment):
    hostile = "<script>alert(1)</script>'; DROP TABLE tracking_touchpoint; --"
    body = event(
        "page",
        name=hostile,
        properties={"q": hostile},
        context={"page": {"url": "javascript:alert(1)", "referrer": hostile}, "userAgent": hostile},
    )
    assert segment.send("page", body).status_code == 200
    tp = Touchpoint.objects.get()
    assert tp.name == hostile
    assert tp.properties["q"] == hostile
    assert tp.context["page"]["referrer"] == hostile
    assert tp.context["userAgent"] == hostile  # what the sender said is kept, not replaced


def test_import_endpoint_is_batch(segment):
    response = segment.send("import", {"batch": [event()]})
    assert response.json()["stored"] == 1


# ---------------------------------------------------------------- size limits
@pytest.mark.parametrize("endpoint", ["track", "identify", "page"])
def test_single_event_at_32kb_is_accepted_and_one_byte_more_refused(segment, endpoint):
    ok = padded(event(endpoint, messageId="at-limit"), MAX_EVENT_BYTES)
    assert segment.send(endpoint, None, raw=ok).status_code == 200
    too_big = padded(event(endpoint, messageId="over-limit"), MAX_EVENT_BYTES + 1)
    response = segment.send(endpoint, None, raw=too_big)
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert "32,769 bytes; the limit is 32,768 bytes (32 KB)" in response.json()["message"]
    assert list(Touchpoint.objects.values_list("message_id", flat=True)) == ["at-limit"]


def _batch_of_size(size: int, count: int = 20) -> bytes:
    events = [event(messageId=f"b{i}") for i in range(count)]
    body = {"batch": events, "sentAt": None}
    per = (size - len(json.dumps(body).encode())) // count
    for e in events:
        e["properties"] = {"pad": ""}
        e["properties"]["pad"] = "x" * max(0, per - len(json.dumps({"properties": {"pad": ""}})) - 2)
    raw = json.dumps(body).encode()
    missing = size - len(raw)
    events[0]["properties"]["pad"] += "x" * missing
    raw = json.dumps(body).encode()
    assert len(raw) == size
    return raw


def test_batch_at_500kb_is_accepted_and_one_byte_more_refused(segment):
    ok = _batch_of_size(MAX_BATCH_BYTES)
    response = segment.send("batch", None, raw=ok)
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 20
    Touchpoint.objects.all().delete()
    response = segment.send("batch", None, raw=_batch_of_size(MAX_BATCH_BYTES + 1))
    assert response.status_code == 400
    assert "The batch is 512,001 bytes; the limit is 512,000 bytes (500 KB)" in response.json()["message"]
    assert not Touchpoint.objects.exists()


def test_declared_content_length_over_the_limit_is_refused_before_reading(segment):
    response = segment.send("track", event(), headers={"Content-Length": str(MAX_EVENT_BYTES + 1)})
    assert response.status_code == 400


def test_event_over_32kb_in_a_batch_is_rejected_alone(segment):
    def sized(message_id: str, size: int) -> dict:
        e = event(messageId=message_id, properties={"pad": ""})
        compact = len(json.dumps(e, separators=(",", ":")).encode())
        e["properties"]["pad"] = "x" * (size - compact)
        return e

    body = {
        "batch": [
            sized("fits", MAX_EVENT_BYTES),
            sized("too-big", MAX_EVENT_BYTES + 1),
            event(messageId="small"),
        ]
    }
    response = segment.send("batch", body)
    assert response.status_code == 200
    data = response.json()
    assert data["stored"] == 2
    assert data["rejected"] == [
        {
            "index": 1,
            "messageId": "too-big",
            "reason": "the event is 32,769 bytes; the limit is 32,768 bytes (32 KB)",
        }
    ]
    assert set(Touchpoint.objects.values_list("message_id", flat=True)) == {"fits", "small"}


# ---------------------------------------------------------------- malformed input
@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"not json",
        b'{"a": NaN}',
        b"\xff\xfe",
        b'{"a": 1e999}',
        b"",
        b'{"a": "\\ud800"}',
        b'{"a": -Infinity}',
    ],
)
def test_malformed_json_is_a_clear_400(segment, raw):
    response = segment.send("track", None, raw=raw)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert response.json()["message"].startswith("The request body is not valid JSON")
    assert response.json()["success"] is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"event": "x"}, "anonymousId or userId is required"),
        ({"event": "x", "anonymousId": "", "userId": None}, "anonymousId or userId is required"),
        ({"anonymousId": "a"}, "track needs an event name"),
        ({"event": "x", "anonymousId": {"a": 1}}, "anonymousId must be a string"),
        ({"event": "x", "anonymousId": "a", "properties": [1]}, "properties must be a JSON object"),
        ({"event": "x", "anonymousId": "a", "timestamp": "yesterday"}, "timestamp is not an ISO-8601"),
        ({"event": "x", "anonymousId": "a" * 201}, "anonymousId is longer than 200"),
        ({"event": "x", "anonymousId": "a", "properties": {"k": "a\u0000b"}}, "NUL character"),
    ],
)
def test_invalid_single_event_is_a_400(segment, body, message):
    response = segment.send("track", body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_event"
    assert message in response.json()["message"]
    assert not Touchpoint.objects.exists()


def test_single_endpoint_needs_an_object(segment):
    assert segment.send("track", [event()]).json()["code"] == "invalid_event"


@pytest.mark.parametrize("body", [{"batch": "x"}, {"events": []}, [event()], {"batch": [], "context": 3}])
def test_batch_shape_is_checked(segment, body):
    response = segment.send("batch", body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_batch"


def test_batch_with_bad_events_stores_the_others_and_reports_each(segment):
    body = {
        "batch": [
            event(messageId="good-1"),
            event(messageId="no-ids", anonymousId=None),
            "not an object",
            event(messageId="good-2", type="page"),
            event(messageId="bad-type", type="purchase"),
            event(messageId="nul", properties={"k": "\u0000"}),
            event(messageId="good-3", type="identify", userId="u9"),
        ]
    }
    response = segment.send("batch", body)
    assert response.status_code == 200
    data = response.json()
    assert data["success"] is True
    assert data["stored"] == 3
    assert [(r["index"], r["messageId"]) for r in data["rejected"]] == [
        (1, "no-ids"), (2, None), (4, "bad-type"), (5, "nul")
    ]  # fmt: skip
    assert "anonymousId or userId is required" in data["rejected"][0]["reason"]
    assert set(Touchpoint.objects.values_list("message_id", flat=True)) == {"good-1", "good-2", "good-3"}


def test_missing_message_id_is_generated_and_noted(segment):
    body = event()
    del body["messageId"]
    assert segment.send("track", body).status_code == 200
    tp = Touchpoint.objects.get()
    assert len(tp.message_id) == 32
    assert tp.notes == {"message_id_generated": True}


def test_gzip_bodies_are_accepted(segment):
    raw = gzip.compress(json.dumps({"batch": [event(), event()]}).encode())
    response = segment.send("batch", None, raw=raw, headers={"Content-Encoding": "gzip"})
    assert response.json()["stored"] == 2
    bomb = gzip.compress(b'{"batch": [' + b" " * (MAX_BATCH_BYTES + 10) + b"]}")
    response = segment.send("batch", None, raw=bomb, headers={"Content-Encoding": "gzip"})
    assert response.status_code == 400
    assert "decompressed" in response.json()["message"]
    response = segment.send("batch", None, raw=b"garbage", headers={"Content-Encoding": "gzip"})
    assert response.json()["code"] == "malformed_body"


# ---------------------------------------------------------------- idempotency
def test_replayed_batch_does_not_duplicate(segment):
    body = {"batch": [event(messageId=f"r{i}") for i in range(50)]}
    first = segment.send("batch", body).json()
    again = segment.send("batch", body).json()
    assert (first["stored"], first["duplicates"]) == (50, 0)
    assert (again["stored"], again["duplicates"]) == (0, 50)
    assert Touchpoint.objects.count() == 50


def test_repeated_message_id_within_a_batch_is_stored_once(segment):
    body = {"batch": [event(messageId="same", event="First"), event(messageId="same", event="Second")]}
    assert segment.send("batch", body).json() == {
        "success": True,
        "stored": 1,
        "duplicates": 1,
        "rejected": [],
    }
    assert Touchpoint.objects.get().name == "First"


def test_replayed_single_event_is_stored_once(segment):
    body = event(messageId="once")
    assert segment.send("track", body).status_code == 200
    assert segment.send("track", body).status_code == 200
    assert Touchpoint.objects.count() == 1


# ---------------------------------------------------------------- timestamps
def test_sent_at_corrects_the_senders_clock(segment):
    skew = timedelta(hours=3)  # the sender's clock is 3 hours fast
    now = timezone.now()
    happened = now - timedelta(minutes=10)
    body = {"batch": [event(timestamp=(happened + skew).isoformat())], "sentAt": (now + skew).isoformat()}
    segment.send("batch", body)
    tp = Touchpoint.objects.get()
    assert abs(tp.occurred_at - happened) < timedelta(seconds=5)
    assert tp.notes == {}


def test_per_event_sent_at_wins_over_the_batch(segment):
    now = timezone.now()
    body = {
        "batch": [event(timestamp="2020-01-01T00:00:00Z", sentAt="2020-01-01T00:00:00Z")],
        "sentAt": "1999-01-01T00:00:00Z",
    }
    segment.send("batch", body)
    assert abs(Touchpoint.objects.get().occurred_at - now) < timedelta(seconds=5)


def test_future_timestamp_is_clamped_to_received_time(segment):
    future = "2999-01-01T00:00:00+00:00"
    before = timezone.now()
    segment.send("track", event(timestamp=future))
    tp = Touchpoint.objects.get()
    assert tp.occurred_at == tp.received_at
    assert tp.received_at >= before
    assert tp.notes == {"timestamp_clamped_from": future}


def test_small_future_skew_without_sent_at_is_tolerated(segment):
    soon = timezone.now() + timedelta(minutes=2)
    segment.send("track", event(timestamp=soon.isoformat()))
    assert Touchpoint.objects.get().occurred_at == soon


def test_old_timestamp_is_accepted_and_flagged_stale(segment):
    segment.send("track", event(timestamp="2001-09-09T01:46:40Z"))
    tp = Touchpoint.objects.get()
    assert tp.occurred_at == datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC)
    assert tp.notes == {"stale": True}


def test_naive_timestamp_is_utc_and_missing_is_received_time(segment):
    segment.send(
        "batch",
        {"batch": [event(messageId="naive", timestamp="2026-01-02T03:04:05"), event(messageId="none")]},
    )
    naive = Touchpoint.objects.get(message_id="naive")
    assert naive.occurred_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    none = Touchpoint.objects.get(message_id="none")
    assert none.occurred_at == none.received_at


# ---------------------------------------------------------------- auth
def test_missing_key_is_401(write_key):
    response = SegmentClient(None).send("track", event())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="tracking"'
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize("auth", ["Basic !!!", basic("wk_wrong_key_0123456789abc"), basic("")])
def test_bad_key_is_401(write_key, auth):
    response = SegmentClient(None).send("track", event(), headers={"Authorization": auth})
    assert response.status_code == 401
    assert not Touchpoint.objects.exists()


def test_revoked_key_is_401(segment):
    revoke_write_key(WriteKey.objects.get())
    assert segment.send("track", event()).status_code == 401


def test_write_key_in_the_body_is_accepted(write_key):
    response = SegmentClient(None).send("batch", {"batch": [event()], "writeKey": write_key})
    assert response.status_code == 200
    assert Touchpoint.objects.count() == 1


@pytest.mark.parametrize("query", ["?writeKey=x", "?write_key=x", "?api_key=x", "?KEY=x"])
def test_key_in_the_query_string_is_refused_even_with_a_valid_header(segment, query):
    response = segment.send("track", event(), query=query)
    assert response.status_code == 400
    assert response.json()["code"] == "write_key_in_url"
    assert not Touchpoint.objects.exists()


def test_key_use_is_recorded(segment):
    segment.send("track", event())
    assert WriteKey.objects.get().last_used_at is not None


def test_each_key_is_separate(segment):
    other = create_write_key("Other")
    SegmentClient(other.secret).send("track", event())
    assert Touchpoint.objects.get().write_key_id == other.key.pk


# ---------------------------------------------------------------- HTTP details
def test_get_is_405(segment):
    response = segment.get("/v1/track")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"


def test_cors_preflight_and_origin(segment):
    response = segment.options("/v1/page", headers={"Origin": "https://www.example.com"})
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    response = segment.send("page", event("page"), headers={"Origin": "https://www.example.com"})
    assert response["Access-Control-Allow-Origin"] == "https://www.example.com"


def test_text_plain_body_as_browsers_send_it(write_key):
    client = SegmentClient(None)
    body = json.dumps({**event("page"), "writeKey": write_key})
    response = client.post("/v1/page", body, content_type="text/plain")
    assert response.status_code == 200


def test_downstream_signal_after_commit(segment, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kw):
        received.append(kw)

    touchpoints_ingested.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            segment.send("batch", {"batch": [event("identify", traits={"email": "a@b.co"}), event("page")]})
    finally:
        touchpoints_ingested.disconnect(receiver)
    assert len(received) == 1
    assert received[0]["event_types"] == ["identify", "page"]
    assert received[0]["stored"] == 2
    assert len(received[0]["contact_ids"]) == 1
