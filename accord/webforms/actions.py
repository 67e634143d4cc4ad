"""Writes on forms: building a form (fields, consent wording versions), and the public side:
a visitor's submission, its double opt-in confirmation and the gated asset download.

Submissions are in :mod:`accord.webforms.submit`; this module holds the form builder's writes and
a form's lifecycle: close (``archive_form``), reopen (``reopen_form``) and ``delete_form``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from accord.accounts.models import User
from accord.campaigns.models import Campaign
from accord.core.errors import Conflict, Invalid, NotFound
from accord.webforms.fields import all_targets
from accord.webforms.models import ConsentWording, FieldType, Form, FormField, Submission

MAX_FIELDS = 40
MAX_ASSET_BYTES = 50 * 1024 * 1024
SETTING_FIELDS = (
    "name", "slug", "title", "description", "submit_label", "consent_required", "consent_text",
    "newsletter_only", "double_opt_in", "default_campaign", "success_message", "redirect_url",
    "asset_url", "asset_name", "asset_file", "remove_asset_file", "is_active", "owner",
)  # fmt: skip
_http_url = URLValidator(schemes=["http", "https"])


@dataclass
class FieldSpec:
    target: str
    label: str = ""
    type: str = ""
    required: bool = False
    help_text: str = ""
    choices: list[str] = field(default_factory=list)


def _invalid(name: str, message: str) -> Invalid:
    return Invalid(message, field_errors={name: [message]})


def _text(values: dict[str, Any], name: str, limit: int, *, required: bool = False, label: str = "") -> str:
    raw = values.get(name)
    text = "" if raw is None else str(raw).strip()
    if "\x00" in text:
        raise _invalid(name, "Must not contain NUL characters.")
    if required and not text:
        raise _invalid(name, f"{label or name.replace('_', ' ').capitalize()} is required.")
    if len(text) > limit:
        raise _invalid(name, f"Must be at most {limit} characters.")
    return text


def _url(values: dict[str, Any], name: str) -> str:
    url = _text(values, name, 500)
    if url:
        try:
            _http_url(url)
        except ValidationError as exc:
            raise _invalid(name, "Enter a full web address starting with http:// or https://.") from exc
    return url


def _slug(values: dict[str, Any], form: Form | None) -> str:
    given = _text(values, "slug", 80)
    if given:
        if slugify(given) != given:
            raise _invalid("slug", "Use lower-case letters, digits and hyphens only.")
        taken = Form.objects.filter(slug=given)
        if form is not None:
            taken = taken.exclude(pk=form.pk)
        if taken.exists():
            raise Conflict(
                "Another form uses this URL already.",
                field_errors={"slug": ["Another form uses this URL already."]},
                code="duplicate_slug",
            )
        return given
    if form is not None:
        return form.slug
    base = slugify(str(values.get("name") or ""))[:70] or "form"
    slug, n = base, 1
    while Form.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def clean_fields(specs: list[FieldSpec]) -> list[FieldSpec]:
    """Check a form's field list; raise :class:`Invalid` keyed ``fields.<n>.<attr>``."""
    targets = all_targets()
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    cleaned: list[FieldSpec] = []
    if len(specs) > MAX_FIELDS:
        raise _invalid("fields", f"A form can have at most {MAX_FIELDS} fields.")
    for n, spec in enumerate(specs):
        where = f"fields.{n}"
        target = targets.get(spec.target)
        if target is None:
            errors[f"{where}.target"] = ["Choose what this field fills in."]
            continue
        if spec.target in seen:
            errors[f"{where}.target"] = [f"“{target.label}” is on the form twice."]
            continue
        seen.add(spec.target)
        kind = spec.type or target.types[0]
        if kind not in target.types:
            allowed = ", ".join(FieldType(t).label.lower() for t in target.types)
            errors[f"{where}.type"] = [f"{target.label} can be shown as: {allowed}."]
        label = (spec.label or "").strip() or target.label
        if len(label) > 200 or "\x00" in label:
            errors[f"{where}.label"] = ["Use at most 200 characters."]
        help_text = (spec.help_text or "").strip()
        if len(help_text) > 300 or "\x00" in help_text:
            errors[f"{where}.help_text"] = ["Use at most 300 characters."]
        choices = [str(c).strip() for c in spec.choices if str(c).strip()] or list(target.choices)
        if kind == FieldType.SELECT and not choices:
            errors[f"{where}.choices"] = ["A drop-down needs at least one option (one per line)."]
        if len(choices) > 200 or any(len(c) > 200 or "\x00" in c for c in choices):
            errors[f"{where}.choices"] = ["Use at most 200 options of at most 200 characters."]
        required = bool(spec.required) or spec.target == "email"
        cleaned.append(FieldSpec(spec.target, label, kind, required, help_text, choices))
    if "email" not in seen and not errors:
        errors["fields"] = ["Every form needs an Email field: it is how the contact is found or created."]
    if errors:
        raise Invalid("Some fields of the form are not valid.", field_errors=errors)
    return cleaned


