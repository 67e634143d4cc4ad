"""REST endpoints of the webforms app, mounted by ``accord/api.py`` under ``/api/forms``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Forms and gated content"])
