"""Forms of the quote pages; every write goes through :mod:`accord.quotes.actions`."""

from __future__ import annotations

from typing import Any

from django import forms

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


class QuoteFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label="Show", required=False, choices=[("mine", "My quotes"), ("all", "All quotes")]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Quote.Status.choices]
    )


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
