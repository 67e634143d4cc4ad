"""Every write on quotes: lines, discount approvals, the negotiation log and the quote's status.

The status machine::

    draft ──request_approval──▶ pending_approval ──approve──▶ approved ──mark_sent──▶ sent ──▶ accepted
      ▲  └──────────────mark_sent (no discount above the threshold)─────────────────▶   └──▶ declined
      └──────── deny / any line change (withdraws a pending request, resets an approval) ◀─┘

Every function locks the quote row, refuses changes once the deal is closed (409 ``deal_closed``)
and recomputes the totals in ``Decimal`` (:mod:`accord.quotes.pricing`). Notifications are
stored in the same transaction; their emails go out after commit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accord.accounts.models import Role, User
from accord.accounts.notifications import notify
from accord.accounts.permissions import Action, Resource, can
from accord.catalog.models import PriceList, PriceListItem, Product
from accord.core.errors import Conflict, Forbidden, Invalid, NotFound
from accord.quotes import pricing
from accord.quotes.models import Approval, NegotiationEntry, Quote, QuoteLine, QuoteSettings
from accord.sales import actions as sales_actions
from accord.sales.models import Deal

MAX_QUANTITY = Decimal("1e9")
MAX_LINES = 200
EDITABLE = (Quote.Status.DRAFT, Quote.Status.PENDING, Quote.Status.APPROVED)


# ---------------------------------------------------------------------- parsing
def _decimal(value: Any, field: str, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(f"The {what} is not a number.", field_errors={field: ["Enter a number."]}) from None
    if not number.is_finite():
        raise Invalid(f"The {what} is not a number.", field_errors={field: ["Enter a number."]})
    if number != number.quantize(pricing.CENT):
        raise Invalid(
            f"The {what} has too many decimals.", field_errors={field: ["Use at most two decimals."]}
        )
    return number.quantize(pricing.CENT)


def clean_quantity(value: Any) -> Decimal:
    quantity = _decimal(value, "quantity", "quantity")
    if quantity <= 0:
        raise Invalid(
            "The quantity must be more than zero.", field_errors={"quantity": ["Must be more than 0."]}
        )
    if quantity >= MAX_QUANTITY:
        raise Invalid(
            "The quantity is too large.", field_errors={"quantity": ["Must be below 1,000,000,000."]}
        )
    return quantity


def clean_discount(value: Any, field: str = "discount_percent") -> Decimal:
    discount = _decimal(value if value not in (None, "") else 0, field, "discount")
    if not Decimal(0) <= discount <= pricing.HUNDRED:
        raise Invalid(
            "A discount is between 0 and 100%.", field_errors={field: ["Must be between 0 and 100."]}
        )
    return discount


def _clean_text(value: str | None, field: str, max_length: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid("This field is required.", field_errors={field: ["This field is required."]})
    if len(text) > max_length:
        raise Invalid("Too long.", field_errors={field: [f"At most {max_length} characters."]})
    return text


# ---------------------------------------------------------------------- settings
def threshold() -> Decimal:
    return QuoteSettings.current().discount_threshold


def set_discount_threshold(value: Any, *, by: User | None = None) -> QuoteSettings:
    percent = clean_discount(value, "discount_threshold")
    with transaction.atomic():
        row = QuoteSettings.objects.select_for_update().filter(pk=1).first() or QuoteSettings(pk=1)
        row.discount_threshold, row.updated_by = percent, by
        row.save()
    return row


def needs_approval(quote: Quote, limit: Decimal | None = None) -> bool:
    return quote.max_discount > (threshold() if limit is None else limit)


# ---------------------------------------------------------------------- helpers
def _lock(quote: Quote) -> Quote:
    locked = Quote.objects.select_for_update().select_related("deal").filter(pk=quote.pk).first()
    if locked is None:
        raise NotFound(f"Quote {quote.pk} does not exist.")
    _refuse_closed_deal(locked.deal)
    return locked


def _refuse_closed_deal(deal: Deal) -> None:
    if deal.status != Deal.Status.OPEN:
        raise Conflict(
            f"The deal “{deal}” is {deal.get_status_display().lower()}; its quotes can no longer change.",
            code="deal_closed",
        )


def _copy(source: Quote, target: Quote) -> Quote:
    if source is not target:
        target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
    return target


def _require_status(quote: Quote, *allowed: str, doing: str) -> None:
    if quote.status not in allowed:
        names = " or ".join(Quote.Status(s).label.lower() for s in allowed)
        raise Conflict(
            f"Cannot {doing}: the quote is {quote.get_status_display().lower()} (it must be {names}).",
            code="wrong_status",
        )


def _recompute(quote: Quote) -> None:
    rows = quote.lines.values_list("quantity", "unit_price", "discount_percent")
    result = pricing.totals(rows)
    quote.subtotal, quote.discount_total = result.subtotal, result.discount_total
    quote.total, quote.max_discount = result.total, result.max_discount


def _lines_changed(quote: Quote, by: User | None) -> None:
    """After any line change: totals again; a pending request is withdrawn, an approval reset."""
    _recompute(quote)
    if quote.status in (Quote.Status.PENDING, Quote.Status.APPROVED):
        quote.approvals.filter(decision=Approval.Decision.PENDING).update(
            decision=Approval.Decision.WITHDRAWN, decided_at=timezone.now(), decided_by=by
        )
        quote.status = Quote.Status.DRAFT
    quote.save()


def _editable_lines(quote: Quote, what: str = "its lines") -> None:
    if quote.status not in EDITABLE:
        raise Conflict(
            f"The quote is {quote.get_status_display().lower()}; {what} can no longer change.",
            code="quote_locked",
        )


def _clean_valid_until(value: date | None, current: date | None = None) -> date | None:
    """A new validity date is today or later; an unchanged one is kept even if it has passed."""
    if value is not None and value != current and value < timezone.localdate():
        raise Invalid(
            "The quote would already be expired.",
            field_errors={"valid_until": ["Pick today or a later date."]},
        )
    return value


def unit_price_for(product: Product, price_list: PriceList | None, currency: str) -> Decimal:
    """The product's price in ``price_list`` if it has one there, else its list price (same currency)."""
    if price_list is not None:
        item = PriceListItem.objects.filter(price_list=price_list, product=product).first()
        if item is not None:
            return item.unit_price
    if product.currency != currency:
        raise Invalid(
            f"{product} has no price in {currency}.",
            field_errors={
                "product_id": [f"Its list price is in {product.currency}; add it to a {currency} price list."]
            },
        )
    return product.unit_price


