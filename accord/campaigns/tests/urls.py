"""The site's URLs plus what the campaigns app asks the lead to mount (see docs/campaigns.md):
the short-link redirect at the root and the API router under ``/api/campaigns``."""

from django.urls import include, path

from accord.campaigns.tests.api_mount import api
from accord.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("", include("accord.campaigns.links_urls")),
    path("api/", api.urls),
    *site_urlpatterns,
]
