"""Request hygiene that no single view should have to remember.

:class:`RefuseNulInQueryMiddleware`: a NUL character (``%00``) in a query string is never meaningful
text, and PostgreSQL refuses it in any string parameter ("A string literal cannot contain NUL"), so
a page that searches by ``?q=`` or saves a posted field read with ``request.POST.get`` would answer
500. It is refused here for every page (400) and the API (422 with its usual error body, naming the
fields), in the query string and in urlencoded form bodies. JSON bodies are checked by their schemas and the
ingest parser; multipart uploads by the views that stream them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

MESSAGE = "The request contains a NUL character (%00), which is not allowed in text."


class RefuseNulInQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = self._fields_with_nul(request)
        if fields:
            if request.path.startswith("/api/"):  # a validation error, in the API's usual body
                errors = {name: ["Must not contain NUL characters."] for name in fields}
                return JsonResponse(
                    {"code": "invalid", "message": MESSAGE, "field_errors": errors}, status=422
                )
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _fields_with_nul(request: HttpRequest) -> list[str]:
        found = []
        if "%00" in request.META.get("QUERY_STRING", ""):  # the only way a NUL reaches request.GET
            found += [
                k for k, values in request.GET.lists() if "\x00" in k or any("\x00" in v for v in values)
            ]
        # a urlencoded form body likewise (multipart uploads are left to their views' upload handlers)
        if request.content_type == "application/x-www-form-urlencoded" and b"%00" in request.body:
            found += [
                k for k, values in request.POST.lists() if "\x00" in k or any("\x00" in v for v in values)
            ]
        return [k.replace("\x00", "") or "(empty)" for k in dict.fromkeys(found)]
