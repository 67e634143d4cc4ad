"""REST endpoints of the quotes app, mounted by ``accord/api.py`` under ``/api/quotes``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Quotes"])