def _apply_settings(form: Form, values: dict[str, Any]) -> str | None:
    """Set ``form``'s settings from ``values`` (only the keys given); returns the consent text
    when one was given."""
    if "name" in values or form.pk is None:
        form.name = _text(values, "name", 200, required=True, label="Name")
    if "slug" in values or form.pk is None:
        form.slug = _slug(values, form if form.pk else None)
    for name, limit in (("title", 200), ("submit_label", 60), ("asset_name", 200)):
        if name in values:
            setattr(form, name, _text(values, name, limit))
    for name in ("description", "success_message"):
        if name in values:
            setattr(form, name, _text(values, name, 5000))
    for name in ("redirect_url", "asset_url"):
        if name in values:
            setattr(form, name, _url(values, name))
    for name in ("consent_required", "newsletter_only", "double_opt_in", "is_active"):
        if name in values:
            setattr(form, name, bool(values[name]))
    if not form.submit_label:
        form.submit_label = "Submit"
    if "default_campaign" in values:
        campaign = values["default_campaign"]
        if campaign is not None and not isinstance(campaign, Campaign):
            raise _invalid("default_campaign", "Choose an existing campaign.")
        form.default_campaign = campaign
    if "owner" in values:
        form.owner = values["owner"]
    if values.get("remove_asset_file"):
        form.asset_file = ""
    upload = values.get("asset_file")
    if isinstance(upload, UploadedFile):
        if upload.size is not None and upload.size > MAX_ASSET_BYTES:
            raise _invalid(
                "asset_file", "The file is larger than 50 MB; link to it with an asset URL instead."
            )
        form.asset_file = upload
    return _text(values, "consent_text", 5000) if "consent_text" in values else None


def _write(form: Form, specs: list[FieldSpec] | None, consent_text: str | None, by: User | None) -> None:
    current = form.consent_versions.first() if form.pk else None
    if form.consent_required and not (consent_text or (current.text if current else "")):
        raise _invalid("consent_text", "Write the consent wording visitors agree to.")
    try:
        with transaction.atomic():
            if form.pk is not None and not Form.objects.select_for_update().filter(pk=form.pk).exists():
                raise NotFound("This form was deleted meanwhile.")  # saving would bring it back
            form.save()
            if specs is not None:
                FormField.objects.filter(form=form).delete()
                FormField.objects.bulk_create(
                    FormField(
                        form=form,
                        target=s.target,
                        label=s.label,
                        type=s.type,
                        required=s.required,
                        help_text=s.help_text,
                        choices=s.choices,
                        order=n,
                    )  # fmt: skip
                    for n, s in enumerate(specs)
                )
            if consent_text and (current is None or current.text != consent_text):
                ConsentWording.objects.create(
                    form=form,
                    version=(current.version + 1) if current else 1,
                    text=consent_text,
                    created_by=by,
                )
    except IntegrityError as exc:  # the same slug or version taken concurrently
        raise Conflict("The form changed meanwhile; please try again.", code="conflict") from exc


def create_form(*, by: User | None = None, fields: list[FieldSpec], **values: Any) -> Form:
    """Create a form with its fields; the creator owns it unless ``owner`` is given."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    form = Form(owner=by)
    consent_text = _apply_settings(form, values)
    specs = clean_fields(fields)
    _write(form, specs, consent_text, by)
    return form


def update_form(
    form: Form, *, by: User | None = None, fields: list[FieldSpec] | None = None, **values: Any
) -> Form:
    """Change ``form``'s settings (only the keys given) and, when ``fields`` is given, replace its
    fields. A changed consent wording becomes a new version; earlier versions stay as they were."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    consent_text = _apply_settings(form, values)
    specs = clean_fields(fields) if fields is not None else None
    _write(form, specs, consent_text, by)
    return form


def current_wording(form: Form) -> ConsentWording | None:
    return form.consent_versions.first()


# ---------------------------------------------------------------- lifecycle
def _locked(form: Form) -> Form:
    """``form``'s row, locked until the transaction ends: a submission locks it too (see
    :func:`accord.webforms.submit.submit`), so none can slip in while the form closes or goes."""
    locked = Form.objects.select_for_update().filter(pk=form.pk).first()
    if locked is None:
        raise NotFound(f"Form {form.pk} does not exist.")
    return locked


def _set_active(form: Form, active: bool) -> Form:
    with transaction.atomic():
        locked = _locked(form)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active", "updated_at"])
    form.is_active = active
    return form


def archive_form(form: Form) -> Form:
    """Close ``form``: its hosted page, embed and JSON endpoint refuse new submissions (410).
    Its submissions and consent evidence stay. Closing a closed form changes nothing."""
    return _set_active(form, False)


def reopen_form(form: Form) -> Form:
    """Reopen a closed ``form``: it accepts submissions again. Reopening an open form changes nothing."""
    return _set_active(form, True)


def delete_form(form: Form) -> None:
    """Delete ``form`` with its fields and consent wordings. Refused (:class:`Conflict`) once it has
    submissions: their consent evidence must be kept, so such a form can only be closed."""
    with transaction.atomic():
        locked = _locked(form)
        count = Submission.objects.filter(form=locked).count()
        if count:
            raise Conflict(
                f"“{locked.name}” has {count} submission{'' if count == 1 else 's'} and cannot be "
                "deleted: their consent evidence must be kept. Close it instead to stop new submissions.",
                code="form_has_submissions",
            )
        asset = locked.asset_file.name if locked.asset_file else ""
        storage = locked.asset_file.storage
        try:
            locked.delete()
        except ProtectedError as exc:  # consent records point at its wording
            raise Conflict(
                "This form has consent evidence and cannot be deleted. Close it instead.",
                code="form_has_submissions",
            ) from exc
        if asset:  # the uploaded gated asset goes too, once the row is really gone
            transaction.on_commit(lambda: storage.delete(asset))
