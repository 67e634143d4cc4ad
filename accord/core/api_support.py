"""What every API router shares: the error body, the exception handlers and pagination.

Every error the API returns has one shape, :class:`ErrorOut`::

    {"code": "invalid", "message": "Some fields are not valid.", "field_errors": {"email": ["..."]}}

``field_errors`` is keyed by the field's path in the request (``email``, ``properties.plan``,
``page_size``); ``__all__`` holds errors about the request as a whole.

This module is generic: it knows Django, ninja, pydantic and :mod:`accord.core`, and no app.
Apps register their own exceptions with :func:`register_error`.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from django.core import signals
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext
from ninja.parser import Parser
from ninja.types import DictStrAny
from pydantic import AfterValidator, field_validator

from accord.core.dates import EARLIEST_DATE, LATEST_DATE
from accord.core.errors import ActionError, from_django_validation

logger = logging.getLogger("accord.api")

NON_FIELD = "__all__"
# The largest value a database id (bigint) can hold; bigger ids are refused as invalid input.
MAX_ID = 2**63 - 1
# Pages beyond this are refused, so an offset can never overflow the database's integer.
MAX_PAGE = 1_000_000
# Date-times the API takes lie within these years (core.dates), both as sent and in UTC: converting
# one to UTC (Django does on every save and filter) or adding days to one later never leaves Python's range.
MIN_YEAR = EARLIEST_DATE.year
MAX_YEAR = LATEST_DATE.year

STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "throttled",
}


class ErrorOut(Schema):
    """The body of every error response."""

    code: str = Field(description="Stable, machine-readable error code, e.g. `invalid` or `duplicate_email`.")
    message: str = Field(description="A sentence for people.")
    field_errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per request field (`__all__` for the whole request)."
    )


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries documenting the error body for ``statuses`` in OpenAPI."""
    return dict.fromkeys(statuses, ErrorOut)


# ------------------------------------------------------------------ input types
def _reject_nul(value: Any) -> Any:
    """NUL characters cannot be stored by PostgreSQL; refuse them anywhere in the input."""
    pending = [value]  # a loop, not recursion: nesting depth is the client's choice
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("Must not contain NUL characters.")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


CleanStr = Annotated[str, AfterValidator(_reject_nul)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_reject_nul)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _bounded_datetime(value: datetime) -> datetime:
    """An aware datetime within MIN_YEAR..MAX_YEAR; a value without a zone is UTC.

    The value keeps the offset it was sent with (mentions derive their ids from it); only the
    check converts it to UTC, where an offset near the ends of the range overflows.
    """
    if value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        in_utc = None
    if in_utc is None or not (MIN_YEAR <= value.year <= MAX_YEAR and MIN_YEAR <= in_utc.year <= MAX_YEAR):
        raise ValueError(f"Use a date and time between the years {MIN_YEAR} and {MAX_YEAR}.")
    return value


# Every date-time in API input (bodies and query parameters): ISO 8601, without a zone meaning UTC.
ApiDateTime = Annotated[datetime, AfterValidator(_bounded_datetime)]


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("Must not be null.")
    return value


def not_null(*fields: str) -> Any:
    """A validator for a partial-update schema: ``fields`` may be left out, but not sent as null.

    Use in the class body: ``_not_null = not_null("name", "email")``.
    """
    return field_validator(*fields, mode="before")(_refuse_null)


def model_max_length(model: type[Model], field_name: str) -> int:
    """``max_length`` of a model's text field, so input limits never drift from the schema."""
    length = getattr(model._meta.get_field(field_name), "max_length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{field_name} has no max_length")
    return length


# ------------------------------------------------------------------ pagination
T = TypeVar("T")


class PageParams(Schema):
    """``page`` and ``page_size`` query parameters; inherit to add a list endpoint's filters."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number.")
    page_size: int | None = Field(
        None,
        description="Items per page; default ACCORD_API_PAGE_SIZE (50), at most ACCORD_API_MAX_PAGE_SIZE (500).",
    )

    @field_validator("page_size")
    @classmethod
    def _within_limit(cls, value: int | None) -> int | None:
        limit = settings.ACCORD_API_MAX_PAGE_SIZE
        if value is not None and not 1 <= value <= limit:
            raise ValueError(f"Must be between 1 and {limit}.")
        return value

    @property
    def size(self) -> int:
        return self.page_size or settings.ACCORD_API_PAGE_SIZE


class Page(Schema, Generic[T]):
    """One page of a list. A page past the end has no items (and is not an error)."""

    items: list[T]
    count: int = Field(description="Number of items matching the filters, on all pages.")
    page: int
    page_size: int
    next: str | None = Field(description="URL of the next page, or null on the last page.")
    previous: str | None = Field(description="URL of the previous non-empty page, or null on the first.")


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(request: HttpRequest, queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    """Slice an ordered ``queryset`` into the :class:`Page` for ``params``.

    ``previous`` on a page past the end points at the last page that has items.
    """
    size = params.size
    count = queryset.count()
    last_page = max(1, math.ceil(count / size))
    offset = (params.page - 1) * size
    items = list(queryset[offset : offset + size]) if offset < count else []
    return {
        "items": items,
        "count": count,
        "page": params.page,
        "page_size": size,
        "next": _page_url(request, params.page + 1) if params.page < last_page else None,
        "previous": _page_url(request, min(params.page - 1, last_page)) if params.page > 1 else None,
    }


# ------------------------------------------------------------------ request parsing
class MalformedJSON(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise MalformedJSON(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise MalformedJSON(f"number {text} is out of range")
    return value


class StrictJSONParser(Parser):
    """Standard JSON only: NaN, Infinity and overflowing numbers are malformed input, not data."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        try:
            data = json.loads(request.body, parse_constant=_reject_constant, parse_float=_finite_float)
        except MalformedJSON:
            raise
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, huge ints
            raise MalformedJSON(str(exc)) from exc
        return data


