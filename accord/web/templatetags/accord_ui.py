"""Small presentation helpers for Accord's templates: icons and timeline markers."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Icon names are the <symbol> ids in web/_icons.html (without the "i-" prefix).
_ENTRY_ICONS: dict[str, str] = {
    # touchpoints
    "page": "eye",
    "screen": "eye",
    "form_submit": "form",
    "email_open": "mail",
    "email_click": "mail",
    "ad_click": "cursor",
    "event_attended": "calendar",
    "content_download": "download",
    # activities
    "call": "phone",
    "meeting": "calendar",
    "demo": "calendar",
    "task": "check",
    "note": "note",
    "email": "mail",
    "discovery": "note",
    "objection": "chat",
    # lifecycle
    "stage": "flag",
}
_KIND_LABELS: dict[str, str] = {"touchpoint": "Touchpoint", "stage": "Stage change", "activity": "Activity"}


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    """An icon from the sprite; decorative unless ``label`` is given."""
    if label:
        return format_html(
            '<svg class="icon" role="img" aria-label="{}"><use href="#i-{}"></use></svg>', label, name
        )
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-{}"></use></svg>', name
    )


@register.filter
def entry_icon(entry: Any) -> str:
    """The icon for a timeline entry: by its own icon hint, else by its kind."""
    return _ENTRY_ICONS.get(getattr(entry, "icon", ""), _ENTRY_ICONS.get(getattr(entry, "kind", ""), "bolt"))


@register.filter
def entry_kind_label(kind: str) -> str:
    return _KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


@register.filter
def initials(person: Any) -> str:
    """Two letters for an avatar: first and last name, else the start of the email/username."""
    first = (getattr(person, "first_name", "") or "").strip()
    last = (getattr(person, "last_name", "") or "").strip()
    if first or last:
        return f"{first[:1]}{last[:1]}".upper()
    fallback = getattr(person, "email", "") or getattr(person, "username", "") or "?"
    return str(fallback)[:2].upper()
