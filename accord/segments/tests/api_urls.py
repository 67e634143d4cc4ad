"""URLs for the API tests: the project's URLs, with /api/ served by an API that mounts the segments
router exactly as accord/api.py will (same class, auth and error handling). Once the lead mounts
the router in accord/api.py these tests keep working unchanged."""

from __future__ import annotations

from django.urls import path

from accord.accounts.api_auth import api_auth
from accord.accounts.permissions import PermissionDenied
from accord.core.api_support import AccordNinjaAPI, register_error
from accord.segments.api import router
from accord.urls import urlpatterns as project_urlpatterns

api = AccordNinjaAPI(
    title="Segments test API", urls_namespace="segments-test-api", auth=api_auth(), docs_url=None
)
register_error(api, PermissionDenied, 403, "forbidden")
api.add_router("", router)

urlpatterns = [path("api/", api.urls), *project_urlpatterns]
