"""The features the win model learns from: categorical values of a deal's contact and company.

Every feature is a short category (numbers are bucketed), so naive Bayes can count them:

============================  ====================================================================
``industry``                  the company's industry, lower-cased
``company_size``              the company's size band
``revenue_band``              the company's revenue band
``country``                   the contact's country, else the company's
``seniority``                 from the job title: c-level, vp, head/director, manager, individual
``source_channel``            channel of the deal's source campaign (deals only)
``first_touch_channel``       channel of the contact's first campaign touchpoint ("direct" if none)
``activities_before``         sales activities logged on the contact before the reference time
``touches_90d``               the contact's touchpoints in the 90 days before the reference time
============================  ====================================================================

The *reference time* is the deal's creation for deals (closed ones in training and open ones when
predicting, so both are described alike and activity that happens because a deal is being worked
does not leak the outcome), and "now" for a contact without a deal.

Each function reads all its rows in one query (correlated subqueries for the counts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from accord.campaigns.models import Channel
from accord.contacts.models import CompanySize, Contact, RevenueBand
from accord.sales.models import Activity, Deal
from accord.tracking.models import Touchpoint

FEATURES: tuple[str, ...] = (
    "industry", "company_size", "revenue_band", "country", "seniority", "source_channel",
    "first_touch_channel", "activities_before", "touches_90d",
)  # fmt: skip
LABELS: dict[str, str] = {
    "industry": "Industry",
    "company_size": "Company size",
    "revenue_band": "Revenue",
    "country": "Country",
    "seniority": "Seniority",
    "source_channel": "Deal source channel",
    "first_touch_channel": "First touch channel",
    "activities_before": "Sales activities before the deal",
    "touches_90d": "Touchpoints in the 90 days before",
}
NONE = "(none)"
TOUCH_WINDOW = timedelta(days=90)

_SENIORITY = (
    ("c-level", re.compile(r"\b(ceo|cfo|cto|coo|cmo|cro|cio|chief|founder|co-founder|owner|president)\b")),
    ("vp", re.compile(r"\b(vp|svp|evp|vice president)\b")),
    ("head/director", re.compile(r"\b(head|director)\b")),
    ("manager", re.compile(r"\b(manager|lead)\b")),
)
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "company_size": dict(CompanySize.choices),
    "revenue_band": dict(RevenueBand.choices),
    "source_channel": dict(Channel.choices),
    "first_touch_channel": {**dict(Channel.choices), "direct": "Direct (no campaign)"},
}


def seniority(title: str | None) -> str:
    text = (title or "").strip().lower()
    if not text:
        return NONE
    for level, pattern in _SENIORITY:
        if pattern.search(text):
            return level
    return "individual"


def bucket(count: int | None, edges: tuple[int, ...]) -> str:
    """``0``, ``1-2``, ``3-5`` … for edges (0, 1, 3, 6, 11): each bucket from an edge to the next."""
    n = count or 0
    for low, high in zip(edges, (*edges[1:], None), strict=True):
        if high is None:
            return f"{low}+"
        if n < high:
            return str(low) if high - low == 1 else f"{low}-{high - 1}"
    return f"{edges[-1]}+"  # pragma: no cover - the loop always returns


ACTIVITY_EDGES = (0, 1, 3, 6, 11)
TOUCH_EDGES = (0, 1, 5, 10, 20)


def _category(value: Any) -> str:
    text = str(value).strip().lower() if value is not None else ""
    return text or NONE


def value_label(feature: str, value: str) -> str:
    """How a feature value reads on screen: choice labels, else the value itself."""
    if value == NONE:
        return "none"
    return _VALUE_LABELS.get(feature, {}).get(value, value)


# --------------------------------------------------------------------------- queries
def _activities_before(contact_ref: str, at_ref: Any) -> Subquery:
    counts = (
        Activity.objects.filter(contact_id=OuterRef(contact_ref), created_at__lt=at_ref)
        .order_by()
        .values("contact_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Subquery(counts)


def _touches_before(contact_ref: str, at_ref: Any, since_ref: Any) -> Subquery:
    counts = (
        Touchpoint.objects.filter(
            contact_id=OuterRef(contact_ref), occurred_at__lt=at_ref, occurred_at__gte=since_ref
        )
        .order_by()
        .values("contact_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Subquery(counts)


def _first_touch_channel(contact_ref: str) -> Subquery:
    first = (
        Touchpoint.objects.filter(contact_id=OuterRef(contact_ref), campaign__isnull=False)
        .order_by("occurred_at", "pk")
        .values("campaign__channel")[:1]
    )
    return Subquery(first)


def _company(field: str) -> Any:
    """The deal's company field, else its contact's company's."""
    return Coalesce(NullIf(F(f"company__{field}"), Value("")), F(f"contact__company__{field}"))


