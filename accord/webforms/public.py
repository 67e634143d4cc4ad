"""Public pages of forms: the hosted (and embeddable) form, its thanks page, the double opt-in
confirmation and the gated asset download. No login; docs/forms.md explains the design.

These pages run inside an ``<iframe>`` on customers' sites, so they are ``xframe_options_exempt``
and cannot use Accord's session or CSRF cookies: a post is accepted with a signed, timestamped
form token (:mod:`accord.webforms.tokens`) instead, plus the honeypot and the per-IP rate limit.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from typing import Any

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.core.errors import Invalid
from accord.webforms import submit, tokens
from accord.webforms.models import FieldType, Form, FormField, Submission, SubmissionStatus

HONEYPOT = "website_url"
HIDDEN = ("page_url", "referrer", "aid", *submit.UTM_KEYS)
EMBED_JS = Path(__file__).resolve().parent / "static" / "webforms" / "embed.js"


def _embed(request: HttpRequest) -> bool:
    return request.GET.get("embed") == "1" or request.POST.get("embed") == "1"


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("embed", _embed(request))
    response = render(request, f"webforms/public/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


def _with_embed(url: str, request: HttpRequest) -> str:
    return url + ("?embed=1" if _embed(request) else "")


def _visit(request: HttpRequest, hidden: dict[str, str]) -> submit.Visit:
    return submit.Visit(
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", ""),
        page_url=hidden.get("page_url", ""),
        referrer=hidden.get("referrer", ""),
        anonymous_id=hidden.get("aid", "") or request.COOKIES.get("accord_aid", ""),
        utm={k: hidden.get(k, "") for k in submit.UTM_KEYS},
    )


def _rows(fields: list[FormField], values: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    rows = []
    for f in fields:
        raw = values.get(f.name, "") if values else ""
        rows.append(
            {
                "field": f,
                "name": f.name,
                "input_type": f.type if f.type in (FieldType.EMAIL, FieldType.TEL) else "text",
                "value": raw,
                "checked": f.type == FieldType.CHECKBOX and raw in ("1", "on", "true", "yes"),
                "errors": errors.get(f.name, []),
            }
        )
    return rows


def _form_page(
    request: HttpRequest,
    form: Form,
    hidden: dict[str, str],
    *,
    values: Any = None,
    errors: dict[str, list[str]] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    fields = list(form.fields.all())
    return _render(
        request,
        "form.html",
        {
            "form": form,
            "rows": _rows(fields, values, errors),
            "hidden": hidden,
            "token": tokens.make("form", form.pk),
            "honeypot": HONEYPOT,
            "wording": form.consent_versions.first() if form.consent_required else None,
            "consent_checked": bool(values and values.get("consent")),
            "consent_errors": errors.get("consent", []),
            "message": message,
        },
        status=status,
    )


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest, slug: str) -> HttpResponse:
    form = get_object_or_404(Form, slug=slug)
    if request.method == "GET":
        hidden = {k: request.GET.get(k, "")[:2000] for k in submit.UTM_KEYS}
        if _embed(request):  # the embed script passes what the host page knows
            hidden |= {k: request.GET.get(k, "")[:2000] for k in ("page_url", "referrer", "aid")}
        else:
            hidden["page_url"] = request.build_absolute_uri()[:2000]
            hidden["referrer"] = request.headers.get("Referer", "")[:2000]
            hidden["aid"] = request.COOKIES.get("accord_aid", "")[:200]
        if not form.is_active:
            return _render(request, "closed.html", {"form": form}, status=410)
        return _form_page(request, form, hidden)

    hidden = {k: request.POST.get(k, "") for k in HIDDEN}
    try:
        valid_token = tokens.read("form", request.POST.get("token", ""), tokens.FORM_TOKEN_AGE) == form.pk
    except tokens.Expired:
        valid_token = False
    if not valid_token:
        message = (
            "This form was open for too long or did not come from this site. Please check and send it again."
        )
        return _form_page(request, form, hidden, values=request.POST, message=message, status=400)
    try:
        outcome = submit.submit(
            form,
            request.POST.dict(),
            _visit(request, hidden),
            consent=request.POST.get("consent"),
            honeypot=request.POST.get(HONEYPOT, ""),
        )
    except Invalid as exc:
        return _form_page(
            request,
            form,
            hidden,
            values=request.POST,
            errors=exc.field_errors,
            message=exc.message,
            status=422,
        )
    except submit.Throttled as exc:
        return _render(request, "throttled.html", {"form": form, "message": exc.message}, status=429)
    except submit.Closed:
        return _render(request, "closed.html", {"form": form}, status=410)
    if outcome.submission is None:  # a bot filled the honeypot: look normal, keep nothing
        return _render(request, "thanks.html", {"form": form, "pending": False, "download_url": ""})
    if form.redirect_url and not outcome.pending_confirmation and not form.has_asset:
        return HttpResponseRedirect(form.redirect_url, status=303)
    thanks = reverse("webforms:thanks", args=[form.slug, tokens.make("thanks", outcome.submission.pk)])
    return HttpResponseRedirect(_with_embed(thanks, request), status=303)


def _submission(form: Form, purpose: str, token: str, max_age: Any) -> Submission:
    """The submission of ``form`` a token names; 404 for a token that is not genuine.
    Raises :class:`tokens.Expired` for a genuine but expired one."""
    sid = tokens.read(purpose, token, max_age)
    submission = Submission.objects.filter(pk=sid, form=form).select_related("form").first() if sid else None
    if submission is None:
        raise Http404("Unknown link")
    return submission


def _download_url(submission: Submission) -> str:
    if not submission.form.has_asset or submission.status != SubmissionStatus.CONFIRMED:
        return ""
    return reverse("webforms:download", args=[submission.form.slug, tokens.make("asset", submission.pk)])


@xframe_options_exempt
@require_GET
def thanks(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    form = get_object_or_404(Form, slug=slug)
    try:
        submission = _submission(form, "thanks", token, tokens.THANKS_TOKEN_AGE)
    except tokens.Expired:
        return _render(request, "thanks.html", {"form": form, "pending": False, "download_url": ""})
    return _render(
        request,
        "thanks.html",
        {
            "form": form,
            "pending": submission.status == SubmissionStatus.PENDING,
            "email": submission.email,
            "download_url": _download_url(submission),
            "link_hours": int(tokens.asset_link_age().total_seconds() // 3600),
        },
    )


@csrf_exempt  # the signed token in the URL is the capability; visitors have no Accord session
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET shows a confirm button (mail scanners that open links must not confirm for people);
    POST confirms. An expired link changes nothing and offers a new one."""
    form = get_object_or_404(Form, slug=slug)
    try:
        submission = _submission(form, "confirm", token, tokens.confirm_link_age())
    except tokens.Expired:
        return _render(request, "confirm_expired.html", {"form": form, "token": token}, status=410)
    if request.method == "GET":
        done = submission.status == SubmissionStatus.CONFIRMED
        context = {"form": form, "token": token, "submission": submission, "done": done}
        if done:
            context["download_url"] = _download_url(submission)
        return _render(request, "confirm.html", context)
    result, submission = submit.confirm(submission.pk)
    return _render(
        request,
        "confirm.html",
        {
            "form": form,
            "done": True,
            "just_confirmed": result == submit.ConfirmResult.CONFIRMED,
            "submission": submission,
            "download_url": _download_url(submission),
        },
    )