# ------------------------------------------------------------------ error responses
def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    field_errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {"code": code, "message": message, "field_errors": field_errors or {}}
    return api.create_response(request, body, status=status)


def _loc_to_field(loc: Sequence[Any]) -> str:
    path = [str(part) for part in loc[1:]]  # loc[0] is the source: body, query, path, header
    return ".".join(path) or NON_FIELD


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if tuple(error.get("loc", ())) == ("body",):
        return "A JSON object is required as the request body."
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "missing":
        return "This field is required."
    msg = str(error.get("msg", "Not valid."))
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg


def field_errors_from(errors: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Turn ninja's validation errors into ``{"field.path": [messages]}``."""
    result: dict[str, list[str]] = {}
    for error in errors:
        messages = result.setdefault(_loc_to_field(error.get("loc", ())), [])
        message = _message(error)
        if message not in messages:
            messages.append(message)
    return result


def register_error(
    api: NinjaAPI, exc_class: type[Exception], status: int, code: str, field: str | None = None
) -> None:
    """Report ``exc_class`` as ``status``/``code`` with ``str(exc)`` as the message."""

    def handler(request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc)
        return error_response(api, request, status, code, message, {field: [message]} if field else None)

    api.add_exception_handler(exc_class, handler)


def _install_handlers(api: NinjaAPI) -> None:
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            api, request, 422, "invalid", "Some fields are not valid.", field_errors_from(exc.errors)
        )

    def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.field_errors)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, MalformedJSON):
            message = f"The request body is not valid JSON ({exc.__cause__})."
            return error_response(api, request, 400, "malformed_json", message)
        code = STATUS_CODES.get(exc.status_code, "error")
        return error_response(api, request, exc.status_code, code, exc.message)

    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = "A valid API key is required, sent as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'."
        response = error_response(api, request, 401, "unauthorized", message)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "Not found.")

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return on_action_error(request, from_django_validation(exc))

    def on_django_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", str(exc) or "You may not do this.")

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Called inside ninja's except block: log like Django would and let the test client see it.
        logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
        signals.got_request_exception.send(sender=None, request=request)
        return error_response(api, request, 500, "server_error", "Something went wrong on our side.")

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (Exception, on_unexpected),
        (ValidationError, on_validation),
        (ActionError, on_action_error),
        (HttpError, on_http_error),
        (AuthenticationError, on_auth_error),
        (Http404, on_404),
        (DjangoValidationError, on_django_validation),
        (DjangoPermissionDenied, on_django_denied),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


# ------------------------------------------------------------------ the API class
class AccordNinjaAPI(NinjaAPI):
    """A NinjaAPI whose every error, including unknown URLs and wrong methods, is an :class:`ErrorOut`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parser", StrictJSONParser())
        super().__init__(**kwargs)

    def set_default_exception_handlers(self) -> None:
        _install_handlers(self)

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        # A single body schema is read into one argument (e.g. ``payload``); leave its name out
        # of the error locations so they name the request's own fields.
        error = super().validation_error_from_error_contexts(error_contexts)
        single = {
            ctx.model.__ninja_param_source__: getattr(ctx.model, "__read_from_single_attr__", None)
            for ctx in error_contexts
        }.get("body")
        if single:
            for item in error.errors:
                loc = tuple(item["loc"])
                if loc[:2] == ("body", single):
                    item["loc"] = ("body", *loc[2:])
        return error

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        wrapped: list[URLResolver | URLPattern] = [
            URLPattern(p.pattern, self._json_not_allowed(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in patterns
        ]
        wrapped.append(re_path(r"^", csrf_exempt(self._unknown_endpoint), name="unknown-endpoint"))
        return wrapped, app_name, namespace

    def _json_not_allowed(self, view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)  # keeps csrf_exempt
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                message = f"{request.method} is not allowed here; use {allowed}."
                json_response = error_response(self, request, 405, "method_not_allowed", message)
                json_response["Allow"] = allowed
                return json_response
            return response

        return wrapper

    def _unknown_endpoint(self, request: HttpRequest) -> HttpResponse:
        return error_response(self, request, 404, "not_found", f"There is no API endpoint at {request.path}.")
