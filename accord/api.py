"""The REST API: one NinjaAPI assembled from each app's router. OpenAPI at /api/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Accord API",
    version="1",
    description="REST API of Accord. Authenticate with `Authorization: Bearer <API key>`.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
