"""REST endpoints of the catalog app, mounted by ``accord/api.py`` under ``/api/catalog``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Products and competitors"])
