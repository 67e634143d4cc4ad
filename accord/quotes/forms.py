"""Forms of the quote pages; every write goes through :mod:`accord.quotes.actions`."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.accounts.models import User
from accord.catalog.models import PriceList, Product
from accord.core.errors import ActionError
from accord.quotes.models import Quote


def show_errors(form: forms.Form, exc: ActionError) -> None:
    placed = False
    for name, messages in exc.field_errors.items():
        target = name.removesuffix("_id") if name.removesuffix("_id") in form.fields else None
        target = name if name in form.fields else target
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


SCOPES = [("mine", "My quotes"), ("team", "My team's quotes"), ("all", "All quotes")]


def quote_owners() -> Any:
    """The users who own at least one quote, for the list's owner filter."""
    return User.objects.filter(pk__in=Quote.objects.filter(owner__isnull=False).values("owner_id")).order_by(
        "first_name", "last_name", "username"
    )


class QuoteFilterForm(forms.Form):
    scope = forms.ChoiceField(label="Show", required=False, choices=SCOPES)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Quote.Status.choices]
    )
    owner = forms.ModelChoiceField(
        label="Owner", queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    needs_approval = forms.BooleanField(label="Needs approval", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = quote_owners()  # type: ignore[attr-defined]


class QuoteHeaderForm(forms.Form):
    """The quote's details (header): saved through ``actions.update_quote``, as ``PATCH /api/quotes/{id}``."""

    title = forms.CharField(max_length=200)
    valid_until = forms.DateField(
        label="Valid until", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for no expiry date.",
    )  # fmt: skip
    terms = forms.CharField(
        label="Terms and notes", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Printed under the lines: payment terms, notes.",
    )  # fmt: skip

    @classmethod
    def for_quote(cls, quote: Quote, data: Any = None) -> QuoteHeaderForm:
        initial = {"title": quote.title, "valid_until": quote.valid_until, "terms": quote.terms}
        return cls(data, initial=initial)


class QuoteForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="Default: “Quote for <deal>”.")
    price_list = forms.ModelChoiceField(
        queryset=PriceList.objects.filter(active=True).order_by("-is_default", "name"),
        required=False,
        empty_label="List prices (no price list)",
        help_text="Unit prices come from this list; products not in it sell at list price.",
    )
    valid_until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    terms = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class LineForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True).order_by("name"))
    quantity = forms.DecimalField(
        max_digits=12, decimal_places=2, initial=1,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip
    discount_percent = forms.DecimalField(
        label="Discount %", max_digits=5, decimal_places=2, initial=0, required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}),
    )  # fmt: skip


class LineEditForm(forms.Form):
    quantity = forms.DecimalField(max_digits=12, decimal_places=2)
    discount_percent = forms.DecimalField(max_digits=5, decimal_places=2, required=False)


class NegotiationForm(forms.Form):
    note = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    counter_offer = forms.DecimalField(
        label="Counter-offer (total)", max_digits=16, decimal_places=2, required=False, min_value=0
    )


class SettingsForm(forms.Form):
    discount_threshold = forms.DecimalField(
        label="Approval threshold (%)", max_digits=5, decimal_places=2, min_value=0, max_value=100,
        help_text="A line discount above this percentage needs a sales manager's approval.",
    )  # fmt: skip


def first_error(form: forms.Form) -> str:
    for name, errors in form.errors.items():
        label: Any = form.fields[name].label if name in form.fields else ""
        return f"{label or name}: {errors[0]}" if name != "__all__" else str(errors[0])
    return ""
