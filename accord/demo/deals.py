"""Pipelines, deals and the sales activities around a contact's journey."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from accord.demo import catalog
from accord.demo.catalog import Size
from accord.demo.journeys import DealPlan, Journey
from accord.demo.rows import ActivityRow, DealRow, StageChangeRow
from accord.demo.tables import Tables
from accord.lifecycle.stages import LifecycleStage as S
from accord.sales.models import Activity, Deal, PipelineStage
from accord.sales.pipeline_actions import STANDARD_STAGES, create_pipeline

K = Activity.Kind
UPSELL_STAGES: tuple[tuple[str, int, str, int | None], ...] = (
    ("Identified", 20, PipelineStage.Outcome.OPEN, 21),
    ("Proposal", 50, PipelineStage.Outcome.OPEN, 14),
    ("Negotiation", 75, PipelineStage.Outcome.OPEN, 7),
    ("Closed won", 100, PipelineStage.Outcome.WON, None),
    ("Closed lost", 0, PipelineStage.Outcome.LOST, None),
)
UPSELLS: tuple[str, ...] = (
    "Additional seats",
    "Analytics add-on",
    "Enterprise upgrade",
    "Second business unit",
)
UPSELL_RATE = 0.35
NEXT_STEPS: tuple[str, ...] = (
    "Follow up on proposal", "Send order form", "Schedule security review", "Confirm legal redlines",
    "Book procurement call", "Share ROI summary with CFO",
)  # fmt: skip
PRODUCT_AREAS: tuple[str, ...] = ("workflows", "approvals", "integrations", "analytics", "security")
TIER_BY_SIZE: tuple[str, ...] = ("Starter", "Growth", "Growth", "Business", "Enterprise", "Enterprise")
CALL_OUTCOMES = tuple(name for name, _ in catalog.CALL_OUTCOMES)
CALL_WEIGHTS = tuple(weight for _, weight in catalog.CALL_OUTCOMES)


# Logs the activities around one stage change: (journey, account, deal id, change, next change).
StageHandler = Callable[[Journey, "Account", int | None, StageChangeRow, StageChangeRow | None], None]


@dataclass(frozen=True)
class PipelineInfo:
    id: int
    open_stage_ids: tuple[int, ...]  # by position
    won_stage_id: int
    lost_stage_id: int


def create_demo_pipelines() -> tuple[PipelineInfo, PipelineInfo]:
    """The default sales pipeline and an upsell pipeline, through the sales action."""

    def info(
        name: str, stages: tuple[tuple[str, int, str, int | None], ...], *, default: bool
    ) -> PipelineInfo:
        pipeline = create_pipeline(name, stages, is_default=default)
        rows = list(pipeline.stages.order_by("position"))
        return PipelineInfo(
            pipeline.pk,
            tuple(s.pk for s in rows if s.outcome == PipelineStage.Outcome.OPEN),
            next(s.pk for s in rows if s.outcome == PipelineStage.Outcome.WON),
            next(s.pk for s in rows if s.outcome == PipelineStage.Outcome.LOST),
        )

    return info("Sales pipeline", STANDARD_STAGES, default=True), info("Upsell", UPSELL_STAGES, default=False)


@dataclass(frozen=True)
class Account:
    """The company side of a contact, as the seller needs it."""

    company_id: int | None
    name: str  # company name, or the person's name for contacts without a company
    size: Size | None


class Seller:
    """Writes each journey's deals and the activities reps logged along it."""

    def __init__(
        self, rng: random.Random, tables: Tables, pipelines: tuple[PipelineInfo, PipelineInfo], now: datetime
    ) -> None:
        self.rng = rng
        self.tables = tables
        self.sales, self.upsell = pipelines
        self.now = now

    # ----------------------------------------------------------------- deals
    def _amount(self, size: Size | None, share: float = 1.0) -> Decimal:
        lo, hi = size.deal_amount if size else catalog.SIZES[0].deal_amount
        return Decimal(round(self.rng.uniform(lo, hi) * share, -2)).quantize(Decimal("0.01"))

    def _deal(
        self, j: Journey, account: Account, plan: DealPlan, pipeline: PipelineInfo, name: str, amount: Decimal
    ) -> int:
        stage_id = {
            "won": pipeline.won_stage_id,
            "lost": pipeline.lost_stage_id,
        }.get(plan.outcome) or pipeline.open_stage_ids[
            min(plan.open_position, len(pipeline.open_stage_ids) - 1)
        ]
        status = {"won": Deal.Status.WON, "lost": Deal.Status.LOST}.get(plan.outcome, Deal.Status.OPEN)
        if plan.closed_at is not None:
            expected = plan.closed_at.date()
        else:
            expected = (plan.created_at + timedelta(days=self.rng.randint(30, 75))).date()
            if expected < self.now.date() - timedelta(days=14):  # long overdue: the rep moved the date
                expected = self.now.date() + timedelta(days=self.rng.randint(5, 45))
        deal_id = next(self.tables.deal_ids)
        updated = plan.closed_at or min(self.now, plan.created_at + timedelta(days=self.rng.uniform(1, 20)))
        self.tables.deals.add(
            DealRow(
                id=deal_id,
                name=name,
                pipeline_id=pipeline.id,
                stage_id=stage_id,
                status=status,
                amount=amount,
                currency="USD",
                expected_close=expected,
                closed_at=plan.closed_at,
                owner_id=j.ae_id,
                contact_id=j.contact_id,
                company_id=account.company_id,
                source_campaign_id=j.source_campaign.id
                if j.source_campaign and pipeline is self.sales
                else None,
                lost_reason=plan.lost_reason,
                created_at=plan.created_at,
                updated_at=updated,
            )
        )
        return deal_id

    def record(self, j: Journey, account: Account) -> None:
        deal_id = None
        if j.deal is not None:
            tier = TIER_BY_SIZE[catalog.SIZES.index(account.size)] if account.size else "Starter"
            amount = self._amount(account.size)
            deal_id = self._deal(j, account, j.deal, self.sales, f"{account.name} – {tier} plan", amount)
            if j.deal.outcome == "won" and j.deal.closed_at is not None:
                self._maybe_upsell(j, account, j.deal.closed_at, amount)
        self._activities(j, account, deal_id)

    def _maybe_upsell(self, j: Journey, account: Account, won_at: datetime, amount: Decimal) -> None:
        created = won_at + timedelta(days=self.rng.uniform(30, 120))
        if created > self.now or self.rng.random() >= UPSELL_RATE:
            return
        outcome = "open"
        if self.now - created > timedelta(days=25):
            outcome = self.rng.choices(("won", "lost", "open"), (45, 20, 35))[0]
        closed = created + timedelta(days=self.rng.uniform(10, 25)) if outcome != "open" else None
        plan = DealPlan(
            created, outcome, closed, open_position=self.rng.randrange(len(self.upsell.open_stage_ids)),
            lost_reason=self.rng.choice(catalog.LOST_REASONS) if outcome == "lost" else "",
        )  # fmt: skip
        share = self.rng.uniform(0.2, 0.4)
        name = f"{account.name} – {self.rng.choice(UPSELLS)}"
        self._deal(j, account, plan, self.upsell, name, (amount * Decimal(share)).quantize(Decimal("1.00")))

    # ----------------------------------------------------------------- activities
    def _log(
        self,
        j: Journey,
        account: Account,
        kind: str,
        subject: str,
        owner: int | None,
        *,
        at: datetime,
        due: datetime | None = None,
        done: bool = True,
        deal_id: int | None = None,
        details: dict[str, Any] | None = None,
        body: str = "",
    ) -> None:
        """An activity created at ``at``; done then, or (a task) due at ``due`` and maybe still open."""
        if at > self.now:
            return
        done_at = (due or at) if done and (due or at) <= self.now else None
        self.tables.activities.add(
            ActivityRow(
                id=next(self.tables.activity_ids),
                kind=kind,
                subject=subject,
                body=body,
                due_at=due,
                done_at=done_at,
                owner_id=owner,
                contact_id=j.contact_id,
                company_id=account.company_id,
                deal_id=deal_id,
                details=details or {},
                created_at=at,
                updated_at=done_at or at,
            )
        )

    def _calls(
        self, j: Journey, account: Account, start: datetime, end: datetime, *, connected: bool
    ) -> None:
        rng = self.rng
        n = rng.randint(1, 3)
        span = max(60.0, (end - start).total_seconds())
        for i in range(n):
            at = start + timedelta(seconds=span * (i + rng.uniform(0.1, 0.9)) / n)
            last = i == n - 1
            if last and connected:
                outcome = "meeting_booked" if rng.random() < 0.5 else "connected"
            else:
                outcome = rng.choices(CALL_OUTCOMES, CALL_WEIGHTS)[0]
            talk = outcome in ("connected", "meeting_booked")
            duration = rng.randint(180, 1500) if talk else rng.randint(0, 40)
            details = {"outcome": outcome, "duration_minutes": round(duration / 60), "direction": "outbound"}
            self._log(
                j, account, K.CALL, f"Call: {outcome.replace('_', ' ')}", j.sdr_id, at=at, details=details
            )

    def _activities(self, j: Journey, account: Account, deal_id: int | None) -> None:
        """What the reps logged around each stage change, in the order it happened."""
        handlers: dict[str, StageHandler] = {
            S.MQL: self._after_mql,
            S.SAL: self._after_sal,
            S.RECYCLED: self._after_verdict,
            S.DISQUALIFIED: self._after_verdict,
            S.SQL: self._after_sql,
            S.OPPORTUNITY: self._opportunity_work,
            S.CUSTOMER: self._after_won,
            S.EVANGELIST: self._after_verdict,
        }
        for i, change in enumerate(j.changes):
            handler = handlers.get(change.to_stage)
            if handler is not None:
                following = j.changes[i + 1] if i + 1 < len(j.changes) else None
                handler(j, account, deal_id, change, following)
        if j.deal is not None and j.deal.outcome == "lost" and j.deal.closed_at:
            note = f"Closed lost: {j.deal.lost_reason}"
            self._log(j, account, K.NOTE, note, j.ae_id, at=j.deal.closed_at, deal_id=deal_id)

    def _after_mql(
        self,
        j: Journey,
        account: Account,
        deal_id: int | None,
        change: StageChangeRow,
        following: StageChangeRow | None,
    ) -> None:
        """The SLA task while nobody has called yet; otherwise the calls until the verdict."""
        at = change.changed_at
        if following is None:
            due = at + timedelta(hours=4)
            subject = "Call new MQL within the 4-hour SLA"
            details = {"priority": "high"}
            self._log(j, account, K.TASK, subject, j.sdr_id, at=at, due=due, done=False, details=details)
        else:
            self._calls(j, account, at, following.changed_at, connected=following.to_stage == S.SAL)
        if self.rng.random() < 0.6:
            sent = at + timedelta(minutes=self.rng.randint(5, 50))
            subject = "Intro: Brightloop for your finance team"
            self._log(j, account, K.EMAIL, subject, j.sdr_id, at=sent, details={"direction": "outbound"})

    def _after_sal(
        self,
        j: Journey,
        account: Account,
        deal_id: int | None,
        change: StageChangeRow,
        following: StageChangeRow | None,
    ) -> None:
        """Discovery notes (BANT evidence) before the SQL, or a discovery call still to run."""
        rng = self.rng
        if following is not None and following.to_stage == S.SQL:
            bant = {
                "budget": "Approved for this fiscal year",
                "authority": "VP Finance is the economic buyer",
                "need": rng.choice(
                    ("Month-end close takes 10 days", "AP backlog", "Audit findings on approvals")
                ),
                "timeline": rng.choice(("This quarter", "Before year end", "Within 60 days")),
            }
            at = following.changed_at - timedelta(hours=2)
            self._log(j, account, K.DISCOVERY, "Discovery call notes", j.sdr_id, at=at, details=bant)
        elif following is None:
            due = self.now + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 8))
            at = change.changed_at
            self._log(j, account, K.TASK, "Run discovery call", j.sdr_id, at=at, due=due, done=False)

    def _after_verdict(
        self,
        j: Journey,
        account: Account,
        deal_id: int | None,
        change: StageChangeRow,
        following: StageChangeRow | None,
    ) -> None:
        """A person's note on why a contact was recycled, disqualified or made an evangelist."""
        if change.changed_by_id and change.reason:
            subject = f"{S(change.to_stage).label}: {change.reason}"
            self._log(
                j, account, K.NOTE, subject, change.changed_by_id, at=change.changed_at, body=change.reason
            )

    def _after_sql(
        self,
        j: Journey,
        account: Account,
        deal_id: int | None,
        change: StageChangeRow,
        following: StageChangeRow | None,
    ) -> None:
        meet = change.changed_at + timedelta(days=self.rng.uniform(0.5, 3))
        if following is None or meet < following.changed_at:
            details = {"status": "held", "duration_minutes": 30, "location": "Zoom"}
            subject = "Intro call with account executive"
            self._log(j, account, K.MEETING, subject, j.ae_id, at=meet, details=details)

    def _after_won(
        self,
        j: Journey,
        account: Account,
        deal_id: int | None,
        change: StageChangeRow,
        following: StageChangeRow | None,
    ) -> None:
        at = change.changed_at
        self._log(j, account, K.NOTE, "Closed won – kickoff scheduled", j.ae_id, at=at, deal_id=deal_id)
        due = at + timedelta(days=5)
        self._log(j, account, K.TASK, "Onboarding kickoff", j.ae_id, at=at, due=due, deal_id=deal_id)

    def _opportunity_work(
        self,
        j: Journey,
        account: Account,
        deal_id: int | None,
        change: StageChangeRow,
        following: StageChangeRow | None,
    ) -> None:
        """Demo, objections and the proposal; for an open deal, the next step on the rep's list."""
        rng, now = self.rng, self.now
        opened = change.changed_at
        plan = j.deal
        end = plan.closed_at if plan and plan.closed_at else now
        demo = opened + timedelta(days=rng.uniform(1, 7))
        if demo < end:
            areas = rng.sample(PRODUCT_AREAS, rng.randint(2, 4))
            details = {
                "status": "held",
                "duration_minutes": rng.choice((30, 45, 60)),
                "attendees": rng.randint(2, 6),
                "product_areas": areas,
            }
            self._log(j, account, K.DEMO, "Product demo", j.ae_id, at=demo, deal_id=deal_id, details=details)
            if rng.random() < 0.45:
                category, text = rng.choice(catalog.OBJECTIONS)
                competitor = rng.choice(catalog.COMPETITORS)
                objection = {"category": category, "competitor": competitor, "handled": rng.random() < 0.6}
                at = demo + timedelta(days=rng.uniform(0.5, 5))
                if at < end:
                    self._log(
                        j,
                        account,
                        K.OBJECTION,
                        text.format(competitor=competitor),
                        j.ae_id,
                        at=at,
                        deal_id=deal_id,
                        details=objection,
                    )
        proposal = opened + timedelta(days=rng.uniform(7, 20))
        if proposal < end:
            self._log(
                j,
                account,
                K.EMAIL,
                "Proposal and order form",
                j.ae_id,
                at=proposal,
                deal_id=deal_id,
                details={"direction": "outbound"},
            )
        if plan is not None and plan.outcome == "open":
            created = max(opened, now - timedelta(days=rng.uniform(0.5, 6)))
            slipping = rng.random() < 0.15  # an overdue task makes the rep's list realistic
            due = (
                now - timedelta(days=rng.uniform(1, 4))
                if slipping
                else now + timedelta(days=rng.uniform(0.2, 7))
            )
            self._log(
                j,
                account,
                K.TASK,
                rng.choice(NEXT_STEPS),
                j.ae_id,
                at=min(created, due),
                due=due,
                done=False,
                deal_id=deal_id,
            )
