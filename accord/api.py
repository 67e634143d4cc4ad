"""The REST API: one NinjaAPI assembled from each app's router. OpenAPI at /api/openapi.json."""

from __future__ import annotations

from accord.accounts.api_auth import api_auth
from accord.accounts.permissions import PermissionDenied
from accord.campaigns.api import router as campaigns_router
from accord.catalog.api import router as catalog_router
from accord.contacts.api import router as contacts_router
from accord.core.api_support import AccordNinjaAPI, register_error
from accord.handoff.api import router as handoff_router
from accord.lifecycle.actions import StageChangeError
from accord.quotes.api import router as quotes_router
from accord.sales.api import router as sales_router
from accord.scoring.api import router as scoring_router
from accord.segments.api import router as segments_router
from accord.webforms.api import router as webforms_router

DESCRIPTION = """\
REST API of Accord.

**Authentication.** Every request carries an API key in a header: `Authorization: Bearer <key>`
(or `X-API-Key: <key>`). A key in the URL is refused with 400, even next to a valid header.

**Errors.** Every error has the body `{"code": str, "message": str, "field_errors": {field: [str]}}`;
`code` is stable (`unauthorized`, `forbidden`, `not_found`, `invalid`, `malformed_json`,
`duplicate_email`, …) and `field_errors` names the request fields at fault.

**Lists** take `page` (from 1) and `page_size` and return `{items, count, page, page_size, next,
previous}`; a page past the end is empty, not an error.
"""

api = AccordNinjaAPI(
    title="Accord API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=api_auth(),
)
register_error(api, PermissionDenied, 403, "forbidden")
register_error(api, StageChangeError, 422, "invalid_stage_change", field="lifecycle_stage")

api.add_router("", contacts_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/segments", segments_router)
api.add_router("/scoring", scoring_router)
api.add_router("/forms", webforms_router)
api.add_router("/leads", handoff_router)
api.add_router("/sales", sales_router)
api.add_router("/catalog", catalog_router)
api.add_router("/quotes", quotes_router)
