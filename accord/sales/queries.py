"""Read-side queries for sales pages and the API: the board, rotting, the forecast, stage history.

All aggregates are computed in SQL (one grouped query per figure); cards are fetched per column
with a limit, and each card's last touch comes from correlated subqueries, not per-row queries.
The board page and ``GET /api/sales/pipelines/{id}/summary`` share their deals (``board_deals``),
their per-stage totals (``stage_totals``, per currency) and the rotting test (``rotting_days``), so they
agree. Nothing converts between currencies, so no figure ever adds amounts in different currencies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest, TruncMonth

from accord.sales.models import Activity, Deal, DealStageChange, Pipeline, PipelineStage

CARDS_PER_COLUMN = 50
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def with_last_touch(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """Annotate ``last_touch``: the latest of the deal's last activity, last stage change and creation."""
    last_activity = Subquery(
        Activity.objects.filter(deal=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    )
    last_move = Subquery(
        DealStageChange.objects.filter(deal=OuterRef("pk")).order_by("-changed_at").values("changed_at")[:1]
    )
    # COALESCE each side: SQLite's multi-argument MAX returns NULL if any argument is NULL.
    return deals.annotate(
        last_touch=Greatest(
            Coalesce(last_activity, F("created_at"), output_field=DateTimeField()),
            Coalesce(last_move, F("created_at"), output_field=DateTimeField()),
            output_field=DateTimeField(),
        )
    )


def last_touch(deal_id: int) -> datetime | None:
    qs: Any = with_last_touch(Deal.objects.filter(pk=deal_id))
    value: datetime | None = qs.values_list("last_touch", flat=True).first()
    return value


def rotting_days(deal: Any, stage: PipelineStage, now: datetime) -> int | None:
    """Days without a touch when that is over the stage's threshold (an open deal), else None."""
    last_touch = getattr(deal, "last_touch", None)
    if deal.status != Deal.Status.OPEN or not stage.rotting_days or last_touch is None:
        return None
    idle = now - last_touch
    return idle.days if idle > timedelta(days=stage.rotting_days) else None


def _rotting(deals: QuerySet[Deal], now: datetime) -> Iterator[Deal]:
    """The open deals in ``deals`` idle longer than their stage allows (one query). Each is loaded
    with only what :func:`rotting_days` reads: status, stage and last touch."""
    qs = with_last_touch(deals.filter(status=Deal.Status.OPEN, stage__rotting_days__isnull=False))
    qs = qs.select_related(None).select_related("stage").only("status", "stage", "stage__rotting_days")
    qs = qs.order_by()
    return (d for d in qs if rotting_days(d, d.stage, now) is not None)


def rotting_deal_ids(deals: QuerySet[Deal], now: datetime) -> set[int]:
    """Ids of the open deals in ``deals`` idle longer than their stage allows."""
    return {d.pk for d in _rotting(deals, now)}


def rotting_counts(deals: QuerySet[Deal], now: datetime) -> Counter[int]:
    """How many of the open deals in ``deals`` rot, per stage id (one query)."""
    return Counter(d.stage_id for d in _rotting(deals, now))


def weighted_amount(amount: Decimal, probability: int) -> Decimal:
    """amount × probability ÷ 100, rounded to cents."""
    return (amount * probability / HUNDRED).quantize(CENT)


@dataclass
class Card:
    deal: Deal
    rotting: int | None


@dataclass(frozen=True)
class Amounts:
    """Deals in one currency: how many, Σ amount and Σ amount × stage probability ÷ 100."""

    currency: str
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass
class Column:
    """A board column: its first cards, its deal count and its totals per currency (sorted by code)."""

    stage: PipelineStage
    cards: list[Card] = field(default_factory=list)
    count: int = 0
    by_currency: list[Amounts] = field(default_factory=list)

    @property
    def amount(self) -> Decimal | None:
        """Σ amount when the column's deals share one currency (0 when it has none); None when they
        are in several, as amounts in different currencies are never added."""
        return self._single().amount if len(self.by_currency) < 2 else None

    @property
    def weighted(self) -> Decimal | None:
        """Σ weighted amount on the same terms as :attr:`amount`."""
        return self._single().weighted if len(self.by_currency) < 2 else None

    @property
    def more(self) -> int:
        return self.count - len(self.cards)

    def _single(self) -> Amounts:
        return self.by_currency[0] if self.by_currency else Amounts("", 0, Decimal(0), Decimal(0))


def board_deals(
    pipeline: Pipeline,
    *,
    user: Any = None,
    owner: int | None = None,
    mine: bool = False,
    q: str = "",
    currency: str = "",
) -> QuerySet[Deal]:
    """The deals the board of ``pipeline`` counts, with the board's filters: the one scoping shared
    by the board page and the pipeline summary API. Every role that may view deals sees them all
    (``Resource.DEAL`` VIEW is ``ALL``); the page and the API check that grant before calling this."""
    return filter_deals(
        Deal.objects.all(), user=user, pipeline=pipeline.pk, owner=owner, mine=mine, q=q, currency=currency
    )


@dataclass(frozen=True)
class CurrencyTotal:
    """The deals of one stage in one currency; ``open_*`` counts only the open ones."""

    currency: str
    count: int
    amount: Decimal
    open_count: int
    open_amount: Decimal


def stage_totals(deals: QuerySet[Deal]) -> dict[int, list[CurrencyTotal]]:
    """Per stage id, the deals' count and amount per currency (sorted by code), in one grouped query."""
    open_deals = Q(status=Deal.Status.OPEN)
    rows = (
        deals.values("stage_id", "currency")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            open_n=Count("id", filter=open_deals),
            open_total=Sum("amount", filter=open_deals),
        )
        .order_by("stage_id", "currency")
    )
    totals: dict[int, list[CurrencyTotal]] = defaultdict(list)
    for row in rows:
        totals[row["stage_id"]].append(
            CurrencyTotal(
                row["currency"],
                row["n"],
                Decimal(row["total"] or 0).quantize(CENT),
                row["open_n"],
                Decimal(row["open_total"] or 0).quantize(CENT),
            )
        )
    return dict(totals)


