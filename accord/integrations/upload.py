"""Refusing uploads larger than the import limit before they fill the disk."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading the request body once a file passes ``max_bytes`` (``exceeded`` says so).

    The view also refuses a ``Content-Length`` over the limit before reading anything; this
    handler covers bodies without one (chunked transfer encoding).
    """

    def __init__(self, request: HttpRequest, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None  # the next handler (memory or temporary file) builds the file
