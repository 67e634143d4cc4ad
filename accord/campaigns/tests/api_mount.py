"""A NinjaAPI for the tests, configured like ``accord/api.py``, with the campaigns router mounted
where the project mounts it (``/api/campaigns``)."""

from __future__ import annotations

from accord.accounts.api_auth import api_auth
from accord.accounts.permissions import PermissionDenied
from accord.campaigns.api import router
from accord.core.api_support import AccordNinjaAPI, register_error

api = AccordNinjaAPI(
    title="Accord API (campaigns tests)", version="1", urls_namespace="campaigns-test-api", auth=api_auth()
)
register_error(api, PermissionDenied, 403, "forbidden")
api.add_router("/campaigns", router)
