"""Read-only pages for contacts and companies.

Each list view serves the whole page and, for htmx requests, only its results partial
(``template#partial``), so searching and filtering re-render the table without a reload while the
same URL works as a plain page with JavaScript off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, can
from accord.contacts.forms import CompanyFilterForm, ContactFilterForm
from accord.contacts.models import Company, Contact, PropertyDefinition
from accord.core import timeline
from accord.core.timeline import TimelineEntry

LIST_PAGE_SIZE = 25
COMPANY_CONTACTS_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20
# How many entries sharing one timestamp a timeline page shows at most (see timeline_page).
TIMELINE_MAX_SAME_INSTANT = 500


# ---------------------------------------------------------------- helpers
def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, action: Action, resource: Resource, obj: Any = None) -> None:
    """403 unless the one permission module (accounts.permissions) allows it."""
    if not can(_user(request), action, resource, obj):
        raise PermissionDenied(f"You do not have permission to {action.value} this {resource.value}.")


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps in a fragment (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


@dataclass(frozen=True)
class Paging:
    page: Page[Any]
    page_range: list[int | str]  # page numbers with "…" gaps


def _paginate(request: HttpRequest, qs: QuerySet[Any], per_page: int) -> Paging:
    paginator = Paginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return Paging(page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)))


def _property_rows(object_type: str, properties: dict[str, Any]) -> list[tuple[str, str]]:
    """Custom properties as (label, text) pairs, labelled by their definitions."""
    if not properties:
        return []
    labels = dict(
        PropertyDefinition.objects.filter(object_type=object_type, key__in=list(properties)).values_list(
            "key", "label"
        )
    )
    rows = []
    for key, value in properties.items():
        if value is None or value == "":
            continue
        text = ("Yes" if value else "No") if isinstance(value, bool) else str(value)
        rows.append((labels.get(key, key), text))
    return sorted(rows, key=lambda row: row[0].lower())


# ---------------------------------------------------------------- timeline paging
@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    older_before: datetime | None  # pass as ``before`` to get the next (older) page; None: no more

    @property
    def older_query(self) -> str:
        return urlencode({"before": self.older_before.isoformat()}) if self.older_before else ""


def timeline_page(
    contact_id: int, *, before: datetime | None, size: int = TIMELINE_PAGE_SIZE
) -> TimelinePage:
    """One page of the contact's timeline, newest first.

    ``before`` is strict, so a page never ends in the middle of entries that share a timestamp:
    those move to the next page together (whose ``before`` is one microsecond later).
    """
    entries = timeline.for_contact(contact_id, limit=size + 1, before=before)
    if len(entries) <= size:
        return TimelinePage(entries, None)
    boundary = entries[size].at
    shown = [e for e in entries[:size] if e.at != boundary]
    if shown:
        return TimelinePage(shown, boundary + timedelta(microseconds=1))
    # More than a page of entries at one instant: show them all at once and move past it.
    same = timeline.for_contact(
        contact_id, limit=TIMELINE_MAX_SAME_INSTANT, before=boundary + timedelta(microseconds=1)
    )
    return TimelinePage([e for e in same if e.at == boundary], boundary)


def _parse_before(raw: str | None) -> datetime | None:
    """The ``before`` cursor; raises ValueError when it is not a date and time."""
    if not raw:
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        raise ValueError(raw)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


# ---------------------------------------------------------------- contacts
@require_GET
@login_required
@vary_on_headers("HX-Request")
def contact_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW, Resource.CONTACT)
    form = ContactFilterForm(request.GET, user=_user(request))
    contacts = form.filter(Contact.objects.select_related("owner", "company"))
    paging = _paginate(request, contacts, LIST_PAGE_SIZE)
    context = {
        "form": form,
        "paging": paging,
        # only asked when nothing matched: tells "no contacts yet" from "no match"
        "has_any": bool(paging.page.object_list) or Contact.objects.exists(),
    }
    template = "contacts/contact_list.html"
    return render(request, template + "#results" if _wants_partial(request) else template, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.VIEW, Resource.CONTACT)
    contact = get_object_or_404(Contact.objects.select_related("owner", "company"), pk=pk)
    try:
        before = _parse_before(request.GET.get("before"))
    except ValueError:
        return HttpResponseBadRequest("The 'before' parameter must be a date and time.")
    page = timeline_page(contact.pk, before=before)
    context: dict[str, Any] = {"contact": contact, "timeline": page, "before": before}
    if _wants_partial(request):
        return render(request, "contacts/contact_detail.html#timeline-page", context)
    context["properties"] = _property_rows(PropertyDefinition.ObjectType.CONTACT, contact.properties)
    context["open_activity_count"] = contact.activities.filter(done_at__isnull=True).count()
    return render(request, "contacts/contact_detail.html", context)


# ---------------------------------------------------------------- companies
@require_GET
@login_required
@vary_on_headers("HX-Request")
def company_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW, Resource.COMPANY)
    form = CompanyFilterForm(request.GET)
    companies = form.filter(Company.objects.select_related("owner").annotate(contact_count=Count("contacts")))
    paging = _paginate(request, companies, LIST_PAGE_SIZE)
    context = {
        "form": form,
        "paging": paging,
        "has_any": bool(paging.page.object_list) or Company.objects.exists(),
    }
    template = "contacts/company_list.html"
    return render(request, template + "#results" if _wants_partial(request) else template, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.VIEW, Resource.COMPANY)
    company = get_object_or_404(Company.objects.select_related("owner"), pk=pk)
    open_filter = Q(activities__done_at__isnull=True)
    contacts = (
        Contact.objects.filter(company=company)
        .select_related("owner")
        .annotate(open_activities=Count("activities", filter=open_filter))
        .order_by("last_name", "first_name", "id")
    )
    paging = _paginate(request, contacts, COMPANY_CONTACTS_PAGE_SIZE)
    context: dict[str, Any] = {"company": company, "paging": paging}
    if _wants_partial(request):
        return render(request, "contacts/company_detail.html#contacts", context)
    via_contacts = Contact.objects.filter(company=company).aggregate(
        n=Count("activities", filter=open_filter)
    )["n"]
    # activities filed on the company itself and not already counted through one of its contacts
    direct = company.activities.filter(done_at__isnull=True).exclude(contact__company=company).count()
    context["open_activity_count"] = via_contacts + direct
    context["properties"] = _property_rows(PropertyDefinition.ObjectType.COMPANY, company.properties)
    return render(request, "contacts/company_detail.html", context)
