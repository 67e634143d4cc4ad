"""Errors raised by actions, with what a page or the API needs to report them precisely.

The API turns an :class:`ActionError` into ``{"code", "message", "field_errors"}`` with
``status``; pages show ``message`` and ``field_errors`` beside the form fields.
"""

from __future__ import annotations


class ActionError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, field_errors: dict[str, list[str]] | None = None, code: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        if code:
            self.code = code


class Invalid(ActionError):
    status = 422
    code = "invalid"


class Conflict(ActionError):
    status = 409
    code = "conflict"


class NotFound(ActionError):
    status = 404
    code = "not_found"


class Forbidden(ActionError):
    status = 403
    code = "forbidden"


def from_django_validation(exc: Exception, message: str = "Some fields are not valid.") -> Invalid:
    """Wrap a django ``ValidationError`` into :class:`Invalid` keeping per-field messages."""
    field_errors: dict[str, list[str]] = {}
    if hasattr(exc, "message_dict"):
        field_errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    elif hasattr(exc, "messages"):
        field_errors = {"__all__": [str(m) for m in exc.messages]}
    return Invalid(message, field_errors=field_errors)
