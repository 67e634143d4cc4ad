"""``/l/<code>``: the short-link redirect. Public, cheap, and never an open redirect.

The response is a 302 to the destination stored with the link when it was created, and nothing
else: no query parameter, header or path part of the request can change where it goes. The only
parameter read is ``c``, a signed contact token, and only to attribute the click.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accord.campaigns.actions import ClickInfo, record_click
from accord.campaigns.destinations import check_http_url
from accord.campaigns.models import TrackingLink
from accord.core.errors import ActionError

logger = logging.getLogger("accord.campaigns")
ANONYMOUS_ID_COOKIE = "accord_aid"


def _click_info(request: HttpRequest) -> ClickInfo:
    return ClickInfo(
        ip=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.headers.get("User-Agent", ""),
        referrer=request.headers.get("Referer", ""),
        anonymous_id=request.COOKIES.get(ANONYMOUS_ID_COOKIE, ""),
        contact_token=request.GET.get("c", ""),
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    response = render(request, "campaigns/link_not_found.html", status=404)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def follow_link(request: HttpRequest, code: str) -> HttpResponse:
    """Redirect to the link's stored destination and record the click (GET only; HEAD requests,
    which link previewers send, are answered without counting)."""
    found = TrackingLink.objects.filter(code=code).values_list("pk", "campaign_id", "destination").first()
    if found is None:
        return _not_found(request)
    link_id, campaign_id, destination = found
    try:  # stored checked; checked again so a row edited behind the app's back cannot redirect anywhere
        check_http_url(destination, field="destination")
    except ActionError:
        logger.error("Tracking link %s has an unsafe stored destination; not redirecting", link_id)
        return _not_found(request)
    if request.method == "GET":
        try:
            record_click(link_id, campaign_id, _click_info(request))
        except DatabaseError:  # a lost click must never stop the visitor
            logger.exception("Could not record a click on tracking link %s", link_id)
    response = HttpResponseRedirect(destination)
    response["Cache-Control"] = "no-store"  # every click reaches us, so every click is counted
    response["X-Robots-Tag"] = "noindex"
    return response
