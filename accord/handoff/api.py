"""REST endpoints of the handoff app, mounted by ``accord/api.py`` under ``/api/leads``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Handoff (routing, SLA, verdicts, BANT)"])