def stage_amounts(rows: list[CurrencyTotal], stage: PipelineStage) -> list[Amounts]:
    """A stage's totals per currency with their weighted amounts: a board column's figures and the
    pipeline summary's ``by_currency``."""
    return [
        Amounts(r.currency, r.count, r.amount, weighted_amount(r.amount, stage.probability)) for r in rows
    ]


def board(
    pipeline: Pipeline, deals: QuerySet[Deal], now: datetime, per_column: int = CARDS_PER_COLUMN
) -> list[Column]:
    """The pipeline's active stages as columns with totals and their first ``per_column`` cards
    (archived stages hold no deals and get no column).

    Open stages hold open deals; won/lost columns show the most recently closed first. A column's
    totals are per currency (:func:`stage_amounts`), exactly the pipeline summary's ``by_currency``.
    """
    stages = list(pipeline.stages.filter(archived_at=None).order_by("position"))
    scoped = deals.filter(pipeline=pipeline)
    totals = stage_totals(scoped)
    columns = []
    for stage in stages:
        column = Column(stage)
        rows = totals.get(stage.pk, [])
        column.count = sum(row.count for row in rows)
        column.by_currency = stage_amounts(rows, stage)
        if column.count:
            order = (
                ["-closed_at", "-id"]
                if stage.outcome != PipelineStage.Outcome.OPEN
                else [F("expected_close").asc(nulls_last=True), "id"]
            )
            qs = with_last_touch(scoped.filter(stage=stage)).select_related("owner", "contact", "company")
            column.cards = [Card(d, rotting_days(d, stage, now)) for d in qs.order_by(*order)[:per_column]]
        columns.append(column)
    return columns


def single_currency(columns: list[Column]) -> str:
    """The currency of every deal on the board when they share one, else ""."""
    codes = {a.currency for column in columns for a in column.by_currency}
    return codes.pop() if len(codes) == 1 else ""