# ---------------------------------------------------------------------- quotes
def create_quote(
    deal: Deal,
    *,
    by: User | None,
    title: str = "",
    price_list: PriceList | None = None,
    valid_until: date | None = None,
    terms: str = "",
) -> Quote:
    _refuse_closed_deal(deal)
    if price_list is not None and not price_list.active:
        raise Invalid(
            "This price list is inactive.", field_errors={"price_list_id": ["Pick an active price list."]}
        )
    title = _clean_text(title, "title", 200) or f"Quote for {deal.name}"[:200]
    valid_until = _clean_valid_until(valid_until)
    with transaction.atomic():
        return Quote.objects.create(
            deal=deal, title=title, owner=by, price_list=price_list,
            currency=price_list.currency if price_list else deal.currency,
            valid_until=valid_until, terms=_clean_text(terms, "terms", 5000),
        )  # fmt: skip


def refuse_locked_details(quote: Quote) -> None:
    """Raise the 409 :func:`update_quote` raises when the details can no longer change (pages ask
    before showing the form)."""
    _refuse_closed_deal(quote.deal)
    _editable_lines(quote, "its details")


def update_quote(quote: Quote, *, by: User | None = None, **fields: Any) -> Quote:
    """Change the title, validity or terms (not the lines: those have their own actions).

    Allowed while the lines may change (draft, pending approval, approved) on an open deal; a new
    validity date cannot be in the past. Used by ``PATCH /api/quotes/{id}`` and the quote page.
    """
    unknown = set(fields) - {"title", "valid_until", "terms"}
    if unknown:
        raise Invalid("Unknown fields.", field_errors={k: ["Unknown field."] for k in sorted(unknown)})
    with transaction.atomic():
        current = _lock(quote)
        refuse_locked_details(current)
        if "title" in fields:
            current.title = _clean_text(fields["title"], "title", 200, required=True)
        if "terms" in fields:
            current.terms = _clean_text(fields["terms"], "terms", 5000)
        if "valid_until" in fields:
            current.valid_until = _clean_valid_until(fields["valid_until"], current.valid_until)
        current.save()
    return _copy(current, quote)


def add_line(
    quote: Quote,
    *,
    by: User | None,
    product: Product,
    quantity: Any,
    discount_percent: Any = 0,
    description: str = "",
) -> QuoteLine:
    qty, discount = clean_quantity(quantity), clean_discount(discount_percent)
    if not product.active:
        raise Invalid(
            f"{product} is no longer sold.", field_errors={"product_id": ["This product is inactive."]}
        )
    with transaction.atomic():
        current = _lock(quote)
        _editable_lines(current)
        if current.lines.count() >= MAX_LINES:
            raise Invalid(f"A quote has at most {MAX_LINES} lines.")
        price = unit_price_for(product, current.price_list, current.currency)
        position = (current.lines.aggregate(m=Max("position"))["m"] or 0) + 1
        line = QuoteLine.objects.create(
            quote=current, product=product, position=position, quantity=qty, unit_price=price,
            discount_percent=discount, line_total=pricing.line_total(qty, price, discount),
            description=_clean_text(description, "description", 300) or product.name,
        )  # fmt: skip
        _lines_changed(current, by)
    _copy(current, quote)
    return line


