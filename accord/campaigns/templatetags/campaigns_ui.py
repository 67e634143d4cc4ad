"""Presentation helpers for the campaign pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent_of(part: Decimal | int | None, whole: Decimal | int | None) -> int | None:
    """``part`` as a whole percentage of ``whole``; None without a whole."""
    if not whole:
        return None
    return round(Decimal(part or 0) * 100 / Decimal(whole))


@register.filter
def bar_width(percent: int | None) -> int:
    """A percentage as a bar width: 0–100."""
    return max(0, min(100, percent or 0))
