"""Forms of the form-builder pages: the settings form and the field rows (parsed from the post,
so rows can be added, removed and reordered without JavaScript). Writes go through actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from accord.campaigns.models import Campaign
from accord.core.errors import ActionError
from accord.core.numbers import ascii_int
from accord.webforms.actions import FieldSpec
from accord.webforms.models import FieldType, Form

MAX_QUERY_LENGTH = 200


STATUS_FILTERS = {"": "All", "active": "Active", "closed": "Closed"}


class FormSearch(forms.Form):
    """The list's GET filters; a value that is not valid is simply not applied."""

    q = forms.CharField(
        label="Search forms",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search by name or URL…"}),
    )
    status = forms.ChoiceField(label="Status", required=False, choices=list(STATUS_FILTERS.items()))

    def value(self, name: str) -> str:
        if self.is_bound and not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(getattr(self, "cleaned_data", {}).get(name) or "").strip()


class FormSettings(forms.Form):
    name = forms.CharField(max_length=200, help_text="Internal name, shown to your team.")
    slug = forms.CharField(
        label="URL name", max_length=80, required=False,
        help_text="The public address is /forms/f/<URL name>/. Leave blank to make one from the name.",
    )  # fmt: skip
    title = forms.CharField(label="Heading visitors see", max_length=200, required=False)
    description = forms.CharField(
        label="Intro text", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    submit_label = forms.CharField(label="Button text", max_length=60, required=False, initial="Submit")
    is_active = forms.BooleanField(label="Accepting submissions", required=False, initial=True)
    newsletter_only = forms.BooleanField(
        label="Newsletter sign-up only (submitters become subscribers, not leads)", required=False
    )
    double_opt_in = forms.BooleanField(
        label="Double opt-in: email a confirmation link; nothing counts until it is clicked", required=False
    )
    consent_required = forms.BooleanField(
        label="Ask for consent (a checkbox visitors must tick)", required=False
    )
    consent_text = forms.CharField(
        label="Consent wording",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="Changing it creates a new version; earlier submissions keep the version they saw.",
    )
    default_campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("name"),
        required=False,
        empty_label="— none —",
        help_text="Credited when the visit's UTM codes match no campaign.",
    )
    success_message = forms.CharField(
        label="Thank-you message", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    redirect_url = forms.CharField(
        label="Redirect after submit (optional)", max_length=500, required=False,
        help_text="An http(s) address to send visitors to instead of the thank-you page (not used with a gated asset).",
    )  # fmt: skip
    asset_name = forms.CharField(label="Gated asset name", max_length=200, required=False)
    asset_url = forms.CharField(
        label="Gated asset URL", max_length=500, required=False, help_text="An http(s) link to the file…"
    )
    asset_file = forms.FileField(label="…or upload the file", required=False, help_text="At most 50 MB.")
    remove_asset_file = forms.BooleanField(label="Remove the uploaded file", required=False)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("asset_file"):
            data.pop("asset_file", None)
        return data


def settings_initial(form: Form) -> dict[str, Any]:
    wording = form.consent_versions.first()
    return {
        "name": form.name, "slug": form.slug, "title": form.title, "description": form.description,
        "submit_label": form.submit_label, "is_active": form.is_active, "newsletter_only": form.newsletter_only,
        "double_opt_in": form.double_opt_in, "consent_required": form.consent_required,
        "consent_text": wording.text if wording else "", "default_campaign": form.default_campaign,
        "success_message": form.success_message, "redirect_url": form.redirect_url,
        "asset_name": form.asset_name, "asset_url": form.asset_url,
    }  # fmt: skip


def typed_settings(post: QueryDict) -> dict[str, Any]:
    """What the user typed, as initial values (a builder button re-renders without validating)."""
    typed: dict[str, Any] = {}
    for name, f in FormSettings.base_fields.items():
        if isinstance(f, forms.BooleanField):
            typed[name] = post.get(name) in ("on", "1", "true")
        elif not isinstance(f, forms.FileField):
            typed[name] = post.get(name, "")
    return typed


def show_errors(form: forms.Form, exc: ActionError) -> dict[str, list[str]]:
    """Place an action's errors on the settings form; return those that belong to field rows."""
    rest: dict[str, list[str]] = {}
    placed = False
    for name, messages in exc.field_errors.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
        else:
            rest[name] = messages
    if not placed and not rest:
        form.add_error(None, exc.message)
    return rest


@dataclass
class Row:
    target: str = ""
    label: str = ""
    type: str = ""
    required: bool = False
    help_text: str = ""
    choices: str = ""  # one option per line
    errors: dict[str, list[str]] = field(default_factory=dict)

    def spec(self) -> FieldSpec:
        return FieldSpec(
            target=self.target, label=self.label, type=self.type, required=self.required,
            help_text=self.help_text, choices=[c for c in self.choices.splitlines() if c.strip()],
        )  # fmt: skip


MAX_ROWS = 60


def rows_from_post(post: QueryDict) -> list[Row]:
    try:
        count = min(int(post.get("fields-count", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows = []
    for n in range(max(count, 0)):
        p = f"fields-{n}-"
        if post.get(p + "target") is None:
            continue
        rows.append(
            Row(
                target=post.get(p + "target", "").strip(),
                label=post.get(p + "label", "").strip()[:300],
                type=post.get(p + "type", "").strip(),
                required=post.get(p + "required") in ("1", "on"),
                help_text=post.get(p + "help_text", "").strip()[:400],
                choices=post.get(p + "choices", "")[:50_000],
            )
        )
    return rows


def rows_from_form(form: Form) -> list[Row]:
    return [
        Row(f.target, f.label, f.type, f.required, f.help_text, "\n".join(map(str, f.choices)))
        for f in form.fields.all()
    ]


def default_rows() -> list[Row]:
    return [
        Row("email", "Email", FieldType.EMAIL, True),
        Row("first_name", "First name", FieldType.TEXT, False),
        Row("last_name", "Last name", FieldType.TEXT, False),
    ]


def apply_row_action(rows: list[Row], action: str) -> list[Row]:
    """``add``, ``remove:N``, ``up:N``, ``down:N``: the builder's buttons."""
    if action == "add":
        return [*rows, Row()]
    verb, _, index = action.partition(":")
    n = ascii_int(index)
    if n is None or n >= len(rows):
        return rows
    if verb == "remove":
        return rows[:n] + rows[n + 1 :]
    if verb == "up" and n > 0:
        rows[n - 1], rows[n] = rows[n], rows[n - 1]
    if verb == "down" and n < len(rows) - 1:
        rows[n + 1], rows[n] = rows[n], rows[n + 1]
    return rows


def attach_row_errors(rows: list[Row], errors: dict[str, list[str]]) -> list[str]:
    """Put ``fields.<n>.<attr>`` errors on their rows; return the others."""
    general = []
    for key, messages in errors.items():
        parts = key.split(".")
        n = ascii_int(parts[1]) if len(parts) == 3 and parts[0] == "fields" else None
        if n is not None and n < len(rows):
            rows[n].errors.setdefault(parts[2], []).extend(messages)
        else:
            general.extend(messages)
    return general