def update_line(
    line: QuoteLine,
    *,
    by: User | None,
    quantity: Any = None,
    discount_percent: Any = None,
    description: str | None = None,
) -> QuoteLine:
    qty = clean_quantity(quantity) if quantity is not None else None
    discount = clean_discount(discount_percent) if discount_percent is not None else None
    with transaction.atomic():
        current = _lock(line.quote)
        _editable_lines(current)
        row = QuoteLine.objects.select_for_update().filter(pk=line.pk, quote=current).first()
        if row is None:
            raise NotFound(f"Line {line.pk} is not on this quote.")
        if qty is not None:
            row.quantity = qty
        if discount is not None:
            row.discount_percent = discount
        if description is not None:
            row.description = _clean_text(description, "description", 300) or row.product.name
        row.line_total = pricing.line_total(row.quantity, row.unit_price, row.discount_percent)
        row.save()
        _lines_changed(current, by)
    _copy(current, line.quote)
    return row


def remove_line(line: QuoteLine, *, by: User | None) -> None:
    with transaction.atomic():
        current = _lock(line.quote)
        _editable_lines(current)
        deleted, _ = QuoteLine.objects.filter(pk=line.pk, quote=current).delete()
        if not deleted:
            raise NotFound(f"Line {line.pk} is not on this quote.")
        _lines_changed(current, by)
    _copy(current, line.quote)


# ---------------------------------------------------------------------- approval
def approvers(quote: Quote, requester: User | None) -> list[User]:
    """Who is asked: the team's sales manager, else every sales manager, else the admins —
    never the requester, and only people who may approve."""
    people = quote.owner or requester
    team = getattr(people, "team", None) if people else None
    exclude = [requester.pk] if requester else []
    manager = team.manager if team is not None else None
    if manager is not None and manager.pk not in exclude and can(manager, Action.APPROVE, Resource.QUOTE):
        return [manager]
    # Superusers act as admins whatever their stored role (``User.effective_role``).
    candidates = (
        User.objects.filter(
            Q(role__in=[Role.SALES_MANAGER, Role.ADMIN]) | Q(is_superuser=True), is_active=True
        )
        .exclude(pk__in=exclude)
        .order_by("pk")
    )
    may_approve = [u for u in candidates if can(u, Action.APPROVE, Resource.QUOTE)]
    for role in (Role.SALES_MANAGER, Role.ADMIN):
        found = [u for u in may_approve if u.effective_role == role]
        if found:
            return found
    return []


def request_approval(quote: Quote, *, by: User, note: str = "") -> Approval:
    note = _clean_text(note, "note", 2000)
    limit = threshold()
    with transaction.atomic():
        current = _lock(quote)
        _require_status(current, Quote.Status.DRAFT, doing="request approval")
        if not needs_approval(current, limit):
            raise Conflict(
                f"No discount on this quote is above {limit}%; it needs no approval and can be sent.",
                code="approval_not_needed",
            )
        now = timezone.now()
        approval = Approval.objects.create(
            quote=current, requested_by=by, requested_at=now, note=note,
            discount_percent=current.max_discount, threshold=limit, total=current.total,
        )  # fmt: skip
        current.status = Quote.Status.PENDING
        current.save(update_fields=["status", "updated_at"])
        notify(
            approvers(current, by),
            kind="approval_requested",
            title=f"Discount approval requested: {current.number} ({current.max_discount}% off)",
            body=(
                f"{by} asks you to approve a {current.max_discount}% discount (threshold {limit}%) on "
                f"{current.number} “{current.title}” for the deal “{current.deal}”: total "
                f"{current.total} {current.currency}.\n\n{note}"
            ).strip(),
            url=current.get_absolute_url(),
            key=f"quote_approval:{approval.pk}",
        )
    _copy(current, quote)
    return approval


def refuse_own_request(quote: Quote, user: User) -> None:
    """Nobody decides on their own request (or on their own quote), whatever their role."""
    pending = quote.approvals.filter(decision=Approval.Decision.PENDING).first()
    if pending is not None and (pending.requested_by_id == user.pk or quote.owner_id == user.pk):
        raise Forbidden(
            "You cannot approve or deny your own discount request; another manager must decide.",
            code="own_request",
        )


