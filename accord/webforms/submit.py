"""The public side of a form: a visitor's submission, its double opt-in confirmation and the
gated asset download. Every write is one atomic change; signals and emails go after commit.

What a submission does (once confirmed, when the form uses double opt-in):

1. finds the contact by email (case-insensitive, current or earlier email) or creates it, through
   ``contacts.actions.upsert_contacts`` (rule ``form``); submitted values fill blank fields only;
2. moves the contact to at least *lead* (*subscriber* for newsletter-only forms), never backwards;
3. links the visitor's anonymous id, so page views recorded before join the contact;
4. records a ``form_submit`` touchpoint attributed to the campaign its UTM codes resolve to (or
   the form's default campaign);
5. after commit, sends ``tracking.signals.touchpoints_ingested`` so scoring and segments update.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accord.campaigns.utm import resolve_campaign
from accord.contacts.actions import (
    ContactTraits,
    add_identities,
    set_contact_stage,
    update_contact,
    upsert_contacts,
)
from accord.contacts.models import Contact, IdentityKind
from accord.core.errors import ActionError, Invalid
from accord.lifecycle.stages import OFF_FUNNEL, LifecycleStage, rank
from accord.tracking.actions import record_touchpoint
from accord.tracking.identity import Resolution, attach_earlier_touchpoints
from accord.tracking.models import EventType, Touchpoint
from accord.tracking.signals import touchpoints_ingested
from accord.webforms import tokens
from accord.webforms.fields import clean_values
from accord.webforms.models import (
    ConsentRecord,
    ConsentStatus,
    Form,
    Submission,
    SubmissionAttempt,
    SubmissionStatus,
)

log = logging.getLogger(__name__)
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
RATE_WINDOW = timedelta(minutes=10)


class Throttled(ActionError):
    status = 429
    code = "throttled"


class Closed(ActionError):
    status = 410
    code = "form_closed"


def rate_limit() -> int:
    return int(getattr(settings, "ACCORD_FORM_RATE_LIMIT", 5))


@dataclass
class Visit:
    """Where and how a submission was made (from the request and the form's hidden fields)."""

    ip: str | None = None
    user_agent: str = ""
    page_url: str = ""
    referrer: str = ""
    anonymous_id: str = ""
    utm: dict[str, str] = field(default_factory=dict)

    def clean(self) -> Visit:
        def cut(value: Any, limit: int) -> str:
            return str(value or "").replace("\x00", "").strip()[:limit]

        utm = {k: cut(self.utm.get(k), 100) for k in UTM_KEYS if cut(self.utm.get(k), 100)}
        page_url = cut(self.page_url, 2000)
        if page_url and not any(utm.values()):  # fill from the page URL's query
            query = parse_qs(urlsplit(page_url).query)
            utm = {k: cut(query[k][0], 100) for k in UTM_KEYS if query.get(k) and cut(query[k][0], 100)}
        return Visit(
            ip=self.ip or None,
            user_agent=cut(self.user_agent, 500),
            page_url=page_url,
            referrer=cut(self.referrer, 2000),
            anonymous_id=cut(self.anonymous_id, 200),
            utm=utm,
        )


@dataclass
class Outcome:
    submission: Submission | None  # None: caught by the honeypot, nothing stored
    pending_confirmation: bool = False


def _check_rate(form: Form, ip: str | None, now: datetime) -> None:
    if not ip:
        return
    since = now - RATE_WINDOW
    recent = SubmissionAttempt.objects.filter(form=form, ip=ip, at__gt=since).count()
    if recent >= rate_limit():
        raise Throttled(
            "Too many submissions from your network in the last 10 minutes. Please wait a few minutes "
            "and try again.",
        )


def submit(
    form: Form, raw: dict[str, Any], visit: Visit, *, consent: Any = None, honeypot: str = ""
) -> Outcome:
    """Take a visitor's submission of ``form``. Raises :class:`Invalid` (nothing written),
    :class:`Throttled` (rate limit) or :class:`Closed` (inactive form)."""
    if not form.is_active:
        raise Closed("This form no longer accepts submissions.")
    visit = visit.clean()
    now = timezone.now()
    if honeypot.strip():
        _check_rate(form, visit.ip, now)
        log.info("Honeypot filled on form %s from %s; nothing stored", form.pk, visit.ip)
        return Outcome(None)
    fields = list(form.fields.all())
    wording = form.consent_versions.first() if form.consent_required else None
    cleaned = clean_values(fields, raw, consent_required=form.consent_required, consent=consent)
    if form.consent_required and wording is None:
        raise Invalid("This form has no consent wording yet; it cannot be submitted.")
    with transaction.atomic():
        # One submission of a form at a time per database: the rate-limit count stays exact
        # with several web processes.
        locked = Form.objects.select_for_update().filter(pk=form.pk).first()
        if locked is None or not locked.is_active:  # closed or deleted while the visitor typed
            raise Closed("This form no longer accepts submissions.")
        _check_rate(form, visit.ip, now)
        if visit.ip:
            SubmissionAttempt.objects.create(form=form, ip=visit.ip, at=now)
            SubmissionAttempt.objects.filter(form=form, ip=visit.ip, at__lte=now - RATE_WINDOW).delete()
        campaign = resolve_campaign(
            visit.utm.get("utm_source"), visit.utm.get("utm_medium"), visit.utm.get("utm_campaign")
        )
        pending = form.double_opt_in
        submission = Submission.objects.create(
            form=form,
            campaign=campaign or form.default_campaign,
            status=SubmissionStatus.PENDING if pending else SubmissionStatus.CONFIRMED,
            email=cleaned.email,
            data={**cleaned.values, **{f"property:{k}": v for k, v in cleaned.properties.items()}},
            utm=visit.utm,
            page_url=visit.page_url,
            referrer=visit.referrer,
            ip=visit.ip,
            user_agent=visit.user_agent,
            anonymous_id=visit.anonymous_id,
            submitted_at=now,
            confirmed_at=None if pending else now,
            confirmation_emails_requested=1 if pending else 0,
        )
        if wording is not None:
            ConsentRecord.objects.create(
                submission=submission,
                form=form,
                wording=wording,
                email=cleaned.email,
                status=ConsentStatus.PENDING if pending else ConsentStatus.CONFIRMED,
                given_at=now,
                confirmed_at=None if pending else now,
                source_url=visit.page_url,
                ip=visit.ip,
                user_agent=visit.user_agent,
            )
        if pending:
            sid = submission.pk
            transaction.on_commit(lambda: _schedule_confirmation(sid, 1))
        else:
            _apply(submission)
    return Outcome(submission, pending_confirmation=pending)


def _apply(submission: Submission) -> Contact:
    """The submission's effect on the contact, its stage, identities and touchpoints."""
    form = submission.form
    data = submission.data
    traits = ContactTraits(
        email=submission.email,
        **{k: str(data.get(k, "")) for k in ("first_name", "last_name", "title", "phone", "company_name")},
    )
    upserted = upsert_contacts([traits], rule="form")
    contact = Contact.objects.select_for_update().get(pk=upserted.contact_ids[submission.email])
    fill: dict[str, Any] = {}
    if data.get("country") and not contact.country:
        fill["country"] = data["country"]
    props = {
        key.removeprefix("property:"): value
        for key, value in data.items()
        if key.startswith("property:") and contact.properties.get(key.removeprefix("property:")) in (None, "")
    }
    if props:
        fill["properties"] = props
    if fill:
        update_contact(contact, **fill)
    target = LifecycleStage.SUBSCRIBER if form.newsletter_only else LifecycleStage.LEAD
    current = contact.lifecycle_stage
    if current not in OFF_FUNNEL and rank(current) < rank(target):
        set_contact_stage(contact, target, rule="form")
    if submission.anonymous_id:
        link = (IdentityKind.ANONYMOUS_ID.value, submission.anonymous_id, contact.pk)
        add_identities([link])
        attach_earlier_touchpoints(Resolution(new_links=[link]))
    record_touchpoint(
        type=EventType.FORM_SUBMIT,
        occurred_at=submission.submitted_at,
        contact_id=contact.pk,
        anonymous_id=submission.anonymous_id,
        campaign_id=submission.campaign_id,
        name=form.name[:200],
        properties={"form_id": form.pk, "form": form.slug, "submission_id": submission.pk},
        context={
            "page": {"url": submission.page_url, "referrer": submission.referrer},
            "userAgent": submission.user_agent,
            "ip": submission.ip or "",
            "campaign": {k.removeprefix("utm_"): v for k, v in submission.utm.items()},
        },
        message_id=f"webform-submission-{submission.pk}",
    )
    submission.contact = contact
    submission.save(update_fields=["contact"])
    submission.consents.update(contact=contact)
    cid = contact.pk
    transaction.on_commit(
        lambda: touchpoints_ingested.send(
            sender=Touchpoint, contact_ids=[cid], event_types=[EventType.FORM_SUBMIT.value], stored=1
        )
    )
    return contact


# ---------------------------------------------------------------- double opt-in
class ConfirmResult:
    CONFIRMED = "confirmed"
    ALREADY = "already"


def confirm(submission_id: int) -> tuple[str, Submission]:
    """Confirm a pending submission (its DOI link was clicked). Confirming twice is harmless."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update().select_related("form").filter(pk=submission_id).first()
        )
        if submission is None:
            raise Invalid("This confirmation link is not valid.")
        if submission.status == SubmissionStatus.CONFIRMED:
            return ConfirmResult.ALREADY, submission
        now = timezone.now()
        submission.status = SubmissionStatus.CONFIRMED
        submission.confirmed_at = now
        submission.save(update_fields=["status", "confirmed_at"])
        submission.consents.update(status=ConsentStatus.CONFIRMED, confirmed_at=now)
        _apply(submission)
    return ConfirmResult.CONFIRMED, submission


def request_new_confirmation(submission_id: int) -> Submission | None:
    """Send a fresh confirmation link for a pending submission whose link expired.

    At most one new email per 5 minutes per submission, so the button cannot be used to spam."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().filter(pk=submission_id).first()
        if submission is None or submission.status != SubmissionStatus.PENDING:
            return submission
        if submission.confirmation_emails_requested >= 10:
            raise Throttled("We have sent this link too many times already; please fill the form again.")
        n = submission.confirmation_emails_requested + 1
        submission.confirmation_emails_requested = n
        submission.save(update_fields=["confirmation_emails_requested"])
        sid = submission.pk
        transaction.on_commit(lambda: _schedule_confirmation(sid, n))
    return submission


def _schedule_confirmation(submission_id: int, n: int) -> None:
    from accord.webforms.tasks import send_confirmation

    send_confirmation(submission_id, n)


def confirm_url(submission: Submission) -> str:
    base = str(getattr(settings, "ACCORD_BASE_URL", "")).rstrip("/")
    token = tokens.make("confirm", submission.pk)
    return base + reverse("webforms:confirm", args=[submission.form.slug, token])


def send_confirmation_email(submission_id: int, n: int) -> bool:
    """Send confirmation email number ``n``; a retried task never sends the same one twice."""
    claimed = Submission.objects.filter(
        pk=submission_id, status=SubmissionStatus.PENDING, confirmation_emails_sent__lt=n
    ).update(confirmation_emails_sent=n)
    if not claimed:
        return False
    submission = Submission.objects.select_related("form").get(pk=submission_id)
    form = submission.form
    hours = int(tokens.confirm_link_age().total_seconds() // 3600)
    body = (
        f"Hello,\n\nPlease confirm your email address for “{form.title or form.name}” by opening this "
        f"link:\n\n{confirm_url(submission)}\n\nThe link works for {hours} hours. If you did not fill "
        "in this form, ignore this email: nothing will be kept about you.\n"
    )
    try:
        send_mail(
            f"Please confirm: {form.title or form.name}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [submission.email],
        )
    except OSError:
        log.exception("Could not send the confirmation email of submission %s", submission_id)
        Submission.objects.filter(pk=submission_id, confirmation_emails_sent=n).update(
            confirmation_emails_sent=n - 1
        )
        return False
    return True


# ---------------------------------------------------------------- gated asset
def record_download(submission: Submission) -> None:
    """The gated asset was downloaded: a ``content_download`` touchpoint (the first time only)."""
    with transaction.atomic():
        if not Submission.objects.filter(pk=submission.pk, downloaded_at=None).update(
            downloaded_at=timezone.now()
        ):
            return
        if submission.contact_id is None:
            return
        record_touchpoint(
            type=EventType.CONTENT_DOWNLOAD,
            occurred_at=timezone.now(),
            contact_id=submission.contact_id,
            anonymous_id=submission.anonymous_id,
            campaign_id=submission.campaign_id,
            name=(submission.form.asset_name or submission.form.name)[:200],
            properties={"form_id": submission.form_id, "submission_id": submission.pk},
            message_id=f"webform-download-{submission.pk}",
        )
        cid = submission.contact_id
        transaction.on_commit(
            lambda: touchpoints_ingested.send(
                sender=Touchpoint, contact_ids=[cid], event_types=[EventType.CONTENT_DOWNLOAD.value], stored=1
            )
        )
