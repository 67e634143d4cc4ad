"""REST endpoints of the webforms app, mounted by ``accord/api.py`` under ``/api/forms``.

Team endpoints need an API key and the FORM permission. ``POST /api/forms/f/{slug}/submit`` is
public (no key): the JSON twin of the hosted form, with the same validation, honeypot and rate limit.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status

from accord.accounts.api_auth import api_user
from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, check
from accord.campaigns.models import Campaign
from accord.core.api_support import Page, PageParams, error_responses, paginate
from accord.core.errors import Invalid, NotFound
from accord.webforms import actions, submit, tokens
from accord.webforms.models import ConsentRecord, Form, Submission, SubmissionStatus
from accord.webforms.schemas import (
    FormCreate,
    FormOut,
    FormQuery,
    FormUpdate,
    SubmissionOut,
    SubmitIn,
    SubmitOut,
)

router = Router(tags=["Forms and gated content"])
READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def _check(user: User, action: Action, form: Form | None = None) -> None:
    check(user, action, Resource.FORM, form)


def _form(form_id: int) -> Form:
    form = Form.objects.filter(pk=form_id).annotate(submission_count=Count("submissions")).first()
    if form is None:
        raise NotFound(f"Form {form_id} does not exist.")
    return form


def _out(request: HttpRequest, form: Form) -> dict[str, Any]:
    wording = form.consent_versions.first()
    return {
        **{
            k: getattr(form, k)
            for k in (
                "id",
                "name",
                "slug",
                "title",
                "description",
                "owner_id",
                "consent_required",
                "newsletter_only",
                "double_opt_in",
                "default_campaign_id",
                "submit_label",
                "success_message",
                "redirect_url",
                "asset_url",
                "has_asset",
                "asset_name",
                "is_active",
                "created_at",
            )
        },  # fmt: skip
        "consent_version": wording.version if wording else None,
        "consent_text": wording.text if wording else "",
        "hosted_url": request.build_absolute_uri(form.get_public_url()),
        "submission_count": getattr(form, "submission_count", None) or form.submissions.count(),
        "fields": [
            {
                "target": f.target,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "help_text": f.help_text,
                "choices": f.choices,
                "name": f.name,
            }  # fmt: skip
            for f in form.fields.all()
        ],
    }


@router.get("", response={200: Page[FormOut], **error_responses(401, 403, 422)})
def list_forms(request: HttpRequest, query: Query[FormQuery]) -> dict[str, Any]:
    """Forms, newest first."""
    _check(api_user(request), Action.VIEW)
    forms = Form.objects.annotate(submission_count=Count("submissions")).prefetch_related(
        "fields", "consent_versions"
    )
    if query.q.strip():
        q = query.q.strip()
        forms = forms.filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(title__icontains=q))
    if query.status != "all":
        forms = forms.filter(is_active=query.status == "active")
    page = paginate(request, forms.order_by("-created_at", "-id"), query)
    page["items"] = [_out(request, f) for f in page["items"]]
    return page


def _action_values(data: dict[str, Any]) -> tuple[list[actions.FieldSpec] | None, dict[str, Any]]:
    """A create or update body as the form actions take it: field specs, and the settings with
    ``default_campaign_id`` turned into the campaign (only the keys present are passed on)."""
    if "default_campaign_id" in data:
        campaign_id = data.pop("default_campaign_id")
        campaign = None
        if campaign_id is not None:
            campaign = Campaign.objects.filter(pk=campaign_id).first()
            if campaign is None:
                raise Invalid(
                    "That campaign does not exist.",
                    field_errors={"default_campaign_id": ["Unknown campaign."]},
                )
        data["default_campaign"] = campaign
    specs = data.pop("fields", None)
    return (None if specs is None else [actions.FieldSpec(**f) for f in specs]), data


@router.post("", response={201: FormOut, **WRITE_ERRORS})
def create_form(request: HttpRequest, payload: FormCreate) -> Status[dict[str, Any]]:
    """Create a form with its fields; the key's user owns it. A consent text starts version 1."""
    user = api_user(request)
    _check(user, Action.ADD)
    fields, values = _action_values(payload.model_dump())
    form = actions.create_form(by=user, fields=fields or [], **values)
    return Status(201, _out(request, _form(form.pk)))


@router.get("/{int:form_id}", response={200: FormOut, **READ_ERRORS})
def get_form(request: HttpRequest, form_id: int) -> dict[str, Any]:
    form = _form(form_id)
    _check(api_user(request), Action.VIEW, form)
    return _out(request, form)


