"""The Segment HTTP Tracking API: ``POST /v1/{identify,track,page,screen,group,alias,batch}``.

Plain Django views (no ninja) because this is the hot path: the body's size is checked before it
is read, it is parsed once with ``orjson.loads``, events are checked by hand-written functions, and
the response (``{"success": true}`` like Segment's) is sent only after the transaction committed.

Authentication is the write key, as Segment libraries send it: the HTTP Basic username (password
empty), or the ``writeKey`` field of the JSON body (what browsers use, since ``sendBeacon`` cannot
set headers). A key in the URL's query string is refused (400): URLs end up in logs and Referer
headers. CORS is open to any origin, since any website may embed the snippet; no cookies or
credentials are read from the request.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from accord.tracking.actions import authenticate_write_key
from accord.tracking.ingest.clock import Clock
from accord.tracking.ingest.parse import (
    MAX_BATCH_BYTES,
    MAX_EVENT_BYTES,
    RequestError,
    check_size,
    holds_nul,
    load_json,
    parse_batch,
    parse_single,
)
from accord.tracking.ingest.store import store_events
from accord.tracking.models import WriteKey

KEY_QUERY_PARAMS = frozenset({"writekey", "write_key", "key", "api_key", "apikey", "token", "access_token"})
CORS_MAX_AGE = "86400"


def _cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    origin = request.headers.get("Origin")
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    response = JsonResponse({"success": False, "code": code, "message": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="tracking"'
    return _cors(request, response)


def _preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type, Authorization, Content-Encoding"
    response["Access-Control-Max-Age"] = CORS_MAX_AGE
    return _cors(request, response)


def _refuse_key_in_url(request: HttpRequest) -> None:
    found = sorted(name for name in request.GET if name.lower() in KEY_QUERY_PARAMS)
    if found:
        raise RequestError(
            400,
            "write_key_in_url",
            "Write keys must be sent as the HTTP Basic username or the 'writeKey' field of the JSON body, "
            f"never in the URL (found: {', '.join(found)}). Revoke the key if it was a real one.",
        )


def _read_body(request: HttpRequest, limit: int, what: str) -> bytes:
    """The body, refusing more than ``limit`` bytes before reading it when Content-Length says so."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    check_size(declared, limit, what)
    body = request.body if hasattr(request, "_body") else request.read(limit + 1)
    check_size(len(body), limit, what)
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("gzip", "deflate"):
        try:
            inflater = zlib.decompressobj(wbits=31 if encoding == "gzip" else 15)
            body = inflater.decompress(body, limit + 1)
        except (zlib.error, gzip.BadGzipFile) as exc:
            raise RequestError(
                400, "malformed_body", f"The {encoding} body could not be decompressed."
            ) from exc
        check_size(len(body), limit, f"{what} (decompressed)")
    elif encoding not in ("", "identity"):
        raise RequestError(400, "unsupported_encoding", f"Content-Encoding {encoding!r} is not supported.")
    return body


def _basic_username(request: HttpRequest) -> str | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[0]


def _authenticate(secret: str | None) -> WriteKey:
    if not secret:
        raise RequestError(
            401,
            "unauthorized",
            "A write key is required: send it as the HTTP Basic username or as 'writeKey' in the JSON body.",
        )
    key = authenticate_write_key(secret)
    if key is None:
        raise RequestError(401, "unauthorized", "The write key is not valid or has been revoked.")
    return key


def _enrich_context(request: HttpRequest, events: list[Any]) -> None:
    """Like Segment, fill ``context.ip`` and ``context.userAgent`` from the request when the sender
    did not. Both are stored as data, never trusted for anything."""
    ip = request.META.get("REMOTE_ADDR", "")
    agent = request.headers.get("User-Agent", "")[:512]
    for e in events:
        if "ip" not in e.context and ip:
            e.context["ip"] = ip
        if "userAgent" not in e.context and agent:
            e.context["userAgent"] = agent


def _ingest(request: HttpRequest, kind: str) -> HttpResponse:
    _refuse_key_in_url(request)
    is_batch = kind == "batch"
    limit = MAX_BATCH_BYTES if is_batch else MAX_EVENT_BYTES
    header_key = _basic_username(request)
    key = _authenticate(header_key) if header_key is not None else None
    body = _read_body(request, limit, "The batch" if is_batch else "The event")
    payload = load_json(body)
    if key is None:
        body_key = payload.get("writeKey") if isinstance(payload, dict) else None
        key = _authenticate(body_key if isinstance(body_key, str) else None)
    received_at = timezone.now()
    clock = Clock(received_at)
    may_hold_nul = b"\\u0000" in body
    if is_batch:
        events, rejected = parse_batch(payload, clock=clock, body_may_hold_nul=may_hold_nul)
    else:
        event = parse_single(payload, kind=kind, clock=clock)
        if may_hold_nul and holds_nul(event):
            raise RequestError(
                400, "invalid_event", "The event contains a NUL character (\\u0000), which cannot be stored."
            )
        events, rejected = [event], []
    _enrich_context(request, events)
    result = store_events(events, write_key_id=key.pk, received_at=received_at, may_merge=key.may_merge)
    data: dict[str, Any] = {"success": True}
    if is_batch:
        data.update(
            stored=result.stored,
            duplicates=result.duplicates,
            rejected=[r.as_dict() for r in rejected],
        )
    return _cors(request, JsonResponse(data))


def _endpoint(kind: str) -> Any:
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "OPTIONS":
            return _preflight(request)
        if request.method != "POST":
            response = _error(
                request, 405, "method_not_allowed", f"{request.method} is not allowed; use POST."
            )
            response["Allow"] = "POST, OPTIONS"
            return response
        try:
            return _ingest(request, kind)
        except RequestError as exc:
            return _error(request, exc.status, exc.code, exc.message)

    view.__name__ = view.__qualname__ = f"ingest_{kind}"
    return view


identify = _endpoint("identify")
track = _endpoint("track")
page = _endpoint("page")
screen = _endpoint("screen")
group = _endpoint("group")
alias = _endpoint("alias")
batch = _endpoint("batch")
