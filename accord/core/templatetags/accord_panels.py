"""``{% panels "slot" obj %}``: render the panels other apps registered for a page (core/panels.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from accord.core import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str, obj: Any) -> SafeString:
    request = context["request"]
    parts = [
        render_to_string(panel.template, {**ctx, "panel_obj": obj}, request=request)
        for panel, ctx in registry.render_context(slot, request, obj)
    ]
    return mark_safe("".join(parts))  # noqa: S308 -- each part is an auto-escaped template render
