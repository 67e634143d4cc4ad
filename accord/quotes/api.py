"""REST endpoints of the quotes app, mounted by ``accord/api.py`` under ``/api/quotes``.

Permissions (``Resource.QUOTE``): everyone in sales reads quotes; account executives add quotes on
deals they may change and change their own; sales managers and admins change all and approve
discounts — never their own request (403 ``own_request``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from accord.accounts.api_auth import api_user
from accord.accounts.models import User
from accord.accounts.permissions import Action, Resource, check
from accord.catalog.models import PriceList, Product
from accord.core.api_support import Page, error_responses, paginate
from accord.core.errors import NotFound
from accord.quotes import actions
from accord.quotes.models import Quote, QuoteLine, QuoteSettings
from accord.quotes.pdf import pdf_response
from accord.quotes.schemas import (
    AcceptIn,
    CommentIn,
    DeclineIn,
    LineCreate,
    LineOut,
    LineUpdate,
    NegotiationIn,
    NegotiationOut,
    NoteIn,
    QuoteCreate,
    QuoteDetailOut,
    QuoteOut,
    QuoteQuery,
    QuoteUpdate,
    SettingsIO,
    SettingsOut,
)
from accord.sales.models import Deal

router = Router(tags=["Quotes"])

READ = error_responses(401, 403, 404)
WRITE = error_responses(400, 401, 403, 404, 409, 422)


def _quote(quote_id: int) -> Quote:
    quote = Quote.objects.select_related("deal", "owner").filter(pk=quote_id).first()
    if quote is None:
        raise NotFound(f"Quote {quote_id} does not exist.")
    return quote


def _out(quote: Quote, limit: Decimal | None = None) -> dict[str, Any]:
    data = {f: getattr(quote, f) for f in QuoteOut.model_fields if f != "needs_approval"}
    data["needs_approval"] = actions.needs_approval(quote, limit)
    return data


def _detail(quote: Quote) -> dict[str, Any]:
    return {
        **_out(quote),
        "lines": list(quote.lines.select_related("product")),
        "approvals": list(quote.approvals.all()),
        "negotiation": list(quote.negotiation.all()),
    }


def _changeable(request: HttpRequest, quote_id: int) -> tuple[User, Quote]:
    user, quote = api_user(request), _quote(quote_id)
    check(user, Action.CHANGE, Resource.QUOTE, quote)
    return user, quote


def _line(quote: Quote, line_id: int) -> QuoteLine:
    line = QuoteLine.objects.filter(pk=line_id, quote=quote).first()
    if line is None:
        raise NotFound(f"Line {line_id} is not on quote {quote.pk}.")
    line.quote = quote
    return line


@router.get("", response={200: Page[QuoteOut], **error_responses(401, 403, 422)})
def list_quotes(request: HttpRequest, query: Query[QuoteQuery]) -> dict[str, Any]:
    """Quotes, newest first; `mine`, `status` and `deal_id` filter."""
    user = api_user(request)
    check(user, Action.VIEW, Resource.QUOTE)
    qs = Quote.objects.order_by("-created_at", "-id")
    if query.mine:
        qs = qs.filter(owner=user)
    if query.status:
        qs = qs.filter(status=query.status)
    if query.deal_id:
        qs = qs.filter(deal_id=query.deal_id)
    page = paginate(request, qs, query)
    limit = actions.threshold()
    page["items"] = [_out(q, limit) for q in page["items"]]
    return page


@router.post("", response={201: QuoteDetailOut, **WRITE})
def create_quote(request: HttpRequest, payload: QuoteCreate) -> Status[dict[str, Any]]:
    """Start a draft quote on a deal you may change (its currency is the price list's, else the deal's)."""
    user = api_user(request)
    check(user, Action.ADD, Resource.QUOTE)
    deal = Deal.objects.filter(pk=payload.deal_id).first()
    if deal is None:
        raise NotFound(f"Deal {payload.deal_id} does not exist.", field_errors={"deal_id": ["No such deal."]})
    check(user, Action.CHANGE, Resource.DEAL, deal)
    price_list = None
    if payload.price_list_id is not None:
        price_list = PriceList.objects.filter(pk=payload.price_list_id).first()
        if price_list is None:
            raise NotFound("No such price list.", field_errors={"price_list_id": ["No such price list."]})
    quote = actions.create_quote(
        deal, by=user, title=payload.title, price_list=price_list,
        valid_until=payload.valid_until, terms=payload.terms,
    )  # fmt: skip
    return Status(201, _detail(quote))


@router.get("/settings", response={200: SettingsOut, **READ})
def get_settings(request: HttpRequest) -> QuoteSettings:
    check(api_user(request), Action.VIEW, Resource.QUOTE)
    return QuoteSettings.current()


@router.put("/settings", response={200: SettingsOut, **WRITE})
def put_settings(request: HttpRequest, payload: SettingsIO) -> QuoteSettings:
    """Set the discount threshold (sales managers and admins: those who may approve)."""
    user = api_user(request)
    check(user, Action.APPROVE, Resource.QUOTE)
    return actions.set_discount_threshold(payload.discount_threshold, by=user)


@router.get("/approvals", response={200: Page[QuoteOut], **error_responses(401, 403, 422)})
def pending_approvals(request: HttpRequest, query: Query[QuoteQuery]) -> dict[str, Any]:
    """Quotes waiting for a discount decision that you may take (not your own requests)."""
    user = api_user(request)
    check(user, Action.APPROVE, Resource.QUOTE)
    qs = (
        Quote.objects.filter(status=Quote.Status.PENDING)
        .exclude(owner=user)
        .exclude(Q(approvals__decision="pending") & Q(approvals__requested_by=user))
        .order_by("updated_at", "id")
    )
    page = paginate(request, qs, query)
    page["items"] = [_out(q) for q in page["items"]]
    return page


@router.get("/{int:quote_id}", response={200: QuoteDetailOut, **READ})
def get_quote(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    quote = _quote(quote_id)
    check(api_user(request), Action.VIEW, Resource.QUOTE, quote)
    return _detail(quote)


@router.get(
    "/{int:quote_id}/pdf",
    response={200: None, **READ},
    openapi_extra={
        "responses": {200: {"description": "The quote as a PDF", "content": {"application/pdf": {}}}}
    },
)
def get_quote_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    """The quote as a PDF document (``Content-Disposition: attachment``)."""
    quote = _quote(quote_id)
    check(api_user(request), Action.VIEW, Resource.QUOTE, quote)
    return pdf_response(quote)


@router.patch("/{int:quote_id}", response={200: QuoteDetailOut, **WRITE})
def update_quote(request: HttpRequest, quote_id: int, payload: QuoteUpdate) -> dict[str, Any]:
    user, quote = _changeable(request, quote_id)
    actions.update_quote(quote, by=user, **payload.model_dump(exclude_unset=True))
    return _detail(quote)


@router.post("/{int:quote_id}/lines", response={201: LineOut, **WRITE})
def add_line(request: HttpRequest, quote_id: int, payload: LineCreate) -> Status[QuoteLine]:
    """Add a product; its unit price comes from the quote's price list or its list price.
    Changing lines of an approved quote (or one awaiting approval) sends it back to draft."""
    user, quote = _changeable(request, quote_id)
    product = Product.objects.filter(pk=payload.product_id).first()
    if product is None:
        raise NotFound(
            f"Product {payload.product_id} does not exist.", field_errors={"product_id": ["No such product."]}
        )
    line = actions.add_line(
        quote, by=user, product=product, quantity=payload.quantity,
        discount_percent=payload.discount_percent, description=payload.description,
    )  # fmt: skip
    return Status(201, line)


@router.patch("/{int:quote_id}/lines/{int:line_id}", response={200: LineOut, **WRITE})
def update_line(request: HttpRequest, quote_id: int, line_id: int, payload: LineUpdate) -> QuoteLine:
    user, quote = _changeable(request, quote_id)
    return actions.update_line(_line(quote, line_id), by=user, **payload.model_dump(exclude_unset=True))


@router.delete("/{int:quote_id}/lines/{int:line_id}", response={204: None, **WRITE})
def remove_line(request: HttpRequest, quote_id: int, line_id: int) -> Status[None]:
    user, quote = _changeable(request, quote_id)
    actions.remove_line(_line(quote, line_id), by=user)
    return Status(204, None)


@router.post("/{int:quote_id}/request-approval", response={200: QuoteDetailOut, **WRITE})
def request_approval(request: HttpRequest, quote_id: int, payload: NoteIn) -> dict[str, Any]:
    """Ask the team's sales manager (else the sales managers) to approve a discount above the threshold."""
    user, quote = _changeable(request, quote_id)
    actions.request_approval(quote, by=user, note=payload.note)
    return _detail(quote)


