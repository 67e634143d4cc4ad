"""Quote pages: the list, a quote (lines edited with htmx, approval, negotiation log, status),
the printable quote, pending approvals for managers and the threshold setting.

Permissions (``Resource.QUOTE``) are checked for every page and every post, as in the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.models import Role, User
from accord.accounts.permissions import Action, Resource, can, check
from accord.accounts.permissions import PermissionDenied as NotAllowed
from accord.core.errors import ActionError, Forbidden, Invalid
from accord.core.numbers import ascii_int
from accord.quotes import actions
from accord.quotes.forms import (
    SCOPES,
    LineEditForm,
    LineForm,
    NegotiationForm,
    QuoteFilterForm,
    QuoteForm,
    QuoteHeaderForm,
    SettingsForm,
    first_error,
    show_errors,
)
from accord.quotes.models import Approval, Quote, QuoteLine, QuoteSettings
from accord.quotes.pdf import pdf_response
from accord.quotes.pricing import to_cents
from accord.sales.models import Deal

PAGE_SIZE = 25


@dataclass(frozen=True)
class Paging:
    page: Page[Any]
    page_range: list[int | str]


def paginate(request: HttpRequest, qs: QuerySet[Any]) -> Paging:
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return Paging(page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)))


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(
    request: HttpRequest, action: Action, obj: Any = None, resource: Resource = Resource.QUOTE
) -> None:
    try:
        check(_user(request), action, resource, obj)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _quote(pk: int) -> Quote:
    return get_object_or_404(
        Quote.objects.select_related("deal", "owner", "price_list", "deal__company"), pk=pk
    )


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "quotes/forbidden.html", {"message": message}, status=403)


# ---------------------------------------------------------------------- list
def team_ids(user: User) -> set[int]:
    """The user's team and the teams they manage: the "team" scope of the list."""
    ids = set(user.managed_teams.values_list("pk", flat=True))
    if user.team_id is not None:
        ids.add(user.team_id)
    return ids


def default_scope(user: User, teams: set[int]) -> str:
    """Sales managers with a team see their team's quotes; those who quote see theirs; else all."""
    if teams and user.effective_role == Role.SALES_MANAGER:
        return "team"
    if can(user, Action.ADD, Resource.QUOTE) and user.quotes.exists():
        return "mine"
    return "all"


def needs_approval_q(limit: Decimal) -> Q:
    """Waiting for a decision, or a draft with a line discount above the threshold (approval first)."""
    return Q(status=Quote.Status.PENDING) | Q(status=Quote.Status.DRAFT, max_discount__gt=limit)


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    count: int
    amount: Decimal


def totals_by_currency(qs: QuerySet[Quote]) -> list[CurrencyTotal]:
    """Count and sum of the quotes' totals per currency (one grouped query over the filtered set)."""
    rows = qs.order_by().values("currency").annotate(n=Count("id"), amount=Sum("total")).order_by("currency")
    return [CurrencyTotal(r["currency"], r["n"], to_cents(Decimal(r["amount"] or 0))) for r in rows]


@require_http_methods(["GET"])
@login_required
def quote_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    user = _user(request)
    form = QuoteFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    teams = team_ids(user)
    scope = data.get("scope") or default_scope(user, teams)
    limit = actions.threshold()
    qs = Quote.objects.select_related("deal", "owner").order_by("-created_at", "-id")
    if scope == "mine":
        qs = qs.filter(owner=user)
    elif scope == "team":
        qs = qs.filter(owner__team_id__in=teams)  # no team: nothing
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("owner"):
        qs = qs.filter(owner=data["owner"])
    if data.get("needs_approval"):
        qs = qs.filter(needs_approval_q(limit))
    totals = totals_by_currency(qs)
    context = {
        "form": form,
        "scope": scope,
        "scopes": [(key, label) for key, label in SCOPES if key != "team" or teams or scope == "team"],
        "has_team": bool(teams),
        "filtered": bool(data.get("status") or data.get("owner") or data.get("needs_approval")),
        "paging": paginate(request, qs),
        "totals": totals,
        "total_count": sum(t.count for t in totals),
        "threshold": limit,
        "can_approve": can(user, Action.APPROVE, Resource.QUOTE),
    }
    template = "quotes/quote_list.html"
    if _wants_partial(request):
        template += "#results"
    return render(request, template, context)


# ---------------------------------------------------------------------- create
@require_http_methods(["GET", "POST"])
@login_required
def quote_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ADD)
    deal_id = request.GET.get("deal") or request.POST.get("deal") or ""
    deal_pk = ascii_int(deal_id)
    deal = get_object_or_404(Deal, pk=deal_pk) if deal_pk is not None else None
    if deal is None:
        messages.error(request, "Start a quote from a deal's page (“New quote”).")
        return redirect("quotes:quote_list")
    _require(request, Action.CHANGE, deal, Resource.DEAL)
    form = QuoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quote = actions.create_quote(deal, by=_user(request), **form.cleaned_data)
        except ActionError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"{quote.number} created. Add its lines below.")
            return redirect(quote)
    return render(
        request, "quotes/quote_form.html", {"form": form, "deal": deal}, status=422 if form.errors else 200
    )