def pipeline_currencies(pipeline: Pipeline) -> list[str]:
    """The currencies of the pipeline's deals, sorted (the board's currency filter offers them)."""
    codes = Deal.objects.filter(pipeline=pipeline).order_by("currency").values_list("currency", flat=True)
    return list(codes.distinct())


# ---------------------------------------------------------------- pipeline summary
@dataclass(frozen=True)
class StageSummary:
    stage: PipelineStage
    count: int
    rotting: int
    by_currency: list[Amounts]


@dataclass(frozen=True)
class PipelineSummary:
    pipeline: Pipeline
    stages: list[StageSummary]
    open_count: int
    open_by_currency: list[Amounts]


def pipeline_summary(pipeline: Pipeline, deals: QuerySet[Deal], now: datetime) -> PipelineSummary:
    """The board's figures without its cards, in three queries whatever the number of deals.

    Per active stage in board order: its deals' count, their amounts and weighted amounts per
    currency (the board's column totals, from the same :func:`stage_totals`), and how many rot
    (:func:`rotting_days`, as the board's cards). Totals: the open deals' count, and per currency their
    amount and weighted forecast (Σ amount × probability ÷ 100, rounded to cents once).
    """
    stages = list(pipeline.stages.order_by("position"))
    probability = {s.pk: s.probability for s in stages}
    scoped = deals.filter(pipeline=pipeline)
    totals = stage_totals(scoped)
    rotting = rotting_counts(scoped, now)
    summaries = []
    for stage in stages:
        if stage.is_archived:
            continue
        rows = totals.get(stage.pk, [])
        by_currency = stage_amounts(rows, stage)
        summaries.append(StageSummary(stage, sum(r.count for r in rows), rotting[stage.pk], by_currency))
    open_count: dict[str, int] = defaultdict(int)
    open_amount: dict[str, Decimal] = defaultdict(Decimal)
    open_weighted: dict[str, Decimal] = defaultdict(Decimal)
    for stage_id, rows in totals.items():
        for r in rows:
            if r.open_count and stage_id in probability:
                open_count[r.currency] += r.open_count
                open_amount[r.currency] += r.open_amount
                open_weighted[r.currency] += r.open_amount * probability[stage_id] / HUNDRED
    return PipelineSummary(
        pipeline,
        summaries,
        sum(open_count.values()),
        [
            Amounts(c, open_count[c], open_amount[c], open_weighted[c].quantize(CENT))
            for c in sorted(open_count)
        ],
    )


# ---------------------------------------------------------------- forecast
@dataclass(frozen=True)
class ForecastMonth:
    """The open deals in one currency expected to close in one month."""

    month: date
    currency: str
    count: int
    amount: Decimal
    weighted: Decimal


