"""Forms of the scoring settings page. They parse input; the actions validate the rules themselves
(condition trees, points, windows) and their errors are put back on the form by :func:`apply_errors`."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from accord.core.errors import ActionError
from accord.scoring.models import MAX_DAYS, MAX_POINTS, EngagementRule, FitRule
from accord.tracking.models import EventType

FIT_EXAMPLE = '{"field": "company.size", "op": "in", "value": ["201-1000", "1001-5000"]}'
PROPERTIES_EXAMPLE = '[{"key": "url", "op": "contains", "value": "/pricing"}]'
_JSON_ATTRS = {"rows": 4, "spellcheck": "false", "class": "code-input"}


class JsonField(forms.CharField):
    """A JSON value typed in a text area; ``expect`` is dict or list."""

    def __init__(self, *, expect: type, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs=_JSON_ATTRS))
        super().__init__(**kwargs)
        self.expect = expect

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return value

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return self.expect()
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"This is not valid JSON ({exc}).") from exc
        if not isinstance(data, self.expect):
            raise forms.ValidationError(f"Must be a JSON {'object' if self.expect is dict else 'list'}.")
        return data


class FitRuleForm(forms.Form):
    name = forms.CharField(max_length=120)
    condition = JsonField(
        expect=dict,
        help_text=f"A segment filter over contact and company fields, e.g. {FIT_EXAMPLE}. Combine with "
        '{"and": […]}, {"or": […]}, {"not": …}.',
    )
    points = forms.IntegerField(
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text="Added when the condition holds; may be negative.",
    )
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: FitRule) -> FitRuleForm:
        return cls(
            initial={
                "name": rule.name,
                "condition": rule.condition,
                "points": rule.points,
                "active": rule.active,
            }
        )


class EngagementRuleForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Reads as an action: “Visited the pricing page”.")
    event_type = forms.ChoiceField(choices=EventType.choices)
    event_name = forms.CharField(
        max_length=200, required=False, help_text="Only events with this exact name."
    )
    property_conditions = JsonField(
        expect=list,
        required=False,
        help_text=f"Conditions on the event's properties, e.g. {PROPERTIES_EXAMPLE}.",
    )
    points = forms.IntegerField(
        min_value=-MAX_POINTS, max_value=MAX_POINTS, help_text="Per occurrence, when it just happened."
    )
    cap = forms.IntegerField(
        min_value=1,
        max_value=100 * MAX_POINTS,
        required=False,
        help_text="The most this rule can add. Empty: no cap.",
    )
    half_life_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        initial=30,
        help_text="An occurrence counts half after this many days.",
    )
    window_days = forms.IntegerField(
        min_value=1, max_value=MAX_DAYS, initial=90, help_text="Older occurrences do not count at all."
    )
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: EngagementRule) -> EngagementRuleForm:
        return cls(
            initial={
                name: getattr(rule, name)
                for name in (
                    "name",
                    "event_type",
                    "event_name",
                    "property_conditions",
                    "points",
                    "cap",
                    "half_life_days",
                    "window_days",
                    "active",
                )  # fmt: skip
            }
        )


class ThresholdForm(forms.Form):
    mql_threshold = forms.IntegerField(
        min_value=1,
        max_value=100_000,
        label="MQL threshold",
        help_text="Contacts at or above this score become MQLs.",
    )


def apply_errors(form: forms.Form, error: ActionError) -> None:
    """Put an action's ``field_errors`` on the form: ``condition.and.0.value`` goes under
    ``condition`` with its path; unknown keys become form-wide errors."""
    if not error.field_errors:
        form.add_error(None, error.message)
        return
    for path, messages in error.field_errors.items():
        name, _, rest = path.partition(".")
        field = name if name in form.fields else None
        for message in messages:
            form.add_error(field, f"In {path}: {message}" if field and rest else message)
