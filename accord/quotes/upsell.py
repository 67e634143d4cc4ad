"""Upsell and cross-sell: products a company has not bought yet.

"Bought" means: a line of an *accepted* quote on a *won* deal of that company. Suggestions are the
active products outside that set, the most often bought by other customers first. Two queries,
whatever the size of the catalog.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accord.catalog.models import Product
from accord.quotes.models import Quote, QuoteLine
from accord.sales.models import Deal

BOUGHT = Q(quote__status=Quote.Status.ACCEPTED, quote__deal__status=Deal.Status.WON)


def bought_lines(company_id: int) -> QuerySet[QuoteLine]:
    return QuoteLine.objects.filter(BOUGHT, quote__deal__company_id=company_id)


def bought_products(company_id: int) -> QuerySet[Product]:
    return Product.objects.filter(pk__in=bought_lines(company_id).values("product_id")).order_by("name")


def suggestions(company_id: int, limit: int = 5) -> list[Product]:
    popular = Count(
        "quote_lines",
        filter=Q(
            quote_lines__quote__status=Quote.Status.ACCEPTED, quote_lines__quote__deal__status=Deal.Status.WON
        ),
        distinct=True,
    )
    return list(
        Product.objects.filter(active=True)
        .exclude(pk__in=bought_lines(company_id).values("product_id"))
        .annotate(customers=popular)
        .order_by("-customers", "name")[:limit]
    )
