"""Panels that higher apps add to a lower app's page, without the lower app importing them.

A page that accepts panels names a *slot* (``"deal"``, ``"contact"``, ``"campaign"``) and renders
``{% panels "deal" deal %}`` (template tag library ``accord_panels``). An app registers a panel for
a slot in its ``AppConfig.ready``:

    panels.register("deal", "quotes", template="quotes/_deal_panel.html", context=deal_quotes, order=30)

``context(request, obj)`` returns the panel's template context, or None to leave the panel out
(nothing to show, or the user may not see it). Panels render in ``order``, then name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    slot: str
    name: str
    template: str
    context: PanelContext
    order: int = 50


_panels: dict[tuple[str, str], Panel] = {}


def register(slot: str, name: str, *, template: str, context: PanelContext, order: int = 50) -> None:
    """Register (or replace, so it is idempotent) the panel ``name`` on ``slot``."""
    _panels[(slot, name)] = Panel(slot, name, template, context, order)


def for_slot(slot: str) -> list[Panel]:
    return sorted((p for p in _panels.values() if p.slot == slot), key=lambda p: (p.order, p.name))


def render_context(slot: str, request: HttpRequest, obj: Any) -> list[tuple[Panel, dict[str, Any]]]:
    """The panels of ``slot`` that have something to show for ``obj``, with their contexts."""
    out = []
    for panel in for_slot(slot):
        ctx = panel.context(request, obj)
        if ctx is not None:
            out.append((panel, ctx))
    return out