def forecast_by_month(deals: QuerySet[Deal]) -> list[ForecastMonth]:
    """Open deals with an expected close, per month and currency (sorted by both): how many, their
    total amount and Σ amount × stage probability ÷ 100 (rounded to cents once). One query."""
    rows = (
        deals.filter(status=Deal.Status.OPEN, expected_close__isnull=False)
        .annotate(month=TruncMonth("expected_close"))
        .values("month", "currency", "stage__probability")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    count: dict[tuple[date, str], int] = defaultdict(int)
    amount: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    weighted: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        key = (month, row["currency"])
        total = Decimal(row["total"] or 0)
        count[key] += row["n"]
        amount[key] += total
        weighted[key] += total * row["stage__probability"] / HUNDRED
    return [
        ForecastMonth(m, c, count[m, c], amount[m, c].quantize(CENT), weighted[m, c].quantize(CENT))
        for m, c in sorted(amount)
    ]


def forecast_currency(months: list[ForecastMonth]) -> str:
    """The currency the forecast chart shows when none is chosen: the one with the largest amount of
    open deals in the forecast (the first by code on a tie); "" for an empty forecast."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for m in months:
        totals[m.currency] += m.amount
    return max(sorted(totals), key=totals.__getitem__, default="")


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value: Decimal
    amount: Decimal


def forecast_chart(
    months: list[ForecastMonth], *, currency: str = "", height: int = 140, bar: int = 36, gap: int = 14
) -> dict[str, Any]:
    """Geometry for a server-rendered SVG bar chart of the weighted forecast in one currency:
    ``currency`` or, when it is empty, :func:`forecast_currency`. ``others_count`` and
    ``other_currencies`` tell what the chart leaves out (the forecast's deals in other currencies)."""
    currency = currency or forecast_currency(months)
    shown = [m for m in months if m.currency == currency]
    others = [m for m in months if m.currency != currency]
    top = max((m.weighted for m in shown), default=Decimal(0))
    bars = []
    for i, m in enumerate(shown):
        h = int(m.weighted / top * height) if top else 0
        bars.append(
            Bar(
                gap + i * (bar + gap),
                height - h + 20,
                bar,
                h,
                m.month.strftime("%b %Y"),
                m.weighted,
                m.amount,
            )
        )
    return {
        "currency": currency,
        "bars": bars,
        "width": gap + len(shown) * (bar + gap),
        "height": height + 50,
        "baseline": height + 20,
        "others_count": sum(m.count for m in others),
        "other_currencies": sorted({m.currency for m in others}),
    }


# ---------------------------------------------------------------- stage history
@dataclass(frozen=True)
class HistoryRow:
    change: DealStageChange
    duration: timedelta | None  # None for the closing stage of a closed deal
    current: bool

    @property
    def duration_text(self) -> str:
        return format_duration(self.duration) if self.duration is not None else "—"


def format_duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {rest // 60}m"
    return f"{rest // 60}m"


def stage_history(deal: Deal, now: datetime) -> list[HistoryRow]:
    """Every stage the deal went through, with how long it stayed (the current one: until now)."""
    changes = list(
        DealStageChange.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )
    rows = []
    for i, change in enumerate(changes):
        last = i == len(changes) - 1
        if not last:
            duration: timedelta | None = changes[i + 1].changed_at - change.changed_at
        elif deal.status == Deal.Status.OPEN:
            duration = now - change.changed_at
        else:
            duration = None
        rows.append(HistoryRow(change, duration, last))
    return rows


def time_in_stage(deal: Deal, now: datetime) -> dict[int, timedelta]:
    """Total time per stage id over the deal's history (a stage visited twice adds up)."""
    totals: dict[int, timedelta] = defaultdict(timedelta)
    for row in stage_history(deal, now):
        if row.duration is not None:
            totals[row.change.to_stage_id] += row.duration
    return dict(totals)


# ---------------------------------------------------------------- lists
SORTS = {
    "name": "name", "amount": "amount", "expected_close": "expected_close", "stage": "stage__position",
    "owner": "owner__first_name", "created": "created_at", "status": "status",
}  # fmt: skip


def filter_deals(
    deals: QuerySet[Deal],
    *,
    user: Any = None,
    pipeline: int | None = None,
    owner: int | None = None,
    mine: bool = False,
    status: str = "",
    stage: int | None = None,
    q: str = "",
    currency: str = "",
) -> QuerySet[Deal]:
    if pipeline:
        deals = deals.filter(pipeline_id=pipeline)
    if mine and user is not None:
        deals = deals.filter(owner_id=user.pk)
    elif owner:
        deals = deals.filter(owner_id=owner)
    if status:
        deals = deals.filter(status=status)
    if stage:
        deals = deals.filter(stage_id=stage)
    if currency:
        deals = deals.filter(currency=currency)
    q = q.strip()
    if q:
        deals = deals.filter(
            Q(name__icontains=q) | Q(company__name__icontains=q) | Q(contact__email__icontains=q.lower())
        )
    return deals


def sort_deals(deals: QuerySet[Deal], sort: str) -> tuple[QuerySet[Deal], str]:
    key = sort.lstrip("-")
    if key not in SORTS:
        return deals.order_by("-created_at", "-id"), "-created"
    field = SORTS[key]
    expr = F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    return deals.order_by(expr, "id"), sort
