"""Forms for the sales pages: they parse input into Python values; the actions hold the rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from accord.accounts.models import User
from accord.catalog.models import Competitor
from accord.contacts.models import Contact
from accord.core.errors import ActionError
from accord.sales.activity_kinds import CallOutcome, MeetingStatus, ObjectionCategory, Priority
from accord.sales.models import Activity, Pipeline, PipelineStage

BLANK = [("", "—")]


def owners() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class DealForm(forms.Form):
    name = forms.CharField(max_length=200)
    pipeline = forms.ModelChoiceField(queryset=Pipeline.objects.all(), empty_label=None)
    stage = forms.ModelChoiceField(
        queryset=PipelineStage.objects.filter(
            outcome=PipelineStage.Outcome.OPEN, archived_at=None
        ).select_related("pipeline"),
        required=False,
        help_text="Leave empty for the pipeline's first stage.",
    )
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, initial=0)
    currency = forms.CharField(max_length=3, initial="USD")
    expected_close = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(queryset=owners(), required=False)
    contact_email = forms.EmailField(required=False, label="Contact email")
    competitor = forms.ModelChoiceField(queryset=Competitor.objects.all(), required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners()  # type: ignore[attr-defined]
        if editing:
            del self.fields["pipeline"], self.fields["stage"]

    def clean_contact_email(self) -> Contact | None:
        email = (self.cleaned_data.get("contact_email") or "").strip().lower()
        if not email:
            return None
        contact = Contact.objects.filter(email=email).select_related("company").first()
        if contact is None:
            raise forms.ValidationError("No contact has this email.")
        return contact

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stage, pipeline = data.get("stage"), data.get("pipeline")
        if stage is not None and pipeline is not None and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", "Pick a stage of the chosen pipeline.")
        return data

    def deal_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        contact = data.get("contact_email")
        fields = {
            "name": data["name"],
            "amount": data["amount"],
            "currency": data["currency"],
            "expected_close": data.get("expected_close"),
            "owner": data.get("owner"),
            "contact": contact,
            "competitor": data.get("competitor"),
        }
        if contact is not None and contact.company_id:
            fields["company"] = contact.company
        return fields


def apply_errors(form: forms.Form, exc: ActionError, aliases: dict[str, str] | None = None) -> None:
    """Show an action's field errors on the form (under ``aliases`` names), the rest on top."""
    aliases = aliases or {}
    shown = False
    for key, messages in exc.field_errors.items():
        name = aliases.get(key, key.removeprefix("details."))
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            shown = True
    if not shown:
        form.add_error(None, exc.message)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("won", "Won"), ("lost", "Lost")], widget=forms.RadioSelect)
    reason = forms.CharField(max_length=200, required=False)
    competitor = forms.ModelChoiceField(
        queryset=Competitor.objects.all(), required=False, help_text="Required when the deal is lost."
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


def _local(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=Activity.Kind.choices)
    subject = forms.CharField(max_length=200)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes")
    due_at = forms.DateTimeField(
        required=False,
        label="Due / scheduled at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    done = forms.BooleanField(required=False, label="Already done")
    # kind-specific fields (activity_kinds.SCHEMAS validates them in the action)
    outcome = forms.ChoiceField(choices=BLANK + CallOutcome.choices, required=False, label="Call outcome")
    duration_minutes = forms.IntegerField(required=False, label="Duration (minutes)")
    status = forms.ChoiceField(choices=BLANK + MeetingStatus.choices, required=False, label="Meeting status")
    priority = forms.ChoiceField(choices=BLANK + Priority.choices, required=False, label="Task priority")
    pain_points = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    goals = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ChoiceField(choices=BLANK + ObjectionCategory.choices, required=False, label="Objection")
    handled = forms.BooleanField(required=False, label="Objection handled")
    theme = forms.CharField(required=False, max_length=100, label="Feature theme")
    deal = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    KIND_FIELDS: dict[str, tuple[str, ...]] = {
        "call": ("outcome", "duration_minutes"),
        "meeting": ("status", "duration_minutes"),
        "demo": ("status", "duration_minutes"),
        "task": ("priority",),
        "discovery": ("pain_points", "goals"),
        "objection": ("category", "handled"),
        "feature_request": ("theme",),
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "task" and not data.get("due_at") and not data.get("done"):
            self.add_error("due_at", "A task needs a due date.")
        return data

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for name in self.KIND_FIELDS.get(data["kind"], ()):
            value = data.get(name)
            if name == "handled":
                out[name] = bool(value)
            elif value not in (None, ""):
                out[name] = value
        return out

    def activity_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        due = _local(data.get("due_at"))
        done_at = timezone.now() if data.get("done") else None
        return {
            "kind": data["kind"],
            "subject": data["subject"],
            "body": data.get("body", ""),
            "due_at": due,
            "done_at": done_at,
            "details": self.details(),
        }