def _deal_rows(deals: QuerySet[Deal]) -> QuerySet[Any, Any]:
    return deals.annotate(
        f_industry=_company("industry"),
        f_size=_company("size"),
        f_band=_company("revenue_band"),
        f_country=Coalesce(NullIf(F("contact__country"), Value("")), NullIf(_company("country"), Value(""))),
        f_title=F("contact__title"),
        f_source=F("source_campaign__channel"),
        f_first_touch=_first_touch_channel("contact_id"),
        f_activities=_activities_before("contact_id", OuterRef("created_at")),
        f_touches=_touches_before("contact_id", OuterRef("created_at"), OuterRef("created_at") - TOUCH_WINDOW),
    ).values(
        "pk", "status", "contact_id", "f_industry", "f_size", "f_band", "f_country", "f_title", "f_source",
        "f_first_touch", "f_activities", "f_touches",
    )  # fmt: skip


def _features(row: dict[str, Any], *, with_source: bool = True) -> dict[str, str]:
    has_contact = row.get("contact_id") is not None
    features = {
        "industry": _category(row["f_industry"]),
        "company_size": _category(row["f_size"]),
        "revenue_band": _category(row["f_band"]),
        "country": _category(row["f_country"]).upper() if row["f_country"] else NONE,
    }
    if has_contact:
        features["seniority"] = seniority(row["f_title"])
        features["first_touch_channel"] = (
            _category(row["f_first_touch"]) if row["f_first_touch"] else "direct"
        )
        features["activities_before"] = bucket(row["f_activities"], ACTIVITY_EDGES)
        features["touches_90d"] = bucket(row["f_touches"], TOUCH_EDGES)
    if with_source:
        features["source_channel"] = _category(row.get("f_source"))
    return features


@dataclass(frozen=True)
class Example:
    deal_id: int
    won: bool
    features: dict[str, str]


def closed_deal_examples() -> Iterator[Example]:
    """Every won or lost deal as a training example (one query, streamed)."""
    closed = Deal.objects.filter(status__in=[Deal.Status.WON, Deal.Status.LOST]).order_by("pk")
    for row in _deal_rows(closed).iterator(chunk_size=2000):
        yield Example(int(row["pk"]), row["status"] == Deal.Status.WON, _features(row))


def deal_features(deal_id: int) -> dict[str, str] | None:
    row = _deal_rows(Deal.objects.filter(pk=deal_id)).first()
    return _features(row) if row else None


def contact_features(contact_id: int, now: datetime) -> dict[str, str] | None:
    """A contact without a deal, described at ``now`` (no source channel: it has no deal)."""
    row = (
        Contact.objects.filter(pk=contact_id)
        .annotate(
            f_industry=F("company__industry"),
            f_size=F("company__size"),
            f_band=F("company__revenue_band"),
            f_country=Coalesce(NullIf(F("country"), Value("")), NullIf(F("company__country"), Value(""))),
            f_title=F("title"),
            f_first_touch=_first_touch_channel("pk"),
            f_activities=_activities_before("pk", Value(now)),
            f_touches=_touches_before("pk", Value(now), Value(now - TOUCH_WINDOW)),
            contact_id=F("pk"),
        )
        .values(
            "contact_id",
            "f_industry",
            "f_size",
            "f_band",
            "f_country",
            "f_title",
            "f_first_touch",
            "f_activities",
            "f_touches",
        )  # fmt: skip
        .first()
    )
    return _features(dict(row), with_source=False) if row else None
