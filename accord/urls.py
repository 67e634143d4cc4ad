from django.contrib import admin
from django.urls import include, path

from accord.api import api
from accord.web.urls import auth_urlpatterns

urlpatterns = [
    path("", include("accord.web.urls")),
    path("contacts/", include("accord.contacts.urls")),
    path("campaigns/", include("accord.campaigns.urls")),
    path("segments/", include("accord.segments.urls")),
    path("scoring/", include("accord.scoring.urls")),
    path("integrations/", include("accord.integrations.urls")),
    path("forms/", include("accord.webforms.urls")),
    path("leads/", include("accord.handoff.urls")),
    path("sales/", include("accord.sales.urls")),
    path("catalog/", include("accord.catalog.urls")),
    path("quotes/", include("accord.quotes.urls")),
    path("", include("accord.tracking.urls")),
    path("", include("accord.campaigns.links_urls")),
    path("account/", include("accord.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    *auth_urlpatterns,
]
