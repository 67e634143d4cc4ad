"""The public short-link redirect, mounted at the site root: ``path("", include("accord.campaigns.links_urls"))``."""

from django.urls import re_path

from accord.campaigns.views.redirect import follow_link

app_name = "links"

urlpatterns = [
    re_path(r"^l/(?P<code>[A-Za-z0-9_-]{1,16})/?$", follow_link, name="follow"),
]
