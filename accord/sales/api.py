"""REST endpoints for pipelines, deals and activities, mounted under ``/api/sales``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Sales"])
