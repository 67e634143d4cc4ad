"""Forms of the catalog pages. They parse input; every write goes through :mod:`accord.catalog.actions`,
whose errors are shown on the form with :func:`show_errors`."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.catalog.models import Positioning, ProductKind
from accord.core.errors import ActionError

MAX_OBJECTION_ROWS = 50
BLANK_OBJECTION_ROWS = 3


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


def money_field(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


class ProductFilterForm(forms.Form):
    q = forms.CharField(
        label="Search products", required=False, max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": "Name, SKU or category"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label="Status", required=False,
        choices=[("", "All"), ("active", "Active"), ("inactive", "Inactive")],
    )  # fmt: skip
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "All kinds"), *ProductKind.choices])


class ProductForm(forms.Form):
    name = forms.CharField(max_length=200)
    sku = forms.CharField(label="SKU", max_length=64, help_text="Stored in capitals; unique.")
    kind = forms.ChoiceField(choices=ProductKind.choices)
    category = forms.CharField(max_length=100, required=False)
    unit_price = money_field("List price")
    currency = forms.CharField(max_length=3, min_length=3, initial="USD")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    active = forms.BooleanField(required=False, initial=True, help_text="Inactive products cannot be quoted.")


class PositioningForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, help_text in Positioning.FIELDS:
            self.fields[name] = forms.CharField(
                label=label, help_text=help_text, required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )  # fmt: skip


class PriceListForm(forms.Form):
    name = forms.CharField(max_length=100)
    currency = forms.CharField(max_length=3, min_length=3, initial="USD")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_default = forms.BooleanField(label="Default price list", required=False)
    active = forms.BooleanField(required=False, initial=True)


class PriceForm(forms.Form):
    product = forms.TypedChoiceField(coerce=int, choices=[])
    unit_price = money_field("Price")

    def __init__(self, *args: Any, products: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "Choose a product"), *products]  # type: ignore[attr-defined]


class CompetitorForm(forms.Form):
    name = forms.CharField(max_length=200)
    website = forms.URLField(required=False, assume_scheme="https")
    summary = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    strengths = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    weaknesses = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    how_to_win = forms.CharField(
        label="How to win", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


def objection_rows(data: Any, existing: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The objection/answer rows of the form: posted ones, or the saved ones plus blank rows."""
    if data is None:
        return [*existing, *[("", "")] * BLANK_OBJECTION_ROWS]
    objections = data.getlist("objection")[:MAX_OBJECTION_ROWS]
    answers = data.getlist("answer")[:MAX_OBJECTION_ROWS]
    answers += [""] * (len(objections) - len(answers))
    return list(zip(objections, answers, strict=False))