# ---------------------------------------------------------------------- one quote
def _detail_context(request: HttpRequest, quote: Quote, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    limit = actions.threshold()
    pending = (
        quote.approvals.filter(decision=Approval.Decision.PENDING).select_related("requested_by").first()
    )
    may_change = can(user, Action.CHANGE, Resource.QUOTE, quote) and quote.deal.status == Deal.Status.OPEN
    return {
        **_header_context(request, quote),
        "lines": list(quote.lines.select_related("product")),
        "threshold": limit,
        "needs_approval": actions.needs_approval(quote, limit),
        "may_change": may_change,
        "may_edit_lines": may_change and quote.status in actions.EDITABLE,
        "may_decide": (
            pending is not None
            and can(user, Action.APPROVE, Resource.QUOTE, quote)
            and pending.requested_by_id != user.pk
            and quote.owner_id != user.pk
        ),
        "pending": pending,
        "approvals": quote.approvals.select_related("requested_by", "decided_by"),
        "negotiation": quote.negotiation.select_related("author"),
        "line_form": extra.pop("line_form", None) or LineForm(),
        "negotiation_form": extra.pop("negotiation_form", None) or NegotiationForm(),
        **extra,
    }


@require_http_methods(["GET"])
@login_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(pk)
    _require(request, Action.VIEW, quote)
    if _wants_partial(request) and request.GET.get("part") == "header":  # "Cancel" on the details form
        return render(request, "quotes/quote_detail.html#header", _header_context(request, quote))
    return render(request, "quotes/quote_detail.html", _detail_context(request, quote))


# ---------------------------------------------------------------------- the quote's details
def _header_context(request: HttpRequest, quote: Quote, **extra: Any) -> dict[str, Any]:
    """What the header partial needs: the quote and whether "Edit details" is offered."""
    may_edit = (
        can(_user(request), Action.CHANGE, Resource.QUOTE, quote)
        and quote.deal.status == Deal.Status.OPEN
        and quote.status in actions.EDITABLE
    )
    return {"quote": quote, "may_edit_details": may_edit, **extra}


@require_http_methods(["GET", "POST"])
@login_required
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the title, validity and terms: the form replaces the header in place with htmx (errors
    come back as 200 so htmx swaps them in), or is a page of its own without JavaScript (422 / 409)."""
    quote = _quote(pk)
    _require(request, Action.CHANGE, quote)
    partial = _wants_partial(request)
    form = QuoteHeaderForm.for_quote(quote, request.POST if request.method == "POST" else None)
    locked, status = "", 200
    if request.method == "GET":
        try:
            actions.refuse_locked_details(quote)
        except ActionError as exc:
            locked, status = exc.message, exc.status
    elif not form.is_valid():
        status = 422
    else:
        try:
            actions.update_quote(quote, by=_user(request), **form.cleaned_data)
        except Invalid as exc:
            show_errors(form, exc)
            status = exc.status
        except ActionError as exc:  # sent or the deal closed: nothing to edit any more
            locked, status = exc.message, exc.status
        else:
            if partial:
                return render(
                    request, "quotes/quote_detail.html#header",
                    _header_context(request, quote, header_saved=True),
                )  # fmt: skip
            messages.success(request, "Quote details saved.")
            return redirect(quote)
    context = {"quote": quote, "form": form, "locked": locked}
    if partial:
        return render(request, "quotes/_header_form.html", context)
    return render(request, "quotes/quote_edit.html", context, status=status)


def _lines_response(request: HttpRequest, quote: Quote, **extra: Any) -> HttpResponse:
    """The lines and totals partial for htmx, else back to the quote page."""
    if _wants_partial(request):
        quote.refresh_from_db()
        status = 422 if extra.get("line_error") else 200
        context = _detail_context(request, quote, **extra)
        # quotes.js swaps the 422 in too, so the message shows beside the lines
        return render(request, "quotes/quote_detail.html#lines", context, status=status)
    if extra.get("line_error"):
        messages.error(request, extra["line_error"])
    return redirect(quote)


@require_POST
@login_required
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(pk)
    _require(request, Action.CHANGE, quote)
    form = LineForm(request.POST)
    if not form.is_valid():
        return _lines_response(request, quote, line_form=form, line_error=first_error(form))
    try:
        actions.add_line(
            quote, by=_user(request), product=form.cleaned_data["product"],
            quantity=form.cleaned_data["quantity"], discount_percent=form.cleaned_data["discount_percent"] or 0,
        )  # fmt: skip
    except ActionError as exc:
        return _lines_response(request, quote, line_form=form, line_error=exc.message)
    return _lines_response(request, quote)


@require_POST
@login_required
def line_update(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    quote = _quote(pk)
    _require(request, Action.CHANGE, quote)
    line = get_object_or_404(QuoteLine, pk=line_pk, quote=quote)
    form = LineEditForm(request.POST)
    if not form.is_valid():
        return _lines_response(request, quote, line_error=first_error(form))
    try:
        actions.update_line(
            line, by=_user(request), quantity=form.cleaned_data["quantity"],
            discount_percent=form.cleaned_data["discount_percent"] or 0,
        )  # fmt: skip
    except ActionError as exc:
        return _lines_response(request, quote, line_error=exc.message)
    return _lines_response(request, quote)


@require_POST
@login_required
def line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    quote = _quote(pk)
    _require(request, Action.CHANGE, quote)
    line = get_object_or_404(QuoteLine, pk=line_pk, quote=quote)
    try:
        actions.remove_line(line, by=_user(request))
    except ActionError as exc:
        return _lines_response(request, quote, line_error=exc.message)
    return _lines_response(request, quote)


def _run(request: HttpRequest, quote: Quote, done: str, step: Any) -> HttpResponse:
    try:
        step()
    except Forbidden as exc:
        return _forbidden(request, exc.message)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(quote)


@require_POST
@login_required
def request_approval(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(pk)
    _require(request, Action.CHANGE, quote)
    note = request.POST.get("note", "")
    return _run(
        request, quote, "Approval requested; your sales manager has been notified.",
        lambda: actions.request_approval(quote, by=_user(request), note=note),
    )  # fmt: skip


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or deny the pending request (``decision`` = approve | deny, with a ``comment``)."""
    quote = _quote(pk)
    user = _user(request)
    _require(request, Action.VIEW, quote)
    try:
        actions.refuse_own_request(quote, user)  # the clearer message first, whatever the role
    except Forbidden as exc:
        return _forbidden(request, exc.message)
    _require(request, Action.APPROVE, quote)
    comment = request.POST.get("comment", "")
    if request.POST.get("decision") == "deny":
        return _run(request, quote, "Discount denied.", lambda: actions.deny(quote, by=user, comment=comment))
    return _run(
        request, quote, "Discount approved.", lambda: actions.approve(quote, by=user, comment=comment)
    )


@require_POST
@login_required
def negotiation_add(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(pk)
    _require(request, Action.CHANGE, quote)
    form = NegotiationForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(quote)
    return _run(
        request, quote, "Negotiation note added.",
        lambda: actions.log_negotiation(quote, by=_user(request), **form.cleaned_data),
    )  # fmt: skip


@require_POST
@login_required
def change_status(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    quote = _quote(pk)
    user = _user(request)
    _require(request, Action.CHANGE, quote)
    if step == "send":
        return _run(request, quote, "Marked as sent.", lambda: actions.mark_sent(quote, by=user))
    if step == "accept":
        set_amount = request.POST.get("set_deal_amount") == "on"
        if set_amount:
            _require(request, Action.CHANGE, quote.deal, Resource.DEAL)
        done = "Accepted" + (
            f"; the deal's amount is now {quote.total} {quote.currency}." if set_amount else "."
        )
        return _run(request, quote, done, lambda: actions.accept(quote, by=user, set_deal_amount=set_amount))
    reason = request.POST.get("reason", "")
    return _run(request, quote, "Marked as declined.", lambda: actions.decline(quote, by=user, reason=reason))


@require_http_methods(["GET"])
@login_required
def quote_print(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(pk)
    _require(request, Action.VIEW, quote)
    return render(
        request,
        "quotes/quote_print.html",
        {"quote": quote, "lines": list(quote.lines.select_related("product")), "deal": quote.deal},
    )


@require_http_methods(["GET"])
@login_required
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote as a PDF download (:mod:`accord.quotes.pdf`)."""
    quote = _quote(pk)
    _require(request, Action.VIEW, quote)
    return pdf_response(quote)


# ---------------------------------------------------------------------- managers
@require_http_methods(["GET"])
@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    """Quotes waiting for a discount decision, with the request; one's own are listed apart."""
    _require(request, Action.APPROVE)
    user = _user(request)
    pending = Approval.objects.filter(decision=Approval.Decision.PENDING).select_related(
        "quote", "quote__deal", "quote__owner", "requested_by"
    )
    return render(
        request,
        "quotes/approval_list.html",
        {
            "paging": paginate(
                request,
                pending.exclude(requested_by=user).exclude(quote__owner=user).order_by("requested_at", "id"),
            ),
            "own": pending.filter(requested_by=user).order_by("requested_at", "id")[:20],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def quote_settings(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW)
    row = QuoteSettings.current()
    may_edit = can(_user(request), Action.APPROVE, Resource.QUOTE)
    form = SettingsForm(request.POST or None, initial={"discount_threshold": row.discount_threshold})
    if request.method == "POST":
        _require(request, Action.APPROVE)
        if form.is_valid():
            try:
                actions.set_discount_threshold(form.cleaned_data["discount_threshold"], by=_user(request))
            except ActionError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, "Approval threshold saved.")
                return redirect(reverse("quotes:settings"))
    return render(
        request,
        "quotes/settings.html",
        {"form": form, "row": row, "may_edit": may_edit},
        status=422 if form.errors else 200,
    )
