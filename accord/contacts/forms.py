"""Filter forms of the contact and company lists (read-only: they only narrow a queryset)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from accord.accounts.models import User
from accord.contacts.models import Company, Contact
from accord.lifecycle.stages import LifecycleStage

OWNER_ANY = ""
OWNER_ME = "me"
OWNER_NONE = "none"

CONTACT_SORTS: dict[str, tuple[str, Any]] = {
    # value: (label, ordering)
    "-created": ("Newest first", ("-created_at", "-id")),
    "created": ("Oldest first", ("created_at", "id")),
    "name": ("Name A–Z", (Lower("last_name"), Lower("first_name"), "email", "id")),
    "-name": ("Name Z–A", (Lower("last_name").desc(), Lower("first_name").desc(), "-email", "-id")),
}
DEFAULT_CONTACT_SORT = "-created"
MAX_QUERY_LENGTH = 200


def _search_terms(q: str) -> list[str]:
    """Words of the search box; every word must match one of the searched fields."""
    return q.split()[:8]


class _FilterForm(forms.Form):
    """A GET filter form: values that are missing or not valid are simply not applied."""

    filter_fields: tuple[str, ...] = ()

    def value(self, name: str) -> str:
        if self.is_bound and not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(getattr(self, "cleaned_data", {}).get(name) or "")

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in self.filter_fields)


class ContactFilterForm(_FilterForm):
    filter_fields = ("q", "stage", "owner")

    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        label="Search contacts",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search name, email or company", "autocomplete": "off"}
        ),
    )
    stage = forms.ChoiceField(
        required=False,
        label="Lifecycle stage",
        choices=[("", "All stages"), *LifecycleStage.choices],
    )
    owner = forms.ChoiceField(required=False, label="Owner")
    sort = forms.ChoiceField(
        required=False,
        label="Sort",
        choices=[(value, label) for value, (label, _) in CONTACT_SORTS.items()],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        owners = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        owner_field = cast(forms.ChoiceField, self.fields["owner"])
        owner_field.choices = [
            (OWNER_ANY, "Any owner"),
            (OWNER_ME, "Mine"),
            (OWNER_NONE, "Unassigned"),
            *((str(u.pk), str(u)) for u in owners),
        ]

    def filter(self, qs: QuerySet[Contact]) -> QuerySet[Contact]:
        for term in _search_terms(self.value("q")):
            qs = qs.filter(
                Q(email__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(company__name__icontains=term)
            )
        if stage := self.value("stage"):
            qs = qs.filter(lifecycle_stage=stage)
        owner = self.value("owner")
        if owner == OWNER_ME:
            qs = qs.filter(owner=self.user)
        elif owner == OWNER_NONE:
            qs = qs.filter(owner__isnull=True)
        elif owner:
            qs = qs.filter(owner_id=int(owner))
        _, ordering = CONTACT_SORTS[self.value("sort") or DEFAULT_CONTACT_SORT]
        return qs.order_by(*ordering)


class CompanyFilterForm(_FilterForm):
    filter_fields = ("q",)

    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        label="Search companies",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search name or domain", "autocomplete": "off"}
        ),
    )

    def filter(self, qs: QuerySet[Company]) -> QuerySet[Company]:
        for term in _search_terms(self.value("q")):
            qs = qs.filter(Q(name__icontains=term) | Q(domain__icontains=term))
        return qs.order_by(Lower("name"), "id")
