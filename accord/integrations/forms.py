"""Forms of the import pages: the upload, and the column mapping built from the file's header."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from accord.integrations.mapping import IGNORE, Target
from accord.integrations.models import ImportJob


class UploadForm(forms.Form):
    object_type = forms.ChoiceField(label="The file holds", widget=forms.RadioSelect)
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,text/csv,text/plain"}),
        error_messages={"required": "Choose a CSV file to upload.", "empty": "The file is empty."},
    )

    def __init__(self, *args: Any, types: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["object_type"])
        field.choices = list(types)
        if len(types) == 1:
            field.initial = types[0][0]
        elif not self.is_bound:
            field.initial = ImportJob.ObjectType.CONTACT


def column_field_name(index: int) -> str:
    return f"col-{index}"


class MappingForm(forms.Form):
    """One select per column (a field, a custom property, or "Don't import"), and the duplicate mode."""

    on_duplicate = forms.ChoiceField(
        label="When a row matches an existing record",
        choices=ImportJob.OnDuplicate.choices,
        widget=forms.RadioSelect,
        initial=ImportJob.OnDuplicate.UPDATE,
    )

    def __init__(
        self,
        *args: Any,
        headers: Sequence[str],
        targets: Sequence[Target],
        suggested: Sequence[str],
        allow_update: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        groups: dict[str, list[tuple[str, str]]] = {}
        for target in targets:
            groups.setdefault(target.group, []).append((target.key, target.label))
        choices: list[Any] = [(IGNORE, "Don't import"), *groups.items()]
        for i, header in enumerate(headers):
            self.fields[column_field_name(i)] = forms.ChoiceField(
                label=header,
                required=False,
                choices=choices,
                initial=suggested[i] if i < len(suggested) else IGNORE,
            )
        duplicate = cast(forms.ChoiceField, self.fields["on_duplicate"])
        if not allow_update:
            duplicate.choices = [(ImportJob.OnDuplicate.SKIP, ImportJob.OnDuplicate.SKIP.label)]
            duplicate.initial = ImportJob.OnDuplicate.SKIP

    def columns(self) -> list[forms.BoundField]:
        return [self[column_field_name(i)] for i in range(len(self.headers))]

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(column_field_name(i)) or IGNORE for i in range(len(self.headers))]

    def add_action_errors(self, field_errors: dict[str, list[str]], message: str) -> None:
        """Show an action's :class:`~accord.core.errors.Invalid` beside the columns it names."""
        shown = False
        for name, messages in field_errors.items():
            if name in self.fields:
                for m in messages:
                    self.add_error(name, m)
                shown = True
            elif name == "__all__":
                for m in messages:
                    self.add_error(None, m)
                shown = True
        if not shown:
            self.add_error(None, message)
