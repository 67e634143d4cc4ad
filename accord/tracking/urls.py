from django.urls import path

from accord.tracking import views
from accord.tracking.ingest import http

app_name = "tracking"

urlpatterns = [
    # Segment HTTP Tracking API (mounted at the site root, like api.segment.io)
    path("v1/identify", http.identify, name="v1_identify"),
    path("v1/track", http.track, name="v1_track"),
    path("v1/page", http.page, name="v1_page"),
    path("v1/screen", http.screen, name="v1_screen"),
    path("v1/group", http.group, name="v1_group"),
    path("v1/alias", http.alias, name="v1_alias"),
    path("v1/batch", http.batch, name="v1_batch"),
    path("v1/import", http.batch, name="v1_import"),  # Segment's historical-import alias of batch
    # The website snippet
    path("t/accord.js", views.snippet, name="snippet"),
    # Settings
    path("tracking/write-keys/", views.write_key_list, name="write_key_list"),
    path("tracking/write-keys/<int:pk>/revoke/", views.write_key_revoke, name="write_key_revoke"),
]
