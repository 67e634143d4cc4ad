"""Forms of the campaign pages. They parse and check input; every write goes through an action,
whose :class:`~accord.core.errors.ActionError` is shown on the form with :func:`show_errors`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower

from accord.accounts.models import User
from accord.campaigns.models import (
    MAX_DESTINATION_LENGTH,
    Affiliate,
    AffiliateConversion,
    Campaign,
    Channel,
    CommissionRule,
    CostCategory,
)
from accord.core.errors import ActionError

MAX_QUERY_LENGTH = 200
MAX_CSV_BYTES = 2 * 1024 * 1024
CAMPAIGN_SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "-start": ("Latest start first", (F("start_date").desc(nulls_last=True), "-id")),
    "start": ("Earliest start first", (F("start_date").asc(nulls_last=True), "id")),
    "name": ("Name A–Z", (Lower("name"), "id")),
    "-budget": ("Largest budget first", ("-budget", "-id")),
}
DEFAULT_SORT = "-start"


def show_errors(form: forms.Form, exc: ActionError) -> None:
    """Put an action's error on ``form``: field errors beside their fields, the rest on top."""
    placed = False
    for name, messages in exc.field_errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _money_field(label: str, *, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


# ---------------------------------------------------------------- list filters
class CampaignFilterForm(forms.Form):
    """A GET filter form: values that are missing or not valid are simply not applied."""

    filter_fields = ("q", "channel", "status", "owner")

    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        label="Search campaigns",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search name or UTM code", "autocomplete": "off"}
        ),
    )
    channel = forms.ChoiceField(required=False, choices=[("", "All channels"), *Channel.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Campaign.Status.choices])
    owner = forms.ChoiceField(required=False, choices=[("", "Anyone"), ("me", "Mine")])
    sort = forms.ChoiceField(
        required=False, choices=[(value, label) for value, (label, _) in CAMPAIGN_SORTS.items()]
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def value(self, name: str) -> str:
        if self.is_bound and not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(getattr(self, "cleaned_data", {}).get(name) or "")

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in self.filter_fields)

    def filter(self, qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
        for term in self.value("q").split()[:8]:
            qs = qs.filter(Q(name__icontains=term) | Q(utm_campaign__icontains=term))
        if channel := self.value("channel"):
            qs = qs.filter(channel=channel)
        if status := self.value("status"):
            qs = qs.filter(status=status)
        if self.value("owner") == "me":
            qs = qs.filter(owner=self.user)
        _, ordering = CAMPAIGN_SORTS[self.value("sort") or DEFAULT_SORT]
        return qs.order_by(*ordering)


# ---------------------------------------------------------------- campaign
class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    channel = forms.ChoiceField(choices=[("", "Choose a channel"), *Channel.choices])
    status = forms.ChoiceField(choices=Campaign.Status.choices, initial=Campaign.Status.PLANNED)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner")
    budget = _money_field("Budget", initial=0)
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    utm_source = forms.CharField(max_length=100, required=False, label="utm_source")
    utm_medium = forms.CharField(max_length=100, required=False, label="utm_medium")
    utm_campaign = forms.CharField(max_length=100, required=False, label="utm_campaign")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Must be on or after the start date.")
        return data


# ---------------------------------------------------------------- campaign parts
class CostForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount = _money_field("Amount")
    category = forms.ChoiceField(choices=CostCategory.choices)
    note = forms.CharField(max_length=500, required=False)


class LinkForm(forms.Form):
    destination = forms.CharField(
        max_length=MAX_DESTINATION_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/landing-page"}),
    )
    label = forms.CharField(max_length=200, required=False)
    add_utm = forms.BooleanField(required=False, initial=True, label="Add the campaign's UTM codes")


class UtmRuleForm(forms.Form):
    source = forms.CharField(max_length=100, required=False, label="utm_source")
    medium = forms.CharField(max_length=100, required=False, label="utm_medium")
    name = forms.CharField(max_length=100, required=False, label="utm_campaign")
    priority = forms.IntegerField(initial=0, min_value=-1000, max_value=1000)


class AffiliateForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254, required=False)


class AffiliateStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Affiliate.Status.choices)


class _AffiliateChoice(forms.Form):
    affiliate = forms.ModelChoiceField(queryset=Affiliate.objects.none())

    def __init__(self, *args: Any, affiliates: QuerySet[Affiliate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["affiliate"]).queryset = affiliates


class AffiliateLinkForm(_AffiliateChoice):
    destination = forms.CharField(max_length=MAX_DESTINATION_LENGTH, widget=forms.URLInput())
    label = forms.CharField(max_length=200, required=False)


class CommissionRuleForm(_AffiliateChoice):
    kind = forms.ChoiceField(choices=CommissionRule.Kind.choices)
    percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2, label="Percent"
    )
    flat_amount = _money_field("Flat amount", required=False)
    cap = _money_field("Cap per conversion", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["affiliate"])
        field.required = False
        field.empty_label = "Every affiliate (default rule)"


class ConversionForm(_AffiliateChoice):
    deal_amount = _money_field("Deal amount")
    reference = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. deal:42 (recorded once)"}),
    )
    contact_id = forms.IntegerField(required=False, min_value=1, label="Contact id")


class ConversionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AffiliateConversion.Status.choices)


class SessionForm(forms.Form):
    name = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(max_length=200, required=False)
    online_url = forms.CharField(
        max_length=MAX_DESTINATION_LENGTH, required=False, label="Online URL", widget=forms.URLInput()
    )
    capacity = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)


class RegistrationForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(max_length=254)


class MentionUploadForm(forms.Form):
    file = forms.FileField(label="CSV file")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")
        return upload