@csrf_exempt
@require_POST
def resend(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """ "Send me a new link": works with an expired (but genuine) confirmation token only."""
    form = get_object_or_404(Form, slug=slug)
    try:
        submission = _submission(form, "confirm", token, tokens.confirm_link_age())
    except tokens.Expired as exc:
        found = Submission.objects.filter(pk=exc.value, form=form).first()
        if found is None:
            raise Http404("Unknown link") from exc
        try:
            submit.request_new_confirmation(found.pk)
        except submit.Throttled as throttled:
            return _render(
                request, "throttled.html", {"form": form, "message": throttled.message}, status=429
            )
        return _render(request, "resent.html", {"form": form, "email": found.email})
    # still valid: nothing to resend, show the confirm page
    return _render(request, "confirm.html", {"form": form, "token": token, "submission": submission,
                                              "done": submission.status == SubmissionStatus.CONFIRMED})  # fmt: skip


@require_GET
def download(request: HttpRequest, slug: str, token: str) -> HttpResponseBase:
    form = get_object_or_404(Form, slug=slug)
    try:
        submission = _submission(form, "asset", token, tokens.asset_link_age())
    except tokens.Expired:
        return _render(request, "download_expired.html", {"form": form}, status=410)
    if submission.status != SubmissionStatus.CONFIRMED or not form.has_asset:
        raise Http404("Nothing to download")
    submit.record_download(submission)
    if form.asset_file:
        try:
            handle = form.asset_file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing") from exc
        name = Path(form.asset_file.name or "download").name
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        return response
    return HttpResponseRedirect(form.asset_url)


@functools.cache
def _embed_js() -> bytes:
    return EMBED_JS.read_bytes()


@require_GET
def embed_js(request: HttpRequest) -> HttpResponse:
    """``/forms/embed.js``: the embed script customers paste, at a URL that never changes."""
    response = HttpResponse(_embed_js(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