@router.patch("/{int:form_id}", response={200: FormOut, **WRITE_ERRORS})
def update_form(request: HttpRequest, form_id: int, payload: FormUpdate) -> dict[str, Any]:
    """Change the keys sent (the same ones `POST` takes, with the same checks); nothing changes
    when one is not valid. `fields` replaces the whole list; a changed `consent_text` becomes a
    new consent version (submissions keep the version they saw)."""
    user = api_user(request)
    form = _form(form_id)
    _check(user, Action.CHANGE, form)
    fields, values = _action_values(payload.model_dump(exclude_unset=True))
    actions.update_form(form, by=user, fields=fields, **values)
    return _out(request, _form(form.pk))


@router.delete("/{int:form_id}", response={204: None, **WRITE_ERRORS})
def delete_form(request: HttpRequest, form_id: int) -> Status[None]:
    """Delete a form that has no submissions. 409 `form_has_submissions` once it has some: their
    consent evidence must be kept, so close it instead (`POST /api/forms/{id}/close`)."""
    form = _form(form_id)
    _check(api_user(request), Action.DELETE, form)
    actions.delete_form(form)
    return Status(204, None)


@router.post("/{int:form_id}/close", response={200: FormOut, **WRITE_ERRORS})
def close_form(request: HttpRequest, form_id: int) -> dict[str, Any]:
    """Stop accepting submissions (`is_active: false`): the hosted page, the embed and the JSON
    submit endpoint answer 410. Submissions and consent evidence stay. Closing twice is harmless."""
    form = _form(form_id)
    _check(api_user(request), Action.CHANGE, form)
    actions.archive_form(form)
    return _out(request, _form(form.pk))


@router.post("/{int:form_id}/reopen", response={200: FormOut, **WRITE_ERRORS})
def reopen_form(request: HttpRequest, form_id: int) -> dict[str, Any]:
    """Accept submissions again (`is_active: true`). Reopening an open form is harmless."""
    form = _form(form_id)
    _check(api_user(request), Action.CHANGE, form)
    actions.reopen_form(form)
    return _out(request, _form(form.pk))


@router.get("/{int:form_id}/submissions", response={200: Page[SubmissionOut], **READ_ERRORS})
def list_submissions(request: HttpRequest, form_id: int, query: Query[PageParams]) -> dict[str, Any]:
    """A form's submissions, newest first."""
    form = _form(form_id)
    _check(api_user(request), Action.VIEW, form)
    qs = Submission.objects.filter(form=form).order_by("-submitted_at", "-id")
    page = paginate(request, qs, query)
    versions = dict(
        ConsentRecord.objects.filter(submission__in=[s.pk for s in page["items"]])
        .values_list("submission_id", "wording__version")
        .order_by()
    )
    page["items"] = [
        {
            **{
                k: getattr(s, k)
                for k in (
                    "id",
                    "form_id",
                    "status",
                    "email",
                    "contact_id",
                    "campaign_id",
                    "data",
                    "utm",
                    "page_url",
                    "referrer",
                    "ip",
                    "user_agent",
                    "submitted_at",
                    "confirmed_at",
                )
            },
            "consent_version": versions.get(s.pk),
        }  # fmt: skip
        for s in page["items"]
    ]
    return page


@router.post(
    "/f/{slug}/submit",
    auth=None,
    response={201: SubmitOut, **error_responses(400, 404, 410, 422, 429)},
)
def submit_form(request: HttpRequest, slug: str, payload: SubmitIn) -> Status[dict[str, Any]]:
    """Submit a form as a visitor (no API key). 422 with `field_errors` keyed by field name for
    missing required fields, a bad email or consent not given; 429 over the rate limit."""
    form = Form.objects.filter(slug=slug).first()
    if form is None:
        raise NotFound(f"There is no form {slug!r}.")
    visit = submit.Visit(
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", ""),
        page_url=payload.page_url,
        referrer=payload.referrer,
        anonymous_id=payload.anonymous_id,
        utm={k: getattr(payload, k) for k in submit.UTM_KEYS},
    )
    outcome = submit.submit(
        form, payload.values, visit, consent=payload.consent, honeypot=payload.website_url
    )
    s = outcome.submission
    if outcome.pending_confirmation:
        return Status(
            201, {"status": "pending_confirmation", "message": "Check your inbox to confirm your email."}
        )
    download = ""
    if s is not None and form.has_asset and s.status == SubmissionStatus.CONFIRMED:
        download = request.build_absolute_uri(
            reverse("webforms:download", args=[form.slug, tokens.make("asset", s.pk)])
        )
    message = form.success_message or "Thank you."
    return Status(201, {"status": "received", "message": message, "download_url": download})