def _decide(quote: Quote, *, by: User, approve: bool, comment: str) -> Approval:
    with transaction.atomic():
        current = _lock(quote)
        _require_status(current, Quote.Status.PENDING, doing="approve or deny")
        refuse_own_request(current, by)
        approval = current.approvals.select_for_update().filter(decision=Approval.Decision.PENDING).first()
        if approval is None:  # pragma: no cover - the status and the pending row move together
            raise Conflict("There is no pending request on this quote.", code="wrong_status")
        approval.decision = Approval.Decision.APPROVED if approve else Approval.Decision.DENIED
        approval.decided_by, approval.decided_at, approval.comment = by, timezone.now(), comment
        approval.save()
        current.status = Quote.Status.APPROVED if approve else Quote.Status.DRAFT
        current.save(update_fields=["status", "updated_at"])
        verdict = "approved" if approve else "denied"
        notify(
            [u for u in (approval.requested_by, current.owner) if u is not None and u.pk != by.pk],
            kind=f"approval_{verdict}",
            title=f"Discount {verdict}: {current.number} “{current.title}”",
            body=f"{by} {verdict} the {approval.discount_percent}% discount.\n\n{comment}".strip(),
            url=current.get_absolute_url(),
            key=f"quote_decision:{approval.pk}",
        )
    _copy(current, quote)
    return approval


def approve(quote: Quote, *, by: User, comment: str = "") -> Approval:
    return _decide(quote, by=by, approve=True, comment=_clean_text(comment, "comment", 2000))


def deny(quote: Quote, *, by: User, comment: str) -> Approval:
    return _decide(quote, by=by, approve=False, comment=_clean_text(comment, "comment", 2000, required=True))


# ---------------------------------------------------------------------- negotiation and outcome
def log_negotiation(
    quote: Quote, *, by: User | None, note: str, counter_offer: Any = None, at: datetime | None = None
) -> NegotiationEntry:
    text = _clean_text(note, "note", 5000, required=True)
    offer = None
    if counter_offer not in (None, ""):
        offer = _decimal(counter_offer, "counter_offer", "counter-offer")
        if offer < 0:
            raise Invalid(
                "A counter-offer cannot be negative.", field_errors={"counter_offer": ["Must be 0 or more."]}
            )
        if offer >= Decimal("1e13"):
            raise Invalid("The counter-offer is too large.", field_errors={"counter_offer": ["Too large."]})
    with transaction.atomic():
        current = _lock(quote)
        if current.status in (Quote.Status.ACCEPTED, Quote.Status.DECLINED):
            raise Conflict("The quote is closed; the negotiation is over.", code="quote_locked")
        return NegotiationEntry.objects.create(
            quote=current, at=at or timezone.now(), author=by, note=text, counter_offer=offer
        )


def mark_sent(quote: Quote, *, by: User | None) -> Quote:
    with transaction.atomic():
        current = _lock(quote)
        _require_status(current, Quote.Status.DRAFT, Quote.Status.APPROVED, doing="send")
        if not current.lines.exists():
            raise Conflict("Add at least one line before sending the quote.", code="quote_empty")
        if current.status == Quote.Status.DRAFT and needs_approval(current):
            raise Conflict(
                f"A discount of {current.max_discount}% is above the {threshold()}% threshold: "
                "request a manager's approval first.",
                code="approval_required",
            )
        current.status, current.sent_at = Quote.Status.SENT, timezone.now()
        current.save(update_fields=["status", "sent_at", "updated_at"])
    return _copy(current, quote)


def accept(quote: Quote, *, by: User | None, set_deal_amount: bool = False) -> Quote:
    """The customer accepted; optionally the deal's amount (and currency) become the quote's total."""
    with transaction.atomic():
        current = _lock(quote)
        _require_status(current, Quote.Status.SENT, doing="accept")
        current.status, current.closed_at = Quote.Status.ACCEPTED, timezone.now()
        current.save(update_fields=["status", "closed_at", "updated_at"])
        if set_deal_amount:
            sales_actions.update_deal(current.deal, by=by, amount=current.total, currency=current.currency)
    return _copy(current, quote)


def decline(quote: Quote, *, by: User | None, reason: str = "") -> Quote:
    reason = _clean_text(reason, "reason", 500)
    with transaction.atomic():
        current = _lock(quote)
        _require_status(current, Quote.Status.SENT, doing="decline")
        current.status, current.closed_at, current.decline_reason = (
            Quote.Status.DECLINED,
            timezone.now(),
            reason,
        )
        current.save(update_fields=["status", "closed_at", "decline_reason", "updated_at"])
    return _copy(current, quote)