def _decide(request: HttpRequest, quote_id: int, payload: CommentIn, *, approve: bool) -> dict[str, Any]:
    user, quote = api_user(request), _quote(quote_id)
    check(user, Action.VIEW, Resource.QUOTE, quote)
    actions.refuse_own_request(quote, user)  # the clearer 403 first, whatever the role
    check(user, Action.APPROVE, Resource.QUOTE, quote)
    if approve:
        actions.approve(quote, by=user, comment=payload.comment)
    else:
        actions.deny(quote, by=user, comment=payload.comment)
    return _detail(quote)


@router.post("/{int:quote_id}/approve", response={200: QuoteDetailOut, **WRITE})
def approve(request: HttpRequest, quote_id: int, payload: CommentIn) -> dict[str, Any]:
    """Approve the pending discount request (not your own: 403)."""
    return _decide(request, quote_id, payload, approve=True)


@router.post("/{int:quote_id}/deny", response={200: QuoteDetailOut, **WRITE})
def deny(request: HttpRequest, quote_id: int, payload: CommentIn) -> dict[str, Any]:
    """Deny the pending discount request with a comment; the quote goes back to draft."""
    return _decide(request, quote_id, payload, approve=False)


@router.post("/{int:quote_id}/negotiation", response={201: NegotiationOut, **WRITE})
def log_negotiation(request: HttpRequest, quote_id: int, payload: NegotiationIn) -> Status[Any]:
    user, quote = _changeable(request, quote_id)
    entry = actions.log_negotiation(
        quote, by=user, note=payload.note, counter_offer=payload.counter_offer, at=payload.at
    )
    return Status(201, entry)


@router.post("/{int:quote_id}/send", response={200: QuoteDetailOut, **WRITE})
def mark_sent(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    user, quote = _changeable(request, quote_id)
    actions.mark_sent(quote, by=user)
    return _detail(quote)


@router.post("/{int:quote_id}/accept", response={200: QuoteDetailOut, **WRITE})
def accept(request: HttpRequest, quote_id: int, payload: AcceptIn) -> dict[str, Any]:
    user, quote = _changeable(request, quote_id)
    if payload.set_deal_amount:
        check(user, Action.CHANGE, Resource.DEAL, quote.deal)
    actions.accept(quote, by=user, set_deal_amount=payload.set_deal_amount)
    return _detail(quote)


@router.post("/{int:quote_id}/decline", response={200: QuoteDetailOut, **WRITE})
def decline(request: HttpRequest, quote_id: int, payload: DeclineIn) -> dict[str, Any]:
    user, quote = _changeable(request, quote_id)
    actions.decline(quote, by=user, reason=payload.reason)
    return _detail(quote)
