"""Forms of the handoff pages. They only parse input; rules live in :mod:`accord.handoff.actions`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from accord.accounts.models import Role, Team, User
from accord.contacts.models import CompanySize
from accord.core.errors import ActionError
from accord.handoff.models import RejectReason
from accord.lifecycle.stages import LifecycleStage
from accord.segments.models import Segment

SALES_ROLES = (Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.SALES_MANAGER)
WEEKDAYS = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]


def apply_errors(form: forms.Form, exc: ActionError) -> None:
    """Show an action's field errors beside the form's fields (the rest at the top)."""
    placed = False
    for name, messages in exc.field_errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def sales_users() -> Any:
    return User.objects.filter(is_active=True, role__in=SALES_ROLES).order_by(
        "first_name", "last_name", "username"
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "Pick a reason…"), *RejectReason.choices])
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Required for “Other”. Marketing sees it on the campaign.")  # fmt: skip
    outcome = forms.ChoiceField(
        choices=[
            (LifecycleStage.RECYCLED, "Back to nurture (recycled)"),
            (LifecycleStage.DISQUALIFIED, "Disqualify"),
        ],
        initial=LifecycleStage.RECYCLED,
    )


class BantForm(forms.Form):
    budget_amount = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=14, decimal_places=2, label="Budget amount"
    )
    budget_range = forms.CharField(
        required=False, max_length=100, label="Budget range", help_text="e.g. 20–50k USD"
    )
    budget_evidence = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Evidence"
    )
    authority_role = forms.CharField(required=False, max_length=150, label="Contact's role in the decision")
    decision_makers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Decision makers"
    )
    need = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Need (pain points from discovery)"
    )
    timeline = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Target date"
    )


class ConvertForm(forms.Form):
    deal_owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Deal owner (AE)")
    deal_name = forms.CharField(required=False, max_length=200, label="Deal name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deal_owner"].queryset = sales_users()  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="New owner")
    note = forms.CharField(required=False, max_length=150)

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = sales_users()
        self.fields["owner"].queryset = users.filter(team=team) if team else users  # type: ignore[attr-defined]


def _values(text: str) -> list[str]:
    return [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]


class RuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    team = forms.ModelChoiceField(queryset=Team.objects.filter(kind=Team.Kind.SALES))
    position = forms.IntegerField(
        required=False, min_value=0, max_value=1_000_000, help_text="Lower runs first."
    )
    countries = forms.CharField(
        required=False, max_length=1000, help_text="Contact countries, ISO codes, comma-separated."
    )
    company_countries = forms.CharField(required=False, max_length=1000, label="Company countries")
    company_sizes = forms.MultipleChoiceField(
        required=False, choices=CompanySize.choices, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.CharField(
        required=False, max_length=1000, help_text="Company industries, comma-separated."
    )
    segment = forms.ModelChoiceField(
        required=False, queryset=Segment.objects.all(), help_text="Optional: only members of this segment."
    )
    active = forms.BooleanField(required=False, initial=True)

    def conditions(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        out: list[dict[str, Any]] = []
        for field, values in (
            ("country", _values(data.get("countries") or "")),
            ("company_country", _values(data.get("company_countries") or "")),
            ("company_size", list(data.get("company_sizes") or [])),
            ("company_industry", _values(data.get("industries") or "")),
        ):
            if values:
                out.append({"field": field, "values": values})
        return out


class RepForm(forms.Form):
    weight = forms.IntegerField(min_value=1, max_value=100, initial=1)
    capacity = forms.IntegerField(
        min_value=0, max_value=100_000, initial=50, help_text="Most open leads at once."
    )
    timezone = forms.CharField(max_length=64, initial="UTC")
    work_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, initial=[1, 2, 3, 4, 5]
    )
    work_start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    work_end = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    active = forms.BooleanField(required=False, initial=True, help_text="Receives routed leads.")


class TimeOffForm(forms.Form):
    starts_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), help_text="UTC"
    )
    ends_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), help_text="UTC"
    )
    note = forms.CharField(required=False, max_length=200)


class SlaForm(forms.Form):
    first_touch_hours = forms.DecimalField(
        min_value=Decimal("0.1"), max_value=1000, decimal_places=2, label="First touch within (working hours)"
    )
    verdict_hours = forms.DecimalField(
        min_value=Decimal("0.1"), max_value=1000, decimal_places=2, label="Verdict within (working hours)"
    )
